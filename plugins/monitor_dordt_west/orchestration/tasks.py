"""What the Airflow tasks run. Kept out of the DAG files so it is importable and tested
without a scheduler; nothing here imports Airflow, GX or dbt at module import time."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from monitor_dordt_west import config
from monitor_dordt_west.ingestion import registry
from monitor_dordt_west.warehouse import connection, credentials

log = logging.getLogger(__name__)

OWNER = "data-engineering"
DEFAULT_ARGS: dict[str, Any] = {"owner": OWNER, "retries": 2, "retry_delay": timedelta(minutes=5)}
START_DATE = datetime(2026, 1, 1)

# The Celery queues (docker-compose.yml, README "Scale-out"): each task is sent to the queue of its
# work, and a worker serves the queues named with ``airflow celery worker -q``. The LocalExecutor
# ignores them.
QUEUE_INGEST = "ingest"  # ingest_<partner>: the landing folder, archive, quarantine, pseudonym key
QUEUE_DBT = "dbt"  # build_warehouse: dbt and the write-audit-publish tasks around it
QUEUE_PUBLICATION = "publication"  # publish_quarter: the publications folder
QUEUES = (QUEUE_INGEST, QUEUE_DBT, QUEUE_PUBLICATION)


def _failed(message: str):
    """The ``AirflowFailException`` a task fails with, its reason logged first: Airflow's own lines
    (``Task failed with exception`` and the traceback) follow it."""
    from airflow.sdk.exceptions import AirflowFailException

    log.error("%s", message)
    return AirflowFailException(message)


def raw_asset_uri(ds: registry.Dataset) -> str:
    return f"mdw://warehouse/{ds.raw_schema}/{ds.name}"


def ingest_dataset(partner: str, dataset_id: str | None) -> list[dict[str, Any]]:
    """Load every pending file of one dataset (``None``: refuse files matching no agreed name).

    Fails (without retries: a bad file does not get better) when any file was refused or held;
    the message names every such file and why. A platform fault (disk, archive, database) fails
    with an operator message and is retried; its files stay in the landing folder. Skips when
    nothing new was loaded, so that no asset event triggers a needless warehouse build.
    """
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    from monitor_dordt_west.ingestion import (  # psycopg and the loaders: at run time, not when a DAG file is parsed
        load,
        raw_tables,
    )

    tgt = connection.target(credentials.LOADER)
    raw_tables.ensure_schema(tgt)
    outcomes, rejected = load.ingest_partner(partner, tgt, datasets=[dataset_id])
    summary = [
        {"file": o.file_name, "status": o.status, "rows": o.rows, "delivery_id": o.delivery_id, "replaced": o.replaced}
        for o in outcomes
    ]
    # every outcome is logged once, where it happens (load.py): not again here
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:  # the platform's fault, not the partner's: fail and retry; the files are still in landing
        raise RuntimeError("Storing (niet de schuld van de partner):\n" + "\n".join(o.message for o in failed))
    if rejected:
        raise AirflowFailException("\n\n".join(r.message for r in rejected))
    if not any(o.status == "loaded" for o in outcomes):
        raise AirflowSkipException(f"geen nieuwe leveringen voor {dataset_id or partner}")
    return summary


INGEST_DAGS = tuple(f"ingest_{p}" for p in registry.PARTNERS)
ACTIVE = ["queued", "running"]


def busy_dags(ti, dag_ids: tuple[str, ...]) -> list[str]:
    """The DAGs of ``dag_ids`` with a run queued or running (asked of the API server)."""
    return [dag_id for dag_id in dag_ids if ti.get_dr_count(dag_id=dag_id, states=ACTIVE)]


def ingests_settled(ti=None) -> bool:
    """Sensor of build_warehouse: done when no ingestion run is queued or running. The partners'
    pick-ups run at the same time (06:00); the first loaded dataset triggers the build, which then
    waits for the other loads instead of building twice (the later asset events queue one more run,
    which finds nothing new and skips)."""
    busy = busy_dags(ti, INGEST_DAGS)
    if busy:
        log.info("wacht tot de ingestie klaar is: %s", ", ".join(busy))
    return not busy


#: How long after a delivery was loaded publish_quarter keeps waiting for its build when no
#: ingestion or build run is underway: the scheduler creates the asset-triggered build run a
#: moment after the load; after that, no build is coming and someone has to start one.
BUILD_GRACE = timedelta(seconds=60)


def publication_ready(ti=None) -> bool:
    """Sensor of publish_quarter: done when no ingestion or build is underway and the warehouse may
    be published. Waits while ingestion or build runs are queued or running; fails (the reason
    first) when the last build failed or hangs, and when the warehouse lacks a delivery but no
    build is coming (none underway, the delivery loaded longer than ``BUILD_GRACE`` ago)."""
    from datetime import UTC

    from monitor_dordt_west.warehouse import builds

    busy = busy_dags(ti, (*INGEST_DAGS, "build_warehouse"))
    if busy:
        log.info("wacht op %s", ", ".join(busy))
        return False
    try:
        builds.check_publishable(connection.target(credentials.PUBLISHER))
    except builds.NotPublishable as exc:
        if exc.pending and exc.since is not None and datetime.now(UTC) - exc.since < BUILD_GRACE:
            log.info("wacht op de build van de nieuwste levering: %s", exc)
            return False
        raise _failed(str(exc)) from exc
    return True


def prepare_warehouse(run_id: str | None = None, dag_run=None) -> int:
    """Make sure the ledger and every raw table exist before dbt reads its sources, and start the
    write-audit-publish build: a register row, fresh build schemas. Returns the build id. A run
    started by asset events skips (and with it the whole build) when the last published build
    covers every delivery; a run triggered by hand always builds (e.g. after a new dbt project)."""
    from airflow.sdk.exceptions import AirflowSkipException

    from monitor_dordt_west.warehouse import builds

    tgt = connection.target(credentials.TRANSFORMER)
    if getattr(dag_run, "run_type", None) == "asset_triggered" and builds.up_to_date(tgt):
        raise AirflowSkipException("niets nieuws: de laatste gepubliceerde build bevat elke levering")
    try:
        build_id = builds.start(tgt, f"airflow build_warehouse {run_id}", airflow_run_id=run_id or "?")
    except builds.BuildRefused as exc:
        raise _failed(str(exc)) from exc
    log.info("build %s: dbt builds into %s (warehouse %s)", build_id, builds.BUILD_SUFFIX, tgt.display_uri)
    return build_id


def publish_warehouse(build_id: int) -> str:
    """All dbt tasks passed: swap the build schemas into place (one transaction)."""
    from airflow.sdk.exceptions import AirflowFailException

    from monitor_dordt_west.warehouse import builds

    tgt = connection.target(credentials.TRANSFORMER)
    try:
        return builds.publish_build(tgt, build_id)
    except Exception as exc:
        message = (
            f"Build {build_id} mislukt bij het in gebruik nemen: {exc}\nDe gepubliceerde schema's zijn ongewijzigd."
        )
        builds.record_failure(tgt, build_id, message)
        raise AirflowFailException(message) from exc


def record_failed_build(run_id: str | None = None, ti=None) -> None:
    """After the dbt tasks and publish_warehouse (trigger rule all_done): skip when the build was
    published; otherwise mark it failed with which test failed on which rows (``dbt test`` once
    more on the build schemas: the producer's results stay in cosmos' temporary copy) and fail, so the run fails."""
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    from monitor_dordt_west.warehouse import builds

    tgt = connection.target(credentials.TRANSFORMER)
    build = builds.build_of_airflow_run(tgt, run_id or "?")
    if build is None:
        if _task_state(ti, run_id, "prepare_warehouse") == "skipped":
            raise AirflowSkipException("niets gebouwd: de laatste gepubliceerde build bevat elke levering")
        raise _failed(f"geen build geregistreerd voor run {run_id}: prepare_warehouse is mislukt")
    if build.status == "published":
        raise AirflowSkipException(f"build {build.build_id} is gepubliceerd")
    if build.status == "running":
        message = builds.collect_failures(tgt, build.build_id, _failed_dbt_tasks(ti, run_id))
        builds.record_failure(tgt, build.build_id, message)  # logs it: the reason first
        raise AirflowFailException(message)
    # already recorded (by publish_warehouse, or superseded by a newer build)
    raise _failed(build.failure or f"build {build.build_id} mislukt")


def _task_state(ti, run_id: str | None, task_id: str) -> str | None:
    if ti is None or run_id is None:
        return None
    states = ti.get_task_states(dag_id=ti.dag_id, task_ids=[task_id], run_ids=[run_id])
    return (states.get(run_id) or {}).get(task_id)


def _failed_dbt_tasks(ti, run_id: str | None) -> list[str]:
    if ti is None or run_id is None:
        return []
    try:
        states = ti.get_task_states(dag_id=ti.dag_id, task_group_id="dbt", run_ids=[run_id])
    except Exception:
        log.warning("could not read the states of the dbt tasks", exc_info=True)
        return []
    return [task_id for task_id, state in (states.get(run_id) or {}).items() if state == "failed"]


def dbt_env_template() -> dict[str, str]:
    """Env for cosmos' dbt tasks, rendered from the Airflow connection at run time; dbt builds
    into the build schemas (``<schema>__build``), publish_warehouse swaps them into place; without
    colours (the task log is a file: no ANSI codes in it)."""
    from monitor_dordt_west.warehouse.dbt import NO_COLOURS

    c = f"conn.{connection.conn_id(credentials.TRANSFORMER)}"
    return {
        "MDW_PGHOST": f"{{{{ {c}.host }}}}",
        "MDW_PGPORT": f"{{{{ {c}.port or 5432 }}}}",
        "MDW_PGUSER": f"{{{{ {c}.login }}}}",
        "MDW_PGPASSWORD": f"{{{{ {c}.password or '' }}}}",
        "MDW_PGDATABASE": f"{{{{ {c}.schema }}}}",
        config.DBT_SCHEMA_SUFFIX_VAR: config.DBT_BUILD_SUFFIX,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        **NO_COLOURS,
    }


#: The one `dbt build` of a warehouse build (cosmos' watcher producer): with the tests (the
#: watchers render no test tasks, so cosmos would leave tests out of the build), in the pool
#: ``dbt`` (one slot: dbt is not safe for concurrent invocations on one target path); dbt's
#: threads (profiles.yml) match the cores. Not retried: a build starts again as a new run.
DBT_PRODUCER_ARGS: dict[str, Any] = {
    "dbt_cmd_flags": ["--resource-type", "test"],
    "pool": "dbt",
    "retries": 0,
    "queue": QUEUE_DBT,  # cosmos sets the producer's queue before default_args apply
}
#: The tasks that watch one seed or model each: poll the producer's status every 2 s in their
#: slot (a deferral would start each task twice); never run dbt themselves (no retries).
DBT_WATCHER_ARGS: dict[str, Any] = {"poke_interval": 2, "deferrable": False, "retries": 0}


def watch_after_the_build(group) -> None:
    """In cosmos' watcher task group, start every seed and model task when the one ``dbt build``
    has ended, failed or not (trigger rule none_skipped: a build skipped as up to date skips them
    too); each then reads its node's outcome at once: a node dbt built succeeds, a node dbt
    skipped after an upstream failure fails (cosmos records it so).

    Under the scheduler they start and end in the triggerer (``dbt_watchers``): no task process
    each. They depend on the producer only, not on each other: the outcome of every node is known
    when the build has ended, and cosmos' edges between them made the scheduler start them level
    by level (~3 s per level of the dbt graph, 30–40 s in all). The lineage is dbt's (``mdw docs``).
    Measured on this 2-core machine, watcher processes beside the build slowed it 2.7×; after it,
    as task processes, they took ~30 s. It also keeps ``airflow dags test`` (one task at a time)
    from waiting forever in a watcher whose build cannot start. After them one task,
    ``dbt.nodes_done``, on which what follows the group depends. The producer records one XCom
    per seed and model (``dbt_watchers.record_node_outcomes``)."""
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import TriggerRule

    from monitor_dordt_west.orchestration.dbt_watchers import record_node_outcomes, start_in_the_triggerer

    producer = next(t for t in group.children.values() if t.task_id.endswith(".dbt_producer_watcher"))
    # one XCom per seed and model, not cosmos' five or six per node (``dbt_watchers``); set on the
    # instance: the task process parses this DAG file too, so its producer has it as well
    producer._make_parse_callable = record_node_outcomes
    watchers = [t for t in group.children.values() if t is not producer and hasattr(t, "producer_task_id")]
    # one task after them all (the scheduler runs an EmptyOperator without a process): what comes
    # after the group then depends on one task, not 57 (each edge hashes the DAG: ~4 ms a parse)
    nodes_done = EmptyOperator(task_id="nodes_done", task_group=group, dag=producer.dag)
    ids = {t.task_id for t in watchers}
    for t in watchers:
        # no public API removes a dependency: both sides of each edge, as set_upstream keeps them
        # (and so the new edges: `producer >> t` costs ~6 ms a task in this DAG's parse)
        for other in ids & t.upstream_task_ids:
            t.upstream_task_ids.discard(other)
            group.children[other].downstream_task_ids.discard(t.task_id)
        t.upstream_task_ids.add(producer.task_id)
        producer.downstream_task_ids.add(t.task_id)
        t.downstream_task_ids.add(nodes_done.task_id)
        nodes_done.upstream_task_ids.add(t.task_id)
        t.trigger_rule = TriggerRule.NONE_SKIPPED
        start_in_the_triggerer(t, producer.task_id)


def dag_doc(partner: str) -> str:
    rows = "\n".join(f"| `{d.example}` | `{d.raw_table}` | {d.description} |" for d in registry.datasets(partner))
    return f"""### Ingestie {registry.PARTNERS[partner]}

Loads every file waiting in `<landing>/{partner}/`: fingerprint, ledger, structure checks,
COPY, Great Expectations suite (`expectations/`), swap into the raw table, archive.
A refused file is moved to the quarantine folder with a `.reden.txt` beside it and the
task fails with the same message (no retries). A byte-identical re-delivery changes nothing.

| file | raw table | content |
| --- | --- | --- |
{rows}

What arrived and what was refused: `select * from mdw_meta.deliveries`.
"""


PUBLICATION_ASSET_URI = "mdw://warehouse/mdw_meta/publicatie"


def publication_quarter(data_interval_start, kwartaal: str | None = None) -> str:
    """The quarter a run publishes: the ``kwartaal`` param when given, else its data interval."""
    from monitor_dordt_west.quarters import Quarter

    if kwartaal:
        return Quarter.parse(kwartaal).code
    if data_interval_start is None:
        raise ValueError("geen data-interval en geen parameter kwartaal: welk kwartaal moet worden gepubliceerd?")
    from monitor_dordt_west.orchestration.timetable import quarter_of_interval

    return quarter_of_interval(data_interval_start).code


def check_quarter_complete(quarter_code: str) -> dict[str, Any]:
    """Fail (clearly) when the warehouse has no figures up to the end of the quarter yet: the
    police and SDD rolling year ending with the quarter must exist."""
    from monitor_dordt_west.programme import FOCUS_AREA
    from monitor_dordt_west.quarters import Quarter
    from monitor_dordt_west.warehouse import builds

    quarter = Quarter.parse(quarter_code)
    tgt = connection.target(credentials.PUBLISHER)
    try:
        builds.check_publishable(tgt)
    except builds.NotPublishable as exc:
        raise _failed(str(exc)) from exc
    with connection.connect(tgt) as conn:
        found = dict(
            conn.execute(
                """
                select i.bron_partner, count(*)
                from marts.fct_indicator_values v join marts.dim_indicator i using (indicator_code)
                where v.periode_code = %s and v.gebiedscode = %s and i.bron_partner in ('Politie', 'SDD')
                group by 1
                """,
                (f"{quarter.code}-4KW", FOCUS_AREA),
            ).fetchall()
        )
    if not found:
        raise _failed(
            f"Kwartaal {quarter.code}: het warehouse heeft nog geen cijfers t/m {quarter.end:%d-%m-%Y} van de politie "
            "of de SDD. Zijn de leveringen binnen en is build_warehouse gedraaid? Publiceer daarna opnieuw "
            f"(parameter kwartaal={quarter.code})."
        )
    for partner in sorted({"Politie", "SDD"} - set(found)):
        log.warning("Kwartaal %s: nog geen cijfers van %s t/m het einde van het kwartaal", quarter.code, partner)
    return {"kwartaal": quarter.code, "indicatoren_per_bron": found}


def publish_pillar(quarter_code: str, pillar: str, run_id: str | None = None) -> dict[str, Any]:
    """Publish (or reproduce) one pillar's publication of the quarter; returns its summary."""
    from monitor_dordt_west.publication.publish import publish
    from monitor_dordt_west.quarters import Quarter
    from monitor_dordt_west.warehouse import builds

    try:
        (result,) = publish(
            connection.target(credentials.PUBLISHER),
            Quarter.parse(quarter_code),
            [pillar],
            created_by=f"airflow {run_id or ''}".strip(),
        )
    except builds.NotPublishable as exc:  # e.g. a build failed after check_quarter_complete
        raise _failed(str(exc)) from exc
    log.info("%s", result.summary())
    return result.summary()
