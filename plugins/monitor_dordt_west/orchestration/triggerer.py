"""``airflow triggerer``, with Airflow's in-process execution API built before it starts.

The triggerer answers its triggers' API calls (XCom reads, task states) through an in-process
copy of the execution API, which Airflow builds on the first such call: ~17 s of CPU on this
2-core machine (FastAPI and Cadwyn generating the versioned routes), paid by the first
``build_warehouse`` after every start, between its ``dbt build`` and its publication (its seed
and model tasks run in the triggerer, ``dbt_watchers``). Here it is built, and has answered one
request, before the triggerer starts (no thread: the triggerer forks its trigger runner), and
the triggerer's ``in_process_api_server`` returns that one. The triggerer is ready ~17 s later
than without; nothing needs it earlier (the demo starts it with the scheduler, ahead of the
ingestion). If building fails, the reason is logged and the triggerer builds it as before.

Run by ``orchestration.components`` as ``python -m monitor_dordt_west.orchestration.triggerer``
(the arguments are ``airflow triggerer``'s).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time

log = logging.getLogger(__name__)


def warm_execution_api() -> None:
    try:
        t = time.process_time()
        import httpx
        from airflow.api_fastapi.execution_api.app import InProcessExecutionAPI
        from airflow.jobs import triggerer_job_runner

        api = InProcessExecutionAPI()

        async def first_request() -> None:  # Cadwyn generates the routes on the first request
            async with httpx.AsyncClient(transport=api.atransport, base_url="http://in-process.invalid./") as c:
                (await c.get("/health")).raise_for_status()

        asyncio.run(first_request())
        triggerer_job_runner.in_process_api_server = lambda: api
        log.info("execution API built ahead in %.1f s of CPU", time.process_time() - t)
    except Exception:  # the triggerer then builds it itself, on first use
        log.warning("execution API not built ahead; the triggerer builds it on first use", exc_info=True)


def main() -> None:
    from airflow.__main__ import main as airflow_main

    warm_execution_api()
    sys.argv = ["airflow", "triggerer", *sys.argv[1:]]
    airflow_main()


if __name__ == "__main__":
    main()
