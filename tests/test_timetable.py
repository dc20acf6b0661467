"""Quarters and the publication's timetable: the data interval is the calendar quarter in
Amsterdam time, the run comes on the 16th of the month after, once every delivery is due."""

from datetime import date, datetime

import pendulum
import pytest
from airflow.timetables.base import DataInterval, TimeRestriction

from monitor_dordt_west.orchestration.timetable import QuarterlyPublicationTimetable
from monitor_dordt_west.quarters import Quarter

UTC = pendulum.UTC


def utc(*args):
    return pendulum.datetime(*args, tz=UTC)


def test_quarter_codes_and_dates():
    q = Quarter.parse("2024-Q1")
    assert (q.start, q.end, q.label) == (date(2024, 1, 1), date(2024, 3, 31), "1e kwartaal 2024")
    assert Quarter.parse("2024-Q4").end == date(2024, 12, 31)
    assert Quarter.parse("2024-Q4").next() == Quarter(2025, 1)
    assert Quarter.parse("2025-Q1").previous() == Quarter(2024, 4)
    assert Quarter.parse("2026-Q3").publication_date() == date(2026, 10, 16)
    with pytest.raises(ValueError, match="JJJJ-Qn"):
        Quarter.parse("2026-3")


@pytest.mark.parametrize(
    ("today", "complete", "published"),
    [
        (date(2026, 11, 25), "2026-Q3", "2026-Q3"),
        (date(2026, 10, 15), "2026-Q3", "2026-Q2"),  # SDD's deadline (the 15th) has not passed
        (date(2026, 10, 16), "2026-Q3", "2026-Q3"),
        (date(2026, 1, 1), "2025-Q4", "2025-Q3"),
    ],
)
def test_last_complete_and_last_published_quarter(today, complete, published):
    assert Quarter.last_complete(today).code == complete
    assert Quarter.last_published(today).code == published


def test_next_run_follows_the_last_quarter():
    tt = QuarterlyPublicationTimetable()
    # 2026-Q2 in Amsterdam (CEST, UTC+2): 1 April 00:00 = 31 March 22:00 UTC
    last = DataInterval(utc(2026, 3, 31, 22), utc(2026, 6, 30, 22))
    info = tt.next_dagrun_info(
        last_automated_data_interval=last, restriction=TimeRestriction(utc(2026, 1, 1), None, True)
    )
    assert info.data_interval == DataInterval(utc(2026, 6, 30, 22), utc(2026, 9, 30, 22))
    assert info.run_after == utc(2026, 10, 16, 4)  # 06:00 CEST
    # the winter quarter: CET, UTC+1
    info = tt.next_dagrun_info(
        last_automated_data_interval=info.data_interval, restriction=TimeRestriction(None, None, True)
    )
    assert info.data_interval == DataInterval(utc(2026, 9, 30, 22), utc(2026, 12, 31, 23))
    assert info.run_after == utc(2027, 1, 16, 5)


def test_first_run_with_and_without_catchup():
    tt = QuarterlyPublicationTimetable()
    first = tt.next_dagrun_info(
        last_automated_data_interval=None, restriction=TimeRestriction(utc(2026, 1, 1), None, True)
    )
    assert first.data_interval.start == utc(2025, 12, 31, 23)  # 2026-Q1 from midnight in Amsterdam
    assert first.run_after == utc(2026, 4, 16, 4)
    latest = tt.next_dagrun_info(
        last_automated_data_interval=None, restriction=TimeRestriction(utc(2026, 1, 1), None, False)
    )
    expected = Quarter.last_published(datetime.now(pendulum.timezone("Europe/Amsterdam")).date())
    assert latest.data_interval.start == pendulum.datetime(
        expected.start.year, expected.start.month, 1, tz="Europe/Amsterdam"
    )
    assert tt.next_dagrun_info(last_automated_data_interval=None, restriction=TimeRestriction(None, None, True)) is None
    ended = TimeRestriction(utc(2026, 1, 1), utc(2026, 3, 1), True)
    assert tt.next_dagrun_info(last_automated_data_interval=first.data_interval, restriction=ended) is None


def test_a_manual_run_publishes_the_quarter_before_its_date():
    tt = QuarterlyPublicationTimetable()
    assert tt.infer_manual_data_interval(run_after=utc(2025, 7, 16, 12)) == DataInterval(
        utc(2025, 3, 31, 22), utc(2025, 6, 30, 22)
    )
