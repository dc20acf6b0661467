"""The seed and model tasks of ``build_warehouse`` run in the triggerer, not as task processes.

Cosmos' watcher mode runs one ``dbt build`` (the producer task) and renders one task per seed and
model that reports that node's outcome from the producer's XCom. As task processes, those 57
tasks cost ~1.8 s each on this 2-core machine (process, DAG parse, API round trips): ~30 s after
the build. Here each such task starts directly in the triggerer (Airflow's
``start_from_trigger``): :class:`NodeOutcomeTrigger` reads the node's status from the producer's
XCom once the producer has ended and ends the task itself (``TaskSuccessEvent``,
``TaskFailedEvent``, ``TaskSkippedEvent``), so no worker process starts for it. Its log lines
(dbt's message for the node, or why it failed) are the task's log in the UI.

The producer records one XCom per seed and model (:func:`record_node_outcomes`: its status and
dbt's message), not cosmos' five or six per node, tests included (node start, compiling,
executing, finished, status, compiled SQL): each XCom is an API round trip made inside dbt's
callback, and those made the one ``dbt build`` ~2.5× slower inside the producer than bare.

``airflow dags test`` ignores ``start_from_trigger`` and runs the cosmos sensor itself, which
reads the same XCom (``DBT_WATCHER_ARGS``: no deferral): the outcome is the same.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from airflow.triggers.base import BaseTrigger


class NodeOutcomeTrigger(BaseTrigger):
    """Ends one seed or model task of ``build_warehouse`` with its node's outcome in the one
    ``dbt build``: success, failed (dbt failed it, or skipped it after an upstream failure: cosmos
    records that as failed), skipped, or failed when the build itself failed before the node had
    a result. Started from the triggerer when the producer task has ended, so the first look at
    the producer's XCom nearly always decides; until then it polls every ``poke_interval``.

    One XCom read per task (the node's status with dbt's message, ``record_node_outcomes``); the
    producer's state only when no status is there. The DAG id and run id come from the task instance the triggerer
    attaches (they are not known when the DAG is parsed).
    """

    def __init__(self, model_unique_id: str, producer_task_id: str, poke_interval: float = 2.0):
        super().__init__()
        self.model_unique_id = model_unique_id
        self.producer_task_id = producer_task_id
        self.poke_interval = poke_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{__name__}.{type(self).__name__}",
            {
                "model_unique_id": self.model_unique_id,
                "producer_task_id": self.producer_task_id,
                "poke_interval": self.poke_interval,
            },
        )

    async def run(self) -> AsyncIterator[Any]:
        from airflow.triggers.base import TaskFailedEvent, TaskSkippedEvent, TaskSuccessEvent
        from cosmos.operators._watcher.state import (
            PRODUCER_FINAL_STATES,
            get_status_xcom_key,
            is_dbt_node_status_failed,
            is_dbt_node_status_skipped,
            is_dbt_node_status_success,
        )

        while True:
            value = await self._xcom(get_status_xcom_key(self.model_unique_id))
            status = value.get("status") if isinstance(value, dict) else None
            producer = None if status is not None else await self._producer_state()
            if status is not None or producer in PRODUCER_FINAL_STATES:
                break
            await asyncio.sleep(self.poke_interval)
        if isinstance(value, dict) and value.get("msg"):  # dbt's own word on the node: "SELECT 12", or the error
            self.log.info("%s", value["msg"])
        uid, log = self.model_unique_id, self.producer_task_id
        if is_dbt_node_status_success(status):
            self.log.info("%s: %s in de dbt-build (%s)", uid, status, log)
            yield TaskSuccessEvent()
        elif is_dbt_node_status_skipped(status):
            self.log.info("%s: overgeslagen door dbt (%s)", uid, log)
            yield TaskSkippedEvent()
        elif is_dbt_node_status_failed(status):
            self.log.error("%s: mislukt in de dbt-build (%s); zie de log van %s", uid, status, log)
            yield TaskFailedEvent()
        elif producer == "success":
            # dbt reported nothing for the node (an ephemeral or empty model): nothing failed
            self.log.info("%s: geen resultaat van dbt (ephemeral of leeg model)", uid)
            yield TaskSuccessEvent()
        else:
            self.log.error("%s: de dbt-build (%s) eindigde (%s) zonder resultaat voor deze node", uid, log, producer)
            yield TaskFailedEvent()

    async def _xcom(self, key: str) -> Any:
        from airflow.sdk.execution_time.xcom import XCom
        from asgiref.sync import sync_to_async

        ti = self.task_instance
        return await sync_to_async(XCom.get_one)(
            key=key, dag_id=ti.dag_id, task_id=self.producer_task_id, run_id=ti.run_id, map_index=-1
        )

    async def _producer_state(self) -> str | None:
        from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance
        from asgiref.sync import sync_to_async

        ti = self.task_instance
        states = await sync_to_async(RuntimeTaskInstance.get_task_states)(
            dag_id=ti.dag_id, task_ids=[self.producer_task_id], run_ids=[ti.run_id]
        )
        state = (states.get(ti.run_id) or {}).get(self.producer_task_id)
        return None if state is None else str(state)


def start_in_the_triggerer(task, producer_task_id: str) -> None:
    """Let one of cosmos' seed or model watcher tasks start (and end) in the triggerer."""
    from airflow.triggers.base import StartTriggerArgs

    task.start_trigger_args = StartTriggerArgs(
        trigger_cls=f"{__name__}.{NodeOutcomeTrigger.__name__}",
        trigger_kwargs={"model_unique_id": task.model_unique_id, "producer_task_id": producer_task_id},
        next_method="execute_complete",
        next_kwargs=None,
        timeout=None,
    )
    task.start_from_trigger = True


#: the dbt resources that have a task of their own in ``build_warehouse`` (tests run inside the build)
WATCHED = frozenset({"seed", "model", "snapshot"})


def record_node_outcomes() -> Callable[[str, Any], None]:
    """The producer's handler of dbt's JSON log lines (in place of cosmos' parser): every line's
    message to the task log, as cosmos writes it; at each seed's and model's end one XCom, under
    cosmos' status key (so cosmos' own sensors, in ``airflow dags test``, read it too), with the
    status and dbt's message. A node dbt skipped because an upstream node failed is recorded as
    failed, as cosmos does."""
    from cosmos.operators._watcher.base import (
        _log_dbt_msg,
        _rewrite_upstream_failure_skip_status,
        _surface_non_json_stdout,
        safe_xcom_push,
    )
    from cosmos.operators._watcher.state import get_status_xcom_key, is_dbt_node_status_terminal

    skipped_after_failure: set[str] = set()

    def parse(line: str, extra_kwargs: Any) -> None:
        try:
            log_line = json.loads(line)
        except json.JSONDecodeError:
            _surface_non_json_stdout(line)
            return
        _log_dbt_msg(log_line)
        data, info = log_line.get("data") or {}, log_line.get("info") or {}
        node = data.get("node_info") or {}
        uid = node.get("unique_id")
        if not uid or node.get("resource_type") not in WATCHED:
            return
        status = _rewrite_upstream_failure_skip_status(log_line, uid, node.get("node_status"), skipped_after_failure)
        context = (extra_kwargs or {}).get("context")
        if info.get("name") != "NodeFinished" or not is_dbt_node_status_terminal(status) or context is None:
            return
        msg = (data.get("run_result") or {}).get("message") or data.get("msg")
        safe_xcom_push(
            task_instance=context["ti"],
            key=get_status_xcom_key(uid),
            value={"status": str(status), "outlet_uris": [], "msg": msg},
        )

    return parse
