"""End to end through Airflow's own scheduler, as production runs it: scheduler, dag-processor,
triggerer and api-server against a PostgreSQL metadata database, the real DAGs unpaused, a
hand-made landing folder, and no ``airflow dags test``. Values as worked out by hand
(tests/handmade.py)."""

from __future__ import annotations

import os
import time
from datetime import date

import pytest

from monitor_dordt_west import config
from monitor_dordt_west.orchestration import components
from monitor_dordt_west.publication.content import PILLARS
from monitor_dordt_west.quarters import Quarter
from tests import browser, handmade
from tests.conftest import _free_port, query

pytestmark = pytest.mark.e2e


@pytest.fixture
def airflow_running(fresh_db, airflow_metadata, landing, dbt_manifest, airflow_home, monkeypatch):
    monkeypatch.setenv(components.PORT_ENV, str(_free_port()))
    return fresh_db  # airflow_metadata stops the components after the test


def test_the_scheduler_loads_builds_and_publishes_on_its_own(airflow_running, landing, tmp_path, monkeypatch):
    tgt = airflow_running
    monkeypatch.setenv("MDW_PUBLICATIONS_DIR", str(tmp_path / "publicaties"))
    handmade.write_full_year(landing)  # OCD population 2024 and twelve months of police files
    lines: list[str] = []
    t0 = time.monotonic()
    runs = components.drive(tgt, [Quarter.parse("2024-Q4")], t0, out=lines.append, timeout_s=900)
    elapsed = time.monotonic() - t0

    # the ingestion DAGs ran on their schedule (the first start of a daily DAG: its latest
    # interval), the build on their assets, the publication of 2024-Q4 on request
    assert {r["run_type"] for r in runs["ingest_ocd"]} == {"scheduled"}
    assert {r["run_type"] for r in runs["ingest_politie"]} == {"scheduled"}
    assert [r["state"] for r in runs["ingest_ocd"] + runs["ingest_politie"]] == ["success", "success"]
    builds = runs["build_warehouse"]
    assert {r["run_type"] for r in builds} == {"asset_triggered"}
    assert all(r["state"] == "success" for r in builds)
    # one build built; a later asset event's run found nothing new and skipped
    assert query(tgt, "SELECT status, airflow_run_id IS NOT NULL FROM mdw_meta.warehouse_build") == [
        ("published", True)
    ]
    by_quarter = {r["logical_date"][:10]: r for r in runs["publish_quarter"]}
    assert by_quarter["2025-01-16"]["run_type"] == "manual"
    assert by_quarter["2025-01-16"]["state"] == "success"
    # the scheduled publication of the last quarter (the first start of the DAG) has no figures of
    # that quarter in this warehouse: it fails with the reason, and publishes nothing
    last = Quarter.last_published(date.today())
    scheduled = [r for r in runs["publish_quarter"] if r["run_type"] == "scheduled"]
    assert [r["state"] for r in scheduled] == ["failed"]
    assert query(tgt, "SELECT kwartaal, pijler, versie FROM mdw_meta.publicatie ORDER BY pijler") == [
        ("2024-Q4", p, 1) for p in sorted(PILLARS)
    ]
    assert query(tgt, "SELECT count(*) FROM mdw_meta.publicatie_bestand") == [(20,)]

    # no secret in the components' logs: the UI password is not printed (it was generated before)
    logs = "".join(p.read_text() for p in (config.paths().home / "logs" / "airflow").glob("*.log"))
    assert components.admin_password() not in logs and "Password for user" not in logs

    # every listener of the components on 127.0.0.1 (the api-server; no log servers)
    listening = listeners()
    assert listening and {ip for ip, _ in listening} == {"127.0.0.1"}, listening
    assert {p for _, p in listening} == {int(os.environ[components.PORT_ENV])}

    # the run types as the metadata database has them
    api = components.Api.login()
    assert api.dag("build_warehouse")["is_paused"] is False

    # the values, worked out by hand
    values = handmade.fact_values(tgt)
    handmade.assert_expected(values)
    # the year 2024 is complete: Dordrecht 6 + 9 = 15 crimes among its 3,000 inhabitants, 50 per 10,000
    assert values[("pol_misdrijven_per_10k", handmade.GM, "2024")] == (50, 15, 3000)

    # every DAG run and state change was reported once, with the time since the start
    assert any("build_warehouse" in line and "running → success" in line for line in lines)
    assert len(lines) == len(set(lines))
    assert all(line.startswith("[") and " s] " in line for line in lines)

    # every task's log is where the api-server reads it, and says what it did
    ingest = runs["ingest_politie"][0]["dag_run_id"]
    log = api.call("GET", f"dags/ingest_politie/dagRuns/{ingest}/taskInstances/load_misdrijven/logs/1")
    text = str(log)
    assert "POL_misdrijven_202401.csv: 3 rijen geladen als levering" in text
    assert "Skipping registering function" not in text
    failed_log = str(
        api.call(
            "GET",
            f"dags/publish_quarter/dagRuns/{scheduled[0]['dag_run_id']}/taskInstances/check_quarter_complete/logs/1",
        )
    )
    assert f"Kwartaal {last.code}: het warehouse heeft nog geen cijfers" in failed_log

    # the build: a task per model that ran in the triggerer (dbt_watchers), no task process, and
    # says what dbt did with its model
    build = builds[0]["dag_run_id"]
    model = "dbt.int_reeks__tellingen_run"
    model_ti = api.call("GET", f"dags/build_warehouse/dagRuns/{build}/taskInstances/{model}")
    assert model_ti["state"] == "success" and not model_ti["pid"], model_ti
    model_log = str(api.call("GET", f"dags/build_warehouse/dagRuns/{build}/taskInstances/{model}/logs/1"))
    assert "model.monitor_dordt_west.int_reeks__tellingen: success in de dbt-build" in model_log
    assert "SELECT " in model_log  # dbt's message: the rows it wrote
    triggerer_log = (config.paths().home / "logs" / "airflow" / "triggerer.log").read_text()
    assert "execution API built ahead" in triggerer_log
    print(f"scheduler end to end: {elapsed:.0f} s")

    # the same Airflow in a real browser (headless Chromium): the DAG list, docs, a run, a log
    if not browser.available():
        assert not os.environ.get("MDW_REQUIRE_SYSTEM_PACKAGES"), "chromium missing"
        pytest.skip("chromium missing (Debian: apt-get install chromium; .ci/run installs it)")
    shots = browser.check_ui(
        components.ui_url(),
        components.admin_password(),
        sorted(runs),
        {d["dag_id"]: [t["name"] for t in d["tags"]] for d in api.dags()},
        ingest,
    )
    print("screenshots in", browser.artefacts(), shots)


def listeners() -> set[tuple[str, int]]:
    """(address, port) of every socket the running components (and their children) listen on."""
    import psutil

    pids = set()
    for name in components.running():
        proc = psutil.Process(components.pid(name))
        pids |= {proc.pid, *(c.pid for c in proc.children(recursive=True))}
    return {
        (c.laddr.ip, c.laddr.port)
        for c in psutil.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN and c.pid in pids
    }
