"""Airflow timetable of the quarterly publication: the data interval is the calendar quarter
(Europe/Amsterdam), the run comes on the 16th of the month after it, once every partner's
delivery deadline has passed (``quarters.PUBLICATION_DAY``).

Registered as an Airflow plugin by ``plugins/airflow_plugins/mdw_timetables.py`` so that the
scheduler can deserialize it. A manual run (or ``airflow dags test publish_quarter DATE``)
publishes the last quarter that ended before its date: any past quarter can be re-run.
"""

from __future__ import annotations

from datetime import date, datetime, time

from airflow.timetables.base import DagRunInfo, DataInterval, Timetable
from pendulum import instance, timezone

from monitor_dordt_west.quarters import Quarter

TZ = timezone("Europe/Amsterdam")
RUN_HOUR = 6


def _at(day: date, hour: int = 0):
    return instance(datetime.combine(day, time(hour)), tz=TZ).in_timezone("UTC")


def quarter_interval(quarter: Quarter) -> DataInterval:
    return DataInterval(start=_at(quarter.start), end=_at(quarter.next().start))


def quarter_of_interval(start: datetime) -> Quarter:
    """The quarter a data interval starts in (its start is midnight in Amsterdam)."""
    return Quarter.containing(instance(start).in_timezone(TZ).date())


class QuarterlyPublicationTimetable(Timetable):
    description = "elk kwartaal, op de 16e van de maand erna om 06:00 (Europe/Amsterdam)"

    @property
    def summary(self) -> str:
        return "kwartaal, 16e 06:00"

    def infer_manual_data_interval(self, *, run_after) -> DataInterval:
        return quarter_interval(Quarter.last_complete(instance(run_after).in_timezone(TZ).date()))

    def next_dagrun_info(self, *, last_automated_data_interval, restriction) -> DagRunInfo | None:
        if last_automated_data_interval is not None:
            quarter = quarter_of_interval(last_automated_data_interval.start).next()
        elif restriction.earliest is None:
            return None
        else:
            earliest = instance(restriction.earliest).in_timezone(TZ).date()
            quarter = Quarter.containing(earliest)
            if quarter.start < earliest:
                quarter = quarter.next()
            if not restriction.catchup:
                today = datetime.now(TZ).date()
                quarter = max(quarter, Quarter.last_published(today))
        if restriction.latest is not None and _at(quarter.start) > restriction.latest:
            return None
        interval = quarter_interval(quarter)
        return DagRunInfo(run_after=_at(quarter.publication_date(), RUN_HOUR), data_interval=interval)
