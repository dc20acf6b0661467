"""The pipeline without Airflow (``mdw run``: same code as the DAGs), dbt build with all data
and unit tests, re-runs and corrections — on the hand-made deliveries of tests/handmade.py."""

from __future__ import annotations

import shutil

from monitor_dordt_west import config, pipeline
from tests import handmade
from tests.conftest import query
from tests.deliveries import MISDRIJVEN_HEADER, politie

FACT = "SELECT * FROM marts.fct_indicator_values ORDER BY indicator_code, gebiedscode, periode_code"


def test_build_rerun_and_correction(fresh_db, landing):
    handmade.write_landing(landing)
    first = pipeline.run(fresh_db, landing)
    assert first.ok, [r.message for r in first.rejected]
    handmade.assert_expected(handmade.fact_values(fresh_db))
    snapshot = query(fresh_db, FACT)

    # Re-running with every file delivered again byte-identically changes nothing.
    for archived in (config.paths().archive).rglob("*.csv"):
        dest = landing / archived.parent.name / archived.name.split("__", 1)[1]
        shutil.copy(archived, dest)
    again = pipeline.run(fresh_db, landing)
    assert again.ok and {o.status for o in again.outcomes} == {"unchanged"}
    assert query(fresh_db, FACT) == snapshot

    # A correction of February without the street robbery replaces February completely.
    politie(landing, "POL_misdrijven_202402.csv", MISDRIJVEN_HEADER, handmade.MISDRIJVEN[2][1:])
    corrected = pipeline.run(fresh_db, landing)
    assert corrected.ok
    (loaded,) = [o for o in corrected.outcomes if o.status == "loaded"]
    values = handmade.fact_values(fresh_db)
    assert values[("pol_hic_per_10k", handmade.GM, "2024-Q1")][:2] == (10.0, 3.0)  # 3 HIC / 3000 × 10.000
    assert values[("pol_misdrijven", handmade.GM, "2024-Q1")][0] == 5.0
    assert values[("pol_straatroof_overval_per_10k", handmade.CRABBEHOF, "2024-Q1")][:2] == (0.0, 0.0)
    leveringen = query(
        fresh_db,
        "SELECT leveringen FROM marts.fct_indicator_values WHERE indicator_code = "
        "'pol_misdrijven' AND gebiedscode = 'GM0505'",
    )[0][0]
    assert loaded.delivery_id in leveringen and set(loaded.replaced).isdisjoint(leveringen)


def test_warehouse_documents_itself_in_postgres(fresh_db, landing):
    """persist_docs: an analyst finds grain and definitions with SQL alone."""
    handmade.write_landing(landing)
    assert pipeline.run(fresh_db, landing).ok
    table_doc = query(fresh_db, "SELECT obj_description('marts.fct_indicator_values'::regclass)")[0][0]
    assert "One row per indicator × area × period" in table_doc
    col_doc = query(fresh_db, "SELECT col_description('marts.fct_indicator_values'::regclass, 9)")[0][0]
    assert "deliveries" in col_doc
    assert query(fresh_db, "SELECT count(*) FROM marts.dim_area WHERE niveau = 'buurt'")[0][0] == 132
    assert query(fresh_db, "SELECT count(*) FROM marts.dim_area WHERE niveau = 'wijk'")[0][0] == 13
    assert query(fresh_db, "SELECT gebiedsnaam FROM marts.dim_area WHERE gebiedscode = 'FG0505DW'") == [("Dordt West",)]
