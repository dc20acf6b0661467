"""Registers the project's timetables with Airflow (the scheduler deserializes a DAG's
timetable only when a plugin names its class), and preloads the tasks' heavy modules where asked
(``orchestration.preload``)."""

from airflow.plugins_manager import AirflowPlugin

from monitor_dordt_west.orchestration.preload import preload_if_asked
from monitor_dordt_west.orchestration.timetable import QuarterlyPublicationTimetable

preload_if_asked()  # the scheduler (and a Celery worker) loads the plugins before it forks task processes


class MonitorDordtWestTimetables(AirflowPlugin):
    name = "monitor_dordt_west_timetables"
    timetables = [QuarterlyPublicationTimetable]  # noqa: RUF012 (the AirflowPlugin interface)
