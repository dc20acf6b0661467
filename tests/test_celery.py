"""Scale-out on Celery, for real: a Redis server (Debian's ``redis-server``, password, 127.0.0.1),
Airflow's CeleryExecutor with the result backend in the PostgreSQL metadata database, and a Celery
worker on this machine serving the queues of docker-compose's two workers. The scheduler runs the
ingestion DAGs and the asset-triggered build on the worker, to success."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time

import pytest

from monitor_dordt_west import config
from monitor_dordt_west.orchestration import components
from tests import handmade
from tests.conftest import _free_port, query

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        shutil.which("redis-server") is None and not os.environ.get("MDW_REQUIRE_SYSTEM_PACKAGES"),
        reason="redis-server missing (Debian: apt-get install redis-server; .ci/run installs it)",
    ),
]


@pytest.fixture
def redis_url(tmp_path):
    port, password = _free_port(), secrets.token_hex(16)
    conf = tmp_path / "redis.conf"  # the password in a 0600 file, not on the command line
    conf.write_text(f'bind 127.0.0.1\nport {port}\nrequirepass {password}\nsave ""\nappendonly no\ndir {tmp_path}\n')
    conf.chmod(0o600)
    server = subprocess.Popen(["redis-server", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while (
        subprocess.run(
            ["redis-cli", "-p", str(port), "--no-auth-warning", "-a", password, "ping"], capture_output=True, text=True
        ).stdout.strip()
        != "PONG"
    ):
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.2)
    yield f"redis://:{password}@127.0.0.1:{port}/0"
    server.terminate()
    server.wait(10)


def test_a_celery_worker_runs_the_ingest_and_the_asset_triggered_build(
    redis_url, fresh_db, airflow_metadata, landing, dbt_manifest, airflow_home, monkeypatch
):
    monkeypatch.setenv(components.PORT_ENV, str(_free_port()))
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "CeleryExecutor")
    monkeypatch.setenv("AIRFLOW__CELERY__BROKER_URL", redis_url)
    handmade.write_landing(landing)
    t0 = time.monotonic()
    try:
        runs = components.drive(fresh_db, [], t0, out=print, timeout_s=900, workers=[components.CELERY_WORKER])
        elapsed = time.monotonic() - t0
        api = components.Api.login()
        build = runs["build_warehouse"][0]
        ingest = runs["ingest_politie"][0]
        build_tis = api.task_instances("build_warehouse", build["dag_run_id"])
        ingest_tis = api.task_instances("ingest_politie", ingest["dag_run_id"])
    finally:
        components.stop()
    assert ingest["state"] == "success" and ingest["run_type"] == "scheduled"
    assert build["state"] == "success" and build["run_type"] == "asset_triggered"
    # each task on its queue, run by the Celery worker (its log names every task it ran)
    assert {t["queue"] for t in ingest_tis} == {"ingest"}
    assert {t["queue"] for t in build_tis} == {"dbt"}
    worker_log = (config.paths().home / "logs" / "airflow" / f"{components.CELERY_WORKER}.log").read_text()
    assert "load_misdrijven" in worker_log and "dbt_producer_watcher" in worker_log
    assert query(fresh_db, "SELECT status FROM mdw_meta.warehouse_build") == [("published",)]
    handmade.assert_expected(handmade.fact_values(fresh_db))
    print(f"Celery: ingest and build through the scheduler in {elapsed:.0f} s")
