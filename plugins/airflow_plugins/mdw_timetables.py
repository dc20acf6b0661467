"""Registers the project's timetables with Airflow (the scheduler deserializes a DAG's
timetable only when a plugin names its class)."""

from airflow.plugins_manager import AirflowPlugin

from monitor_dordt_west.orchestration.timetable import QuarterlyPublicationTimetable


class MonitorDordtWestTimetables(AirflowPlugin):
    name = "monitor_dordt_west_timetables"
    timetables = [QuarterlyPublicationTimetable]  # noqa: RUF012 (the AirflowPlugin interface)
