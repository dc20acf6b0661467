"""The heavy modules of the tasks, imported once in the process the task processes are forked
from (the LocalExecutor's scheduler, a Celery worker), so that a task does not import them again:
Great Expectations alone takes ~6 s of CPU to import, once per ingestion task otherwise.

Called by the project's Airflow plugin when ``MDW_PRELOAD_TASK_MODULES=1`` (set for the scheduler
and the Celery worker by ``orchestration.components``; docker-compose may set it too). Nothing
here connects or starts a thread: only imports.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import time

log = logging.getLogger(__name__)

ENV = "MDW_PRELOAD_TASK_MODULES"
MODULES = (
    "great_expectations",
    "cosmos",
    "dbt.cli.main",
    "monitor_dordt_west.ingestion.load",
    "monitor_dordt_west.ingestion.validation",
    "monitor_dordt_west.warehouse.builds",
    "monitor_dordt_west.publication.publish",
)


def preload_if_asked() -> None:
    if os.environ.get(ENV) != "1" or "great_expectations" in sys.modules:
        return
    from monitor_dordt_west.ingestion.expectations import quiet_great_expectations

    quiet_great_expectations()  # before GX is imported: its registration lines are logged then
    t = time.process_time()
    for name in MODULES:
        importlib.import_module(name)
    log.info("task modules preloaded in %.1f s of CPU", time.process_time() - t)


#: ``[celery] celery_config_options`` of a Celery worker started by ``orchestration.components``:
#: the provider's default configuration, read when the worker's main process starts, before it
#: forks its pool: the place to preload there (a Celery worker does not load Airflow's plugins).
CELERY_CONFIG_OPTIONS = "monitor_dordt_west.orchestration.preload.CELERY_CONFIG"


def __getattr__(name: str):
    if name == "CELERY_CONFIG":
        preload_if_asked()
        from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG

        return DEFAULT_CELERY_CONFIG
    raise AttributeError(name)
