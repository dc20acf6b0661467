"""End to end: the real DAGs (``airflow dags test``) on a hand-made landing folder, against
the embedded PostgreSQL, checked against values worked out by hand (tests/handmade.py)."""

from __future__ import annotations

import pytest

from monitor_dordt_west.orchestration import airflow_env
from monitor_dordt_west.warehouse import builds
from tests import handmade
from tests.conftest import query

pytestmark = pytest.mark.e2e


def test_real_dags_build_the_hand_computed_indicators(fresh_db, landing, dbt_manifest, airflow_home):
    handmade.write_landing(landing)
    airflow_env.ensure_metadata_db(fresh_db)
    for dag_id in ("ingest_ocd", "ingest_politie", "build_warehouse"):
        result = airflow_env.run_airflow(["dags", "test", dag_id], fresh_db, check=False, capture=True)
        assert result.returncode == 0, f"{dag_id} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        assert "state=success" in result.stdout + result.stderr, f"{dag_id} did not succeed"

    values = handmade.fact_values(fresh_db)
    handmade.assert_expected(values)
    # only complete periods: Q1 2024 is complete, the year 2024 (3 of 12 months) is not
    assert not [k for k in values if k[2] == "2024"]
    assert {k[2] for k in values} == {"2024-Q1"}
    # provenance: every value names the deliveries it came from
    (deliveries,) = query(
        fresh_db,
        "SELECT leveringen FROM marts.fct_indicator_values WHERE indicator_code = "
        "'pol_misdrijven_per_10k' AND gebiedscode = 'FG0505DW'",
    )[0]
    files = query(
        fresh_db, "SELECT file_name FROM mdw_meta.load_ledger WHERE delivery_id = ANY(%s) ORDER BY 1", (deliveries,)
    )
    assert [f for (f,) in files] == [
        "OCD_bevolking_2024.csv",
        "POL_misdrijven_202401.csv",
        "POL_misdrijven_202402.csv",
        "POL_misdrijven_202403.csv",
    ]
    assert query(fresh_db, "SELECT DISTINCT status FROM marts.fct_indicator_values") == [("voorlopig",)]

    # write-audit-publish in Airflow: the build was registered and swapped in, nothing left over
    assert query(fresh_db, "SELECT status, airflow_run_id IS NOT NULL FROM mdw_meta.warehouse_build") == [
        ("published", True)
    ]
    assert query(fresh_db, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE '%%\\_\\_build'") == [(0,)]
    # a corrupted load: the dbt test fails, record_failed_build says which test on which rows and
    # fails the run; the published schemas stay exactly as they were; publishing is refused
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
    assert "Mislukte Airflow-taken (zie hun log): dbt.stg_politie__misdrijven.test" in failure
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
    result = airflow_env.run_airflow(
        ["dags", "test", "publish_quarter", "2025-01-21"], fresh_db, check=False, capture=True
    )
    log = result.stdout + result.stderr
    assert "state=failed" in log
    assert "Publiceren geweigerd: de marts zijn ouder dan de nieuwste levering" in log
    assert "POL_misdrijven_202501.csv" in log
    assert query(fresh_db, "SELECT count(*) FROM mdw_meta.publicatie") == [(5,)]
