"""A small hand-made landing folder (2024 Q1) and the indicator values worked out by hand.

Population on 1-1-2024 (OCD_bevolking_2024):
  BU05050300 Oud-Krispijn (Dordt West)       age 10: 300, age 30: 700  -> 1000 (0-24: 300)
  BU05050401 Nieuw-Krispijn (Dordt West)     age 20: 200, age 50: 300  ->  500 (0-24: 200)
  BU05050802 Zuidhoven (wijk Crabbehof, NOT Dordt West) age 40: 400    ->  400 (0-24:   0)
  BU05050100 Binnenstad                      age 24: 100, age 25: 1000 -> 1100 (0-24: 100)
  Dordrecht 3000 (0-24: 600); Dordt West 1500 (0-24: 500).

Crimes (registration date decides the period; 05-01-2024 is 5 January):
  1 05-01 A20 woninginbraak   BU05050300   (HIC)
  2 12-01 F550 mishandeling   BU05050401   (geweld, HIC)
  3 31-01 A72 fietsdiefstal   no buurt     (Dordrecht only)
  4 01-02 B70 straatroof      BU05050802   (straatroof/overval, HIC; Crabbehof but not Dordt West)
  5 29-02 C40 vernieling      BU05050100
  6 15-03 F530 bedreiging     BU05050300   (geweld, HIC)
Incidents: 1 E33 BU05050300; 2 jeugd BU05050300; 3 E33 no buurt; 4 jeugd BU05050100; 5 burenruzie BU05050401.
Suspects (<25 = 2024 minus birth year below 25): V1 born 2005 in BU05050300 twice (counts once),
  V2 born 1999 (25: not counted), V3 born 2010 without woonbuurt (not counted), V4 born 2001 in BU05050100.
"""

from __future__ import annotations

from pathlib import Path

from monitor_dordt_west import programme
from tests.deliveries import INCIDENTEN_HEADER, MISDRIJVEN_HEADER, VERDACHTEN_HEADER, ocd_bevolking, politie

GM, DW = programme.MUNICIPALITY, programme.FOCUS_AREA
OUD_KRISPIJN, NIEUW_KRISPIJN, _WIELWIJK, CRABBEHOF = programme.FOCUS_WIJKEN

MISDRIJVEN = {
    1: [
        ["PL1700-2024000001", "05-01-2024", "04-01-2024", "A20", "Gekwal. Diefstal in/uit woning", "BU05050300"],
        ["PL1700-2024000002", "12-01-2024", "", "F550", "Eenvoudige mishandeling", "BU05050401"],
        ["PL1700-2024000003", "31-01-2024", "", "A72", "Diefstal fiets", ""],
    ],
    2: [
        ["PL1700-2024000004", "01-02-2024", "01-02-2024", "B70", "Straatroof", "BU05050802"],
        ["PL1700-2024000005", "29-02-2024", "", "C40", "Vernieling overige objecten", "BU05050100"],
    ],
    3: [["PL1700-2024000006", "15-03-2024", "", "F530", "Bedreiging", "BU05050300"]],
}
INCIDENTEN = {
    1: [
        ["I1", "05-01-2024", "E33", "overlast verward persoon", "BU05050300"],
        ["I2", "06-01-2024", "E30", "overlast jeugd", "BU05050300"],
    ],
    2: [
        ["I3", "10-02-2024", "E33", "overlast verward persoon", ""],
        ["I4", "11-02-2024", "E17", "overlast jeugd", "BU05050100"],
    ],
    3: [["I5", "20-03-2024", "E35", "burenruzie", "BU05050401"]],
}
VERDACHTEN = {
    1: [
        ["PL1700-2024000001", "V1", "2005", "BU05050300", "05-01-2024"],
        ["PL1700-2024000002", "V2", "1999", "BU05050401", "12-01-2024"],
    ],
    2: [
        ["PL1700-2024000004", "V1", "2005", "BU05050300", "01-02-2024"],
        ["PL1700-2024000005", "V3", "2010", "", "29-02-2024"],
    ],
    3: [["PL1700-2024000006", "V4", "2001", "BU05050100", "15-03-2024"]],
}
BEVOLKING = [
    ("BU05050300", 10, 300),
    ("BU05050300", 30, 700),
    ("BU05050401", 20, 200),
    ("BU05050401", 50, 300),
    ("BU05050802", 40, 400),
    ("BU05050100", 24, 100),
    ("BU05050100", 25, 1000),
]

# (indicator, area, period) -> (value, numerator, denominator), worked out by hand from the above
EXPECTED = {
    ("pol_misdrijven", GM, "2024-Q1"): (6, 6, None),
    ("pol_misdrijven", DW, "2024-Q1"): (3, 3, None),
    ("pol_misdrijven", OUD_KRISPIJN, "2024-Q1"): (2, 2, None),
    ("pol_misdrijven_per_10k", GM, "2024-Q1"): (20, 6, 3000),
    ("pol_misdrijven_per_10k", DW, "2024-Q1"): (20, 3, 1500),
    ("pol_misdrijven_per_10k", CRABBEHOF, "2024-Q1"): (25, 1, 400),
    ("pol_woninginbraak_per_10k", GM, "2024-Q1"): (3.333333, 1, 3000),
    ("pol_woninginbraak_per_10k", DW, "2024-Q1"): (6.666667, 1, 1500),
    ("pol_geweld_per_10k", GM, "2024-Q1"): (6.666667, 2, 3000),
    ("pol_geweld_per_10k", DW, "2024-Q1"): (13.333333, 2, 1500),
    ("pol_geweld_per_10k", NIEUW_KRISPIJN, "2024-Q1"): (20, 1, 500),
    ("pol_straatroof_overval_per_10k", GM, "2024-Q1"): (3.333333, 1, 3000),
    ("pol_straatroof_overval_per_10k", DW, "2024-Q1"): (0, 0, 1500),
    ("pol_straatroof_overval_per_10k", CRABBEHOF, "2024-Q1"): (25, 1, 400),
    ("pol_hic_per_10k", GM, "2024-Q1"): (13.333333, 4, 3000),
    ("pol_hic_per_10k", DW, "2024-Q1"): (20, 3, 1500),
    ("pol_e33_meldingen", GM, "2024-Q1"): (2, 2, None),
    ("pol_e33_meldingen", DW, "2024-Q1"): (1, 1, None),
    ("pol_overlast_per_10k", GM, "2024-Q1"): (16.666667, 5, 3000),
    ("pol_overlast_per_10k", DW, "2024-Q1"): (20, 3, 1500),
    ("pol_aandeel_overlast_jeugd", GM, "2024-Q1"): (40, 2, 5),
    ("pol_aandeel_overlast_jeugd", DW, "2024-Q1"): (33.333333, 1, 3),
    ("pol_verdachten_jong_per_1k", GM, "2024-Q1"): (3.333333, 2, 600),
    ("pol_verdachten_jong_per_1k", DW, "2024-Q1"): (2, 1, 500),
}


def write_landing(folder: Path) -> None:
    ocd_bevolking(folder, 2024, BEVOLKING)
    for month in (1, 2, 3):
        politie(folder, f"POL_misdrijven_2024{month:02d}.csv", MISDRIJVEN_HEADER, MISDRIJVEN[month])
        politie(folder, f"POL_incidenten_2024{month:02d}.csv", INCIDENTEN_HEADER, INCIDENTEN[month])
        politie(folder, f"POL_verdachten_2024{month:02d}.csv", VERDACHTEN_HEADER, VERDACHTEN[month])


def fact_values(tgt) -> dict:
    from tests.conftest import query

    rows = query(
        tgt, "SELECT indicator_code, gebiedscode, periode_code, waarde, teller, noemer FROM marts.fct_indicator_values"
    )
    return {(r[0], r[1], r[2]): tuple(None if v is None else float(v) for v in r[3:]) for r in rows}


def assert_expected(values: dict) -> None:
    for key, (value, num, den) in EXPECTED.items():
        assert key in values, f"missing {key}"
        got = values[key]
        assert got[0] == pytest_approx(value), f"{key}: value {got[0]} != {value}"
        assert got[1] == num, f"{key}: numerator {got[1]} != {num}"
        assert got[2] == (None if den is None else float(den)), f"{key}: denominator {got[2]} != {den}"


def pytest_approx(v):
    import pytest

    return pytest.approx(v, abs=1e-6)


def write_full_year(folder: Path) -> None:
    """The same deliveries, plus April–December with one record a month outside the programme
    wijken (Binnenstad, BU05050100): a vandalism, a neighbour dispute and its suspect, born 1980.
    So the year 2024 is complete: Dordrecht 6 + 9 = 15 crimes and 5 + 9 = 14 incidents, Dordt
    West and its wijken only those of the first quarter; young suspects: V1 and V4 (2)."""
    write_landing(folder)
    for month in range(4, 13):
        reg, day = f"PL1700-2024{month:04d}01", f"15-{month:02d}-2024"
        politie(folder, f"POL_misdrijven_2024{month:02d}.csv", MISDRIJVEN_HEADER,
                [[reg, day, "", "C40", "Vernieling overige objecten", "BU05050100"]])  # fmt: skip
        politie(folder, f"POL_incidenten_2024{month:02d}.csv", INCIDENTEN_HEADER,
                [[f"I{month:02d}01", day, "E35", "burenruzie", "BU05050100"]])  # fmt: skip
        politie(folder, f"POL_verdachten_2024{month:02d}.csv", VERDACHTEN_HEADER,
                [[reg, f"V9{month:02d}", "1980", "BU05050100", day]])  # fmt: skip


# --------------------------------------------------------------------------- write-audit-publish

DBT_SCHEMAS = ("reference", "staging", "intermediate", "marts")


def checksums(tgt) -> dict[str, tuple[int, str]]:
    """Per relation of the dbt schemas: its oid (the very object) and the md5 of its rows (of its
    definition for a view: staging's views read the raw tables as they are)."""
    from tests.conftest import query

    relations = query(
        tgt,
        "SELECT c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relkind FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'v', 'p') "
        "ORDER BY 2",
        (list(DBT_SCHEMAS),),
    )
    out = {}
    for oid, name, kind in relations:
        if kind == "v":
            (digest,) = query(tgt, "SELECT md5(pg_get_viewdef(%s::oid))", (oid,))[0]
        else:
            (digest,) = query(
                tgt, f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {name} t"
            )[0]
        out[name] = (oid, digest)
    return out


def corrupt(tgt, raw_table: str, where: str) -> None:
    """A corrupted load: one row of the raw table copied once more (line 9999) into its partition,
    as the superuser, past the ingestion and its checks."""
    from monitor_dordt_west.warehouse.connection import connect

    with connect(tgt) as conn:
        (partition,) = conn.execute(
            f"SELECT tableoid::regclass::text FROM {raw_table} WHERE {where} LIMIT 1"
        ).fetchone()
        schema, table = partition.split(".")
        columns = [
            c
            for (c,) in conn.execute(
                "SELECT quote_ident(column_name) FROM information_schema.columns WHERE table_schema = %s "
                "AND table_name = %s AND is_generated = 'NEVER' AND column_name <> '_line' ORDER BY ordinal_position",
                (schema, table),
            ).fetchall()
        ]
        cols = ", ".join(columns)
        conn.execute(
            f"INSERT INTO {partition} (_line, {cols}) SELECT 9999, {cols} FROM {partition} WHERE {where} LIMIT 1"
        )
        conn.commit()


def repair(tgt, raw_table: str) -> None:
    from monitor_dordt_west.warehouse.connection import connect

    with connect(tgt) as conn:
        conn.execute(f"DELETE FROM {raw_table} WHERE _line = 9999")
        conn.commit()
