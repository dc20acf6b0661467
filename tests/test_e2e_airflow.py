"""End to end: the real DAGs (``airflow dags test``, one task at a time) on hand-made deliveries, against
the embedded PostgreSQL, checked against values worked out by hand (tests/handmade.py)."""

from __future__ import annotations

import pytest

from monitor_dordt_west.orchestration import airflow_env
from monitor_dordt_west.warehouse import builds
from tests import handmade
from tests.conftest import query

pytestmark = pytest.mark.e2e


def test_a_failing_dbt_test_fails_the_build_dag_and_keeps_the_marts(handmade_db, dbt_manifest, airflow_home):
    """``airflow dags test build_warehouse`` (one task at a time) on a corrupted load: the one
    ``dbt build`` fails on the test, the models dbt skipped show as failed, record_failed_build
    says which test on which rows and fails the run; the published schemas stay exactly as they
    were; publishing is refused. (Loading and building through the scheduler, with the values
    worked out by hand: tests/test_scheduler_e2e.py.)"""
    fresh_db = handmade_db  # loaded and built from handmade.write_landing
    airflow_env.ensure_metadata_db(fresh_db)
    before = handmade.checksums(fresh_db)
    handmade.corrupt(fresh_db, "raw_politie.misdrijven", "registratienummer = 'PL1700-2024000001'")
    result = airflow_env.run_airflow(["dags", "test", "build_warehouse"], fresh_db, check=False, capture=True)
    log = result.stdout + result.stderr
    assert "state=failed" in log, log[-4000:]
    ((status, failure),) = query(
        fresh_db,
        "SELECT status, failure FROM mdw_meta.warehouse_build WHERE build_id = (SELECT max(build_id) FROM mdw_meta.warehouse_build)",
    )
    assert status == "failed"
    assert (
        "test unique_stg_politie__misdrijven_registratienummer op stg_politie__misdrijven.registratienummer: 1 foute rij(en)"
        in failure
    )
    assert "unique_field=PL1700-2024000001, n_records=2" in failure
    # the one dbt build failed; the models built on the crimes were skipped by dbt: failed in the UI
    failed_tasks = failure.split("Mislukte Airflow-taken (zie hun log): ")[1].split("\n")[0].split(", ")
    assert "dbt.dbt_producer_watcher" in failed_tasks
    assert "dbt.int_politie__gebeurtenissen_run" in failed_tasks
    assert "dbt.stg_politie__misdrijven_run" not in failed_tasks  # the model itself was built
    assert failure.splitlines()[1] in log  # the task log of record_failed_build says it too
    assert handmade.checksums(fresh_db) == before
    with pytest.raises(builds.NotPublishable, match="de laatste build is mislukt"):
        builds.check_publishable(fresh_db)


def test_a_refused_delivery_fails_the_ingest_dag_with_the_reason(fresh_db, landing, dbt_manifest, airflow_home):
    from tests.deliveries import MISDRIJVEN_HEADER, politie

    politie(
        landing,
        "POL_misdrijven_202402.csv",
        MISDRIJVEN_HEADER,
        [["PL1700-2024000001", "31-02-2024", "", "A20", "x", ""]],
    )
    airflow_env.ensure_metadata_db(fresh_db)
    result = airflow_env.run_airflow(["dags", "test", "ingest_politie"], fresh_db, check=False, capture=True)
    out = result.stdout + result.stderr
    assert "kolom Registratiedatum: 1 regel(s) niet zoals verwacht (een geldige datum in het formaat dd-mm-jjjj)" in out
    assert "state=failed" in out
    assert query(fresh_db, "SELECT status FROM mdw_meta.load_ledger") == [("quarantined",)]


def test_publish_quarter_dag_makes_the_five_pillar_publications(
    full_year_db, landing, dbt_manifest, airflow_home, tmp_path, monkeypatch
):
    """The quarterly DAG on its timetable's manual interval: a run dated 20 January 2025
    publishes 2024-Q4 for every pillar, into the register and the publications folder."""
    from monitor_dordt_west.orchestration import pipeline
    from monitor_dordt_west.publication.content import PILLARS, slug

    monkeypatch.setenv("MDW_PUBLICATIONS_DIR", str(tmp_path / "publicaties"))
    fresh_db = full_year_db  # loaded and built from handmade.write_full_year
    airflow_env.ensure_metadata_db(fresh_db)
    result = airflow_env.run_airflow(
        ["dags", "test", "publish_quarter", "2025-01-20"], fresh_db, check=False, capture=True
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0 and "state=success" in log, log[-4000:]
    register = query(fresh_db, "SELECT kwartaal, pijler, versie FROM mdw_meta.publicatie ORDER BY pijler")
    assert register == [("2024-Q4", p, 1) for p in sorted(PILLARS)]
    for pillar in PILLARS:
        folder = tmp_path / "publicaties" / "2024-Q4" / slug(pillar) / "v1"
        assert sorted(f.suffix for f in folder.iterdir()) == [".csv", ".parquet", ".pdf", ".xlsx"]
        # made to be sent: readable, although Airflow runs with umask 077
        assert {oct(f.stat().st_mode & 0o777) for f in folder.iterdir()} == {"0o644"}
        assert oct(folder.stat().st_mode & 0o777) == oct(folder.parent.stat().st_mode & 0o777) == "0o755"
    assert query(fresh_db, "SELECT count(*) FROM mdw_meta.publicatie_bestand") == [(20,)]

    # a delivery loaded after the last build: the DAG refuses to publish until the warehouse is built
    from tests.deliveries import MISDRIJVEN_HEADER, politie

    politie(landing, "POL_misdrijven_202501.csv", MISDRIJVEN_HEADER, [["PL1700-2025000001", "06-01-2025", "", "C40", "Vernieling", "BU05050100"]])  # fmt: skip
    assert pipeline.run(fresh_db, landing, build=False).ok
    # loaded five minutes ago and no ingestion or build underway: no build is coming, so the DAG
    # does not wait for one (tasks.BUILD_GRACE) but fails with the reason
    query(fresh_db, "UPDATE mdw_meta.load_ledger SET loaded_at = loaded_at - interval '5 minutes' "
          "WHERE file_name = 'POL_misdrijven_202501.csv' RETURNING 1")  # fmt: skip
    result = airflow_env.run_airflow(
        ["dags", "test", "publish_quarter", "2025-01-21"], fresh_db, check=False, capture=True
    )
    log = result.stdout + result.stderr
    assert "state=failed" in log
    assert "Publiceren geweigerd: de marts zijn ouder dan de nieuwste levering" in log
    assert "POL_misdrijven_202501.csv" in log
    assert query(fresh_db, "SELECT count(*) FROM mdw_meta.publicatie") == [(5,)]
