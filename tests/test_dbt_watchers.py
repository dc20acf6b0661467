"""The seed and model tasks of build_warehouse (orchestration/dbt_watchers.py): what the producer
records from dbt's JSON log lines, and how a task ends on it. The lines are dbt 1.11's
``--log-format json`` events as dbt writes them (names and fields), cut to what is read; the run
through the scheduler is tests/test_scheduler_e2e.py."""

from __future__ import annotations

import asyncio
import json

import pytest
from airflow.triggers.base import TaskFailedEvent, TaskSkippedEvent, TaskSuccessEvent

from monitor_dordt_west.orchestration.dbt_watchers import NodeOutcomeTrigger, record_node_outcomes

MODEL = "model.monitor_dordt_west.int_reeks__tellingen"


def line(name: str, uid: str, resource_type: str, status: str, message: str | None = None) -> str:
    data: dict = {"node_info": {"unique_id": uid, "resource_type": resource_type, "node_status": status}}
    if message is not None:
        data["run_result"] = {"message": message}
    return json.dumps({"info": {"name": name, "msg": f"{name} {uid}", "level": "info"}, "data": data})


class Ti:
    """What the producer's parser needs of its task instance: ``xcom_push``."""

    def __init__(self):
        self.pushed: dict[str, object] = {}

    def xcom_push(self, key, value):
        self.pushed[key] = value


def parse_all(lines: list[str]) -> dict[str, object]:
    ti = Ti()
    parse = record_node_outcomes()
    for one in lines:
        parse(one, {"context": {"ti": ti}, "project_dir": "/nonexistent"})
    return ti.pushed


def test_one_xcom_per_seed_and_model_at_its_end_none_for_tests():
    pushed = parse_all(
        [
            line("NodeStart", MODEL, "model", "started"),
            line("NodeExecuting", MODEL, "model", "executing"),
            line("NodeFinished", MODEL, "model", "success", "SELECT 84642"),
            line("NodeFinished", "seed.monitor_dordt_west.eenheden", "seed", "success", "INSERT 12"),
            line("NodeFinished", "test.monitor_dordt_west.not_null_x.1", "test", "fail", "Got 3 results"),
            "not json: a line some library printed",
        ]
    )
    assert pushed == {
        f"{MODEL.replace('.', '__')}_status": {"status": "success", "outlet_uris": [], "msg": "SELECT 84642"},
        "seed__monitor_dordt_west__eenheden_status": {"status": "success", "outlet_uris": [], "msg": "INSERT 12"},
    }


def test_a_node_skipped_after_an_upstream_failure_is_recorded_as_failed():
    downstream = "model.monitor_dordt_west.fct_indicator_values"
    pushed = parse_all(
        [
            line("NodeFinished", MODEL, "model", "error", "division by zero"),
            line("SkippingDetails", downstream, "model", "skipped"),
            line("NodeFinished", downstream, "model", "skipped"),
        ]
    )
    assert pushed[f"{MODEL.replace('.', '__')}_status"]["status"] == "error"
    assert pushed["model__monitor_dordt_west__fct_indicator_values_status"]["status"] == "failed"


class RunningTi:
    dag_id, run_id, task_id, map_index = "build_warehouse", "run_1", "dbt.int_reeks__tellingen_run", -1


def outcome(statuses: list[object], producer_states: list[str | None]) -> tuple[object, int]:
    """Run the trigger on successive XCom values and producer states; the event and the reads."""
    trigger = NodeOutcomeTrigger(MODEL, "dbt.dbt_producer_watcher", poke_interval=0)
    trigger.task_instance = RunningTi()
    values, states, reads = iter(statuses), iter(producer_states), []

    async def xcom(key):
        reads.append(key)
        return next(values)

    async def producer_state():
        return next(states)

    trigger._xcom = xcom
    trigger._producer_state = producer_state

    async def first():
        async for event in trigger.run():
            return event

    return asyncio.run(first()), len(reads)


@pytest.mark.parametrize(
    ("status", "ends"),
    [
        ("success", TaskSuccessEvent),
        ("pass", TaskSuccessEvent),
        ("skipped", TaskSkippedEvent),
        ("error", TaskFailedEvent),
        ("failed", TaskFailedEvent),
    ],
)
def test_a_task_ends_as_its_node_did_with_one_read(status, ends):
    event, reads = outcome([{"status": status, "msg": "x"}], [])
    assert type(event) is ends and reads == 1


def test_without_a_status_the_producer_decides():
    # the build failed before the node had a result: failed
    assert type(outcome([None], ["failed"])[0]) is TaskFailedEvent
    # the build succeeded and dbt reported nothing for the node (ephemeral): nothing failed
    assert type(outcome([None], ["success"])[0]) is TaskSuccessEvent
    # still running: poll again, until the status is there
    event, reads = outcome([None, None, {"status": "success"}], ["running", "running"])
    assert type(event) is TaskSuccessEvent and reads == 3


def test_the_trigger_serializes_to_what_it_is_built_from():
    path, kwargs = NodeOutcomeTrigger(MODEL, "dbt.dbt_producer_watcher").serialize()
    assert path == "monitor_dordt_west.orchestration.dbt_watchers.NodeOutcomeTrigger"
    assert NodeOutcomeTrigger(**kwargs).serialize() == (path, kwargs)


def test_the_builds_dbt_starts_from_the_manifests_parse(fresh_db, tmp_path):
    """``mdw manifest`` parses as build_warehouse's one ``dbt build`` runs (profile and target named,
    the transformer's server, database and user, the build schemas), so that dbt re-parses
    nothing; a parse that differs (no profile named, as before) makes dbt start over."""
    from monitor_dordt_west import config
    from monitor_dordt_west.warehouse import connection, credentials, dbt

    dbt.build_manifest(tmp_path)
    as_the_build = ["parse", "--profile", dbt.PROFILE, "--target", dbt.TARGET]
    transformer = connection.target(credentials.TRANSFORMER)
    kwargs = {"target_path": tmp_path, "capture": True, "schema_suffix": config.DBT_BUILD_SUFFIX}
    again = dbt.run_dbt(as_the_build, transformer, **kwargs)
    assert "Unable to do partial parsing" not in again.stdout, again.stdout
    otherwise = dbt.run_dbt(["parse"], transformer, **kwargs)
    assert "Unable to do partial parsing because config vars, config profile" in otherwise.stdout


def test_the_triggerer_started_through_its_module_is_known_and_stopped(mdw_home):
    """The triggerer runs as ``python -m monitor_dordt_west.orchestration.triggerer``: its process
    title names no "airflow", and ``components.pid`` (hence ``stop``) must still know it (a
    triggerer left running outlived its test's metadata database: CI failure)."""
    import subprocess
    import sys

    from monitor_dordt_west.orchestration import components

    assert components._command("triggerer")[:3] == [sys.executable, "-m", components.TRIGGERER_MODULE]
    proc = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", components.TRIGGERER_MODULE], start_new_session=True
    )
    try:
        (components._run_dir() / "triggerer.pid").write_text(str(proc.pid))
        assert components.pid("triggerer") == proc.pid
        assert "triggerer" in components.stop(timeout_s=10)
        assert proc.wait(timeout=10) is not None and components.pid("triggerer") is None
    finally:
        proc.kill()
