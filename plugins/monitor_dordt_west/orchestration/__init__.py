"""Orchestration: what Airflow (or `mdw run` without it) calls.

Task callables (`tasks`), the quarterly timetable (`timetable`), the environment Airflow is
started in (`airflow_env`) and the Airflow-free run of the whole pipeline (`pipeline`).
"""
