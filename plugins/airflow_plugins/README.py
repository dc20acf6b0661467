"""Airflow plugins of the project: ``mdw_timetables`` registers the quarterly publication's
timetable.

AIRFLOW__CORE__PLUGINS_FOLDER points here, not at plugins/: Airflow imports every module of
its plugins folder as a top-level module, which the package monitor_dordt_west must not be.
"""
