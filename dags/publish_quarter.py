"""Airflow DAG ``publish_quarter``: the quarterly publication for the five stuurgroepen.

Runs once a quarter, on the 16th of the month after it (after every partner's delivery deadline;
timetable ``QuarterlyPublicationTimetable``). Its data interval is the calendar quarter. For
each pillar it writes an Excel workbook, a PDF report and CSV/Parquet for analysts, after
disclosure control, and freezes them in the publication register (``mdw_meta.publicatie``).

``wait_for_warehouse`` first waits while deliveries are being loaded or built (and fails at once
when the last build failed). Re-running a quarter whose numbers did not change reproduces the
same version (byte-identical files); after a correction delivery it makes the next version and records what changed.
Re-run any past quarter: trigger with the parameter ``kwartaal`` (``2025-Q2``) or
``airflow dags test publish_quarter 2025-07-16`` (the quarter before that date).
"""

from datetime import datetime

from airflow.sdk import Asset, Param, dag, get_current_context, task

from monitor_dordt_west.orchestration.tasks import (
    DEFAULT_ARGS,
    PUBLICATION_ASSET_URI,
    QUEUE_PUBLICATION,
    check_quarter_complete,
    publication_quarter,
    publication_ready,
    publish_pillar,
)
from monitor_dordt_west.orchestration.timetable import QuarterlyPublicationTimetable
from monitor_dordt_west.publication.content import PILLARS, slug


@dag(
    dag_id="publish_quarter",
    schedule=QuarterlyPublicationTimetable(),
    # the first quarter of the execution programme: a run (re-run) of any quarter since then is
    # possible; tasks of a run dated before a DAG's start_date would not be scheduled at all
    start_date=datetime(2024, 1, 1),
    catchup=False,  # past quarters are published on request (parameter kwartaal), not all at once
    max_active_runs=1,  # versions and disclosure memory of the register are built one run at a time
    default_args={**DEFAULT_ARGS, "queue": QUEUE_PUBLICATION},
    params={"kwartaal": Param(None, type=["null", "string"], pattern=r"^\d{4}-Q[1-4]$", description="JJJJ-Qn")},
    tags=["publicatie", "stuurgroepen"],
    doc_md=__doc__,
)
def publish_quarter():
    @task
    def quarter(params=None, data_interval_start=None) -> str:
        return publication_quarter(data_interval_start, (params or {}).get("kwartaal"))

    q = quarter()
    ready = task.sensor(task_id="wait_for_warehouse", poke_interval=10, timeout=12 * 3600, mode="reschedule")(
        publication_ready
    )()
    complete = task(task_id="check_quarter_complete")(check_quarter_complete)(q)
    ready >> complete

    @task(outlets=[Asset(name="mdw_meta.publicatie", uri=PUBLICATION_ASSET_URI)])
    def publish(quarter_code: str, pillar: str) -> dict:
        return publish_pillar(quarter_code, pillar, get_current_context()["run_id"])

    for pillar in PILLARS:
        complete >> publish.override(task_id=f"publish_{slug(pillar).replace('-', '_')}")(q, pillar)


publish_quarter()
