"""The pipeline without Airflow (``mdw run``: same code as the DAGs), dbt build with all data
and unit tests, re-runs and corrections — on the hand-made deliveries of tests/handmade.py."""

from __future__ import annotations

import shutil
from pathlib import Path

from monitor_dordt_west import config
from monitor_dordt_west.orchestration import pipeline
from tests import handmade
from tests.conftest import query
from tests.deliveries import MISDRIJVEN_HEADER, politie

FACT = "SELECT * FROM marts.fct_indicator_values ORDER BY indicator_code, gebiedscode, periode_code"


def test_build_rerun_and_correction(handmade_db, landing):
    fresh_db = handmade_db  # loaded and built from handmade.write_landing (the fixture asserts it went well)
    handmade.assert_expected(handmade.fact_values(fresh_db))
    snapshot = query(fresh_db, FACT)

    # Re-running with every file delivered again byte-identically changes nothing.
    for (stored,) in query(fresh_db, "SELECT stored_as FROM mdw_meta.load_ledger WHERE status = 'loaded'"):
        archived = Path(stored)
        dest = landing / archived.parent.name / archived.name.split("__", 1)[1]
        dest.parent.mkdir(exist_ok=True)
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


def test_warehouse_documents_itself_in_postgres(handmade_db):
    """persist_docs: an analyst finds grain and definitions with SQL alone."""
    fresh_db = handmade_db
    table_doc = query(fresh_db, "SELECT obj_description('marts.fct_indicator_values'::regclass)")[0][0]
    assert "One row per indicator × area × period" in table_doc
    col_doc = query(fresh_db, "SELECT col_description('marts.fct_indicator_values'::regclass, 9)")[0][0]
    assert "deliveries" in col_doc
    assert query(fresh_db, "SELECT count(*) FROM marts.dim_area WHERE niveau = 'buurt'")[0][0] == 132
    assert query(fresh_db, "SELECT count(*) FROM marts.dim_area WHERE niveau = 'wijk'")[0][0] == 13
    assert query(fresh_db, "SELECT gebiedsnaam FROM marts.dim_area WHERE gebiedscode = 'FG0505DW'") == [("Dordt West",)]


def test_catalogue_nulmeting_and_progress_in_the_warehouse(handmade_db):
    """An analyst finds definition, source, provenance, baseline and conflicts with SQL alone."""
    import csv

    fresh_db = handmade_db
    (row,) = query(
        fresh_db,
        "SELECT naam, pijler, eenheid, richting, bron_bestand, herkomst_sectie, herkomst_rijlabel, "
        "doel_type FROM marts.dim_indicator WHERE indicator_code = 'pol_hic_per_10k'",
    )
    assert row == (
        "High impact crimes (per 10.000 inwoners)",
        "Leefbaar en veilig",
        "per 10.000 inwoners",
        "lager is beter",
        "POL_misdrijven_JJJJMM.csv; OCD_bevolking_JJJJ.csv",
        "Overzicht indicatoren NPDW / Leefbaar en veilig",
        "High impact crimes (per 10.000 inwoners)",
        "gelijk_aan_dordrecht",
    )
    # every printed indicator × area (and Buurtwerk's figures) has one baseline row
    pairs = set()
    for name in ("nulmeting_bijlage3.csv", "nulmeting_buurtwerk.csv"):
        with open(config.SEEDS_DIR / name, encoding="utf-8") as fh:
            pairs |= {(r["indicator_code"], r["gebied"]) for r in csv.DictReader(fh)}
    assert query(fresh_db, "SELECT count(*) FROM marts.fct_nulmeting")[0][0] == len(pairs)
    # the conflicts of Bijlage 3 (13 indicators, 52 indicator × area pairs; tests/test_catalogue.py) are decided
    assert query(
        fresh_db,
        "SELECT count(*), count(DISTINCT indicator_code), count(besluit) FROM marts.fct_nulmeting "
        "WHERE conflict IS NOT NULL",
    ) == [(52, 13, 52)]
    # the decided copy holds: Wielwijk 30 % without startkwalificatie (chapter 1), not the Kernindicatoren 18 %
    assert query(
        fresh_db,
        "SELECT waarde, sectie FROM marts.fct_nulmeting WHERE indicator_code = "
        "'zonder_startkwalificatie' AND gebiedscode = 'WK050507'",
    ) == [(30, "Overzicht indicatoren NPDW / Leren en ontwikkelen")]
    # progress: Q1 2024 exists for the programme areas; a quarterly rate is not compared with an annual
    # baseline; Wielwijk has no inhabitants in the hand-made population file, so no value: "geen data"
    status = dict(
        query(
            fresh_db,
            "SELECT gebiedscode, status FROM marts.fct_indicator_voortgang "
            "WHERE indicator_code = 'pol_hic_per_10k' AND periode_code = '2024-Q1'",
        )
    )
    assert status == {
        "GM0505": "niet vergelijkbaar",
        "FG0505DW": "niet vergelijkbaar",
        "WK050503": "niet vergelijkbaar",
        "WK050504": "niet vergelijkbaar",
        "WK050507": "geen data",
        "WK050508": "niet vergelijkbaar",
    }
    # a share can be compared per quarter: Dordt West 33,3 % youth nuisance; no printed DW baseline and
    # no 2023 delivery, so no baseline: "geen data"; Oud-Krispijn (baseline 24,0 % in 2023, Dordrecht
    # 40 % in Q1 2024): path 24 + (40 - 24) x 0.25 / 20 = 24.2, value 2/2 incidents = 50 % -> behind
    rows = dict(
        query(
            fresh_db,
            "SELECT gebiedscode, status FROM marts.fct_indicator_voortgang WHERE "
            "indicator_code = 'pol_aandeel_overlast_jeugd' AND periode_code = '2024-Q1'",
        )
    )
    assert rows["FG0505DW"] == "geen data"
    (ok,) = query(
        fresh_db,
        "SELECT waarde, padwaarde, status FROM marts.fct_indicator_voortgang WHERE "
        "indicator_code = 'pol_aandeel_overlast_jeugd' AND gebiedscode = 'WK050503' "
        "AND periode_code = '2024-Q1'",
    )
    assert (float(ok[0]), float(ok[1]), ok[2]) == (50.0, 24.2, "niet op koers")


def test_every_column_of_the_warehouse_models_is_documented_in_postgres(handmade_db):
    fresh_db = handmade_db
    undocumented = query(
        fresh_db,
        """
        SELECT c.table_schema || '.' || c.table_name || '.' || c.column_name
        FROM information_schema.columns AS c
        JOIN pg_namespace AS n ON n.nspname = c.table_schema
        JOIN pg_class AS k ON k.relnamespace = n.oid AND k.relname = c.table_name
        WHERE c.table_schema IN ('staging', 'intermediate', 'marts')
          AND col_description(k.oid, c.ordinal_position) IS NULL""",
    )
    assert undocumented == []
    no_comment = query(
        fresh_db,
        """
        SELECT n.nspname || '.' || c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('staging', 'intermediate', 'marts', 'reference', 'raw_politie', 'raw_ocd', 'mdw_meta')
          AND c.relkind IN ('r', 'v', 'p') AND NOT c.relispartition AND obj_description(c.oid) IS NULL""",
    )
    assert no_comment == []
