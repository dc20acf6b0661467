"""Airflow DAG ``build_warehouse``: dbt seeds, models and tests through astronomer-cosmos,
by write-audit-publish.

``prepare_warehouse`` registers the build (``mdw_meta.warehouse_build``) and creates fresh
build schemas; the dbt tasks build and test everything into ``<schema>__build``; only when all
passed, ``publish_warehouse`` swaps them into place in one transaction. Otherwise
``record_failed_build`` marks the build failed with which test failed on which rows, the live
schemas stay exactly as they were, and publishing is refused until a build passes again (fix
the cause, then trigger a new run; do not clear tasks of the failed run).

Scheduled on the raw-table assets the ingestion DAGs emit; ``wait_for_ingests`` first waits until
no ingestion run is underway (the pick-ups run at the same time), and ``prepare_warehouse`` skips
the run when the last published build already covers every delivery. dbt runs once per build:
cosmos' watcher mode runs one ``dbt build`` (task ``dbt.dbt_producer_watcher``, pool ``dbt``)
and one task per seed and model shows its status. Rendered from the dbt manifest
(``mdw manifest`` writes it; LoadMode.DBT_MANIFEST parses in ~0.3 s instead of ~3 s).
"""

from airflow.sdk import Asset, AssetAny, TriggerRule, dag, task
from cosmos import (
    DbtTaskGroup,
    ExecutionConfig,
    ExecutionMode,
    LoadMode,
    ProfileConfig,
    ProjectConfig,
    RenderConfig,
    TestBehavior,
)

from monitor_dordt_west import config
from monitor_dordt_west.ingestion import registry
from monitor_dordt_west.orchestration.tasks import (
    DBT_PRODUCER_ARGS,
    DBT_WATCHER_ARGS,
    DEFAULT_ARGS,
    QUEUE_DBT,
    START_DATE,
    dbt_env_template,
    ingests_settled,
    prepare_warehouse,
    publish_warehouse,
    raw_asset_uri,
    record_failed_build,
    watch_after_the_build,
)
from monitor_dordt_west.warehouse.dbt import MANIFEST, PROFILE, TARGET, dbt_executable

if not MANIFEST.exists():
    raise FileNotFoundError(f"dbt manifest missing at {MANIFEST}: run `./mdw manifest` first")


@dag(
    dag_id="build_warehouse",
    schedule=AssetAny(*(Asset(name=ds.raw_table, uri=raw_asset_uri(ds)) for ds in registry.DATASETS)),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,  # dbt is not safe for concurrent invocations on one target
    default_args={**DEFAULT_ARGS, "retries": 1, "queue": QUEUE_DBT},
    tags=["dbt", "warehouse"],
    doc_md=__doc__,
)
def build_warehouse():
    settled = task.sensor(task_id="wait_for_ingests", poke_interval=5, timeout=3 * 3600, mode="poke")(ingests_settled)()
    build_id = task(task_id="prepare_warehouse")(prepare_warehouse)()
    dbt = DbtTaskGroup(
        group_id="dbt",
        project_config=ProjectConfig(
            dbt_project_path=config.DBT_PROJECT_DIR,
            manifest_path=MANIFEST,
            project_name="monitor_dordt_west",
            install_dbt_deps=False,
        ),
        profile_config=ProfileConfig(
            profile_name=PROFILE,  # as `mdw manifest` parsed: dbt's partial parsing holds
            target_name=TARGET,
            profiles_yml_filepath=config.DBT_PROJECT_DIR / "profiles.yml",
        ),
        # one `dbt build` (the producer) builds and tests everything; one task per seed and model
        # watches its status (cosmos' watcher mode). The tests run inside that build: a failing
        # test fails the producer, and dbt skips (the watcher fails) what depends on it.
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST, test_behavior=TestBehavior.NONE, emit_datasets=False
        ),
        execution_config=ExecutionConfig(
            dbt_executable_path=dbt_executable(),
            execution_mode=ExecutionMode.WATCHER,
            setup_operator_args=DBT_PRODUCER_ARGS,
        ),
        operator_args={"env": dbt_env_template(), "append_env": True, **DBT_WATCHER_ARGS},
    )
    watch_after_the_build(dbt)
    published = task(task_id="publish_warehouse")(publish_warehouse)(build_id)
    # all_done, not one_failed: one_failed would start while other dbt tasks still run
    recorded = task(task_id="record_failed_build", trigger_rule=TriggerRule.ALL_DONE)(record_failed_build)()
    settled >> build_id >> dbt >> published >> recorded
    dbt >> recorded


build_warehouse()
