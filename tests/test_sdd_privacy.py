"""SDD deliveries: BSN checked and replaced by a keyed pseudonym before anything is written;
no BSN anywhere in the warehouse or the archive; Dutch amounts; year-to-date minima files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitor_dordt_west import config
from monitor_dordt_west.ingestion import load as ingest
from monitor_dordt_west.ingestion import pseudonym, raw_tables
from tests.conftest import query
from tests.deliveries import MINIMA_HEADER, UITKERINGEN_HEADER, make_bsn, sdd

A, B, C = make_bsn(1), make_bsn(2), make_bsn(3)


@pytest.fixture(autouse=True)
def test_key(monkeypatch):
    monkeypatch.setenv("MDW_PSEUDONYM_KEY", "ab" * 32)
    pseudonym.key.cache_clear()
    yield
    pseudonym.key.cache_clear()


def load(tgt, landing):
    raw_tables.ensure_schema(tgt)
    return ingest.ingest_partner("sdd", tgt, landing)


def uitkering(bsn: str, regeling: str = "PW", buurt: str = "BU05050300") -> list[str]:
    return [bsn, "2024-01-31", regeling, "2021-05-01", "alleenstaand", "1990", buurt]


# a 9-digit token: not part of a longer run of letters or digits (so not a stretch of a hex pseudonym)
TOKEN = r"(?<![0-9A-Za-z])\d{9}(?![0-9A-Za-z])"


def bsn_like_values(tgt) -> list[tuple[str, str, str]]:
    """Every 9-digit token passing the 11-proef in any text column of any table of the warehouse."""
    found = []
    columns = query(
        tgt,
        """
        SELECT table_schema, table_name, column_name FROM information_schema.columns
        WHERE data_type IN ('text', 'character varying', 'character')
          AND table_schema NOT IN ('pg_catalog', 'information_schema')""",
    )
    for schema, table, column in columns:
        rows = query(
            tgt,
            f'SELECT DISTINCT "{column}"::text FROM "{schema}"."{table}" '
            f"WHERE \"{column}\"::text ~ '(^|[^0-9A-Za-z])[0-9]{{9}}([^0-9A-Za-z]|$)'",
        )
        for (value,) in rows:
            found += [(f"{schema}.{table}", column, m) for m in re.findall(TOKEN, value) if pseudonym.is_valid_bsn(m)]
    return found


def bsn_like_files(folder) -> list[tuple[str, str]]:
    """Every 9-digit string passing the 11-proef in any file under ``folder``."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            found += [(str(path), m) for m in re.findall(TOKEN, text) if pseudonym.is_valid_bsn(m)]
    return found


def test_bsn_is_pseudonymised_before_anything_is_written(fresh_db, landing):
    sdd(
        landing,
        "SDD_uitkeringen_202401.csv",
        UITKERINGEN_HEADER,
        [uitkering(A), uitkering(B, "IOAW"), uitkering("0" + A[1:] if pseudonym.is_valid_bsn("0" + A[1:]) else C)],
    )
    _, rejected = load(fresh_db, landing)
    assert not rejected, [r.message for r in rejected]
    rows = query(fresh_db, "SELECT persoon_pseudoniem, regeling FROM raw_sdd.uitkeringen ORDER BY _line")
    key = bytes.fromhex("ab" * 32)
    assert rows[0] == (pseudonym.pseudonymise(key, A), "PW")
    assert rows[1] == (pseudonym.pseudonymise(key, B), "IOAW")
    assert all(re.fullmatch(r"[0-9a-f]{64}", r[0]) for r in rows)
    assert bsn_like_values(fresh_db) == []
    assert bsn_like_files(config.paths().archive) == []
    # the archive holds the pseudonymised copy and the original's checksum; the original is gone
    (stored,) = query(fresh_db, "SELECT stored_as FROM mdw_meta.load_ledger")[0]
    stored = Path(stored)
    archived = sorted(stored.parent.glob(stored.name + "*"))
    assert [p.name.split("__", 1)[1] for p in archived] == [
        "SDD_uitkeringen_202401.csv",
        "SDD_uitkeringen_202401.csv.sha256",
    ]
    text = archived[0].read_text(encoding="utf-8")
    assert A not in text and B not in text and pseudonym.pseudonymise(key, A) in text
    sha = query(fresh_db, "SELECT sha256 FROM mdw_meta.load_ledger")[0][0]
    assert archived[1].read_text().startswith(sha)
    assert not list((landing / "sdd").iterdir())


def test_same_person_gets_the_same_pseudonym_in_every_delivery_and_dataset(fresh_db, landing):
    sdd(landing, "SDD_uitkeringen_202401.csv", UITKERINGEN_HEADER, [uitkering(A)])
    sdd(
        landing,
        "SDD_minimaregelingen_2024Q1.csv",
        MINIMA_HEADER,
        [[A, "persoonlijk minimabudget", "2024-02-15", "1.234,56", "BU05050300"]],
    )
    _, rejected = load(fresh_db, landing)
    assert not rejected
    (p1,) = query(fresh_db, "SELECT persoon_pseudoniem FROM raw_sdd.uitkeringen")[0]
    (p2, amount) = query(fresh_db, "SELECT persoon_pseudoniem, bedrag FROM raw_sdd.minimaregelingen")[0]
    assert p1 == p2 and float(amount) == 1234.56


@pytest.mark.parametrize(
    "bad,why",
    [
        ("123456789", "11-proef"),  # 9 digits, fails the 11-proef
        ("12345678", "8 digits (a lost leading zero)"),
        ("", "empty"),
    ],
)
def test_invalid_bsn_is_refused_without_repeating_it(fresh_db, landing, bad, why):
    sdd(landing, "SDD_uitkeringen_202401.csv", UITKERINGEN_HEADER, [uitkering(A), uitkering(bad)])
    _, rejected = load(fresh_db, landing)
    assert len(rejected) == 1, why
    message = rejected[0].message
    assert "SDD_uitkeringen_202401.csv, regel 3, kolom BSN: geen geldig BSN" in message
    assert (bad not in message) if bad else True
    assert A not in message
    assert query(fresh_db, "SELECT count(*) FROM raw_sdd.uitkeringen") == [(0,)]
    assert not list((config.paths().archive).rglob("*.tmp"))
    (quarantined,) = (config.paths().quarantine / "sdd").glob("*SDD_uitkeringen_202401.csv")
    assert quarantined.stat().st_mode & 0o077 == 0  # personal data: only the owner may read it


@pytest.mark.parametrize("amount", ["12.34", "1,234.56", "12,3a"])
def test_amount_without_decimal_comma_is_refused(fresh_db, landing, amount):
    sdd(
        landing,
        "SDD_minimaregelingen_2024Q1.csv",
        MINIMA_HEADER,
        [[A, "bijzondere bijstand", "2024-02-15", amount, "BU05050300"]],
    )
    _, rejected = load(fresh_db, landing)
    assert len(rejected) == 1
    assert (
        "kolom Bedrag: 1 regel(s) niet zoals verwacht (een bedrag met decimale komma (1.234,56))" in rejected[0].message
    )
    # a person-level file: the message names the position, never the value
    assert "— regel 2" in rejected[0].message and amount not in rejected[0].message


def test_minima_file_whose_period_does_not_match_its_name_is_refused(fresh_db, landing):
    sdd(
        landing,
        "SDD_minimaregelingen_2024Q1.csv",
        MINIMA_HEADER,
        [[A, "bijzondere bijstand", "2024-05-02", "100,00", "BU05050300"]],
    )
    _, rejected = load(fresh_db, landing)
    assert rejected[0].problems == [
        "SDD_minimaregelingen_2024Q1.csv, kolom Toekenningsdatum: 1 regel(s) niet zoals verwacht "
        "(een datum van 01-01-2024 t/m 31-03-2024 (periode 2024-Q1)) — regel 2"  # a position, never the value
    ]


def test_year_to_date_minima_file_replaces_the_earlier_quarter(fresh_db, landing):
    sdd(
        landing,
        "SDD_minimaregelingen_2024Q1.csv",
        MINIMA_HEADER,
        [[A, "bijzondere bijstand", "2024-02-15", "100,00", "BU05050300"]],
    )
    (q1,), _ = load(fresh_db, landing)
    sdd(
        landing,
        "SDD_minimaregelingen_2024Q2.csv",
        MINIMA_HEADER,
        [
            [A, "bijzondere bijstand", "2024-02-15", "100,00", "BU05050300"],
            [B, "kwijtschelding gemeentelijke belastingen", "2024-05-02", "312,50", "BU05050401"],
        ],
    )
    (q2,), _ = load(fresh_db, landing)
    assert q2.replaced == [q1.delivery_id]
    assert query(fresh_db, "SELECT count(*), sum(bedrag) FROM raw_sdd.minimaregelingen") == [(2, 412.5)]
    assert query(fresh_db, "SELECT status FROM mdw_meta.load_ledger ORDER BY delivery_id") == [
        ("superseded",),
        ("loaded",),
    ]


def test_sdd_file_without_bom_is_refused(fresh_db, landing):
    sdd(landing, "SDD_uitkeringen_202401.csv", UITKERINGEN_HEADER, [uitkering(A)], bom=False)
    _, rejected = load(fresh_db, landing)
    assert "verwacht UTF-8 met BOM" in rejected[0].message


@pytest.mark.slow  # builds a warehouse (quick subset: -m 'not slow')
def test_sdd_indicators_from_hand_made_deliveries(fresh_db, landing):
    """Population as in tests/handmade.py (Dordrecht 3000, 0-26: 1600; Dordt West 1500, 0-26: 500).
    Households with a low income: BU05050300 100, BU05050401 50, BU05050802 10, BU05050100 40
    (Dordrecht 200, Dordt West 150). Persons A, B in Dordt West buurten, C in the Binnenstad,
    D in Zuidhoven (wijk Crabbehof, not Dordt West)."""
    from monitor_dordt_west.orchestration import pipeline
    from tests import handmade
    from tests.deliveries import SCHULDHULP_HEADER

    handmade.write_landing(landing)
    hh = landing / "ocd" / "OCD_huishoudens_2024.csv"
    hh.write_text(
        "buurtcode,peildatum,huishoudens,huishoudens_laag_inkomen\n"
        "BU05050300,2024-01-01,500,100\nBU05050401,2024-01-01,250,50\n"
        "BU05050802,2024-01-01,200,10\nBU05050100,2024-01-01,600,40\n",
        encoding="utf-8",
    )
    D = make_bsn(4)

    def u(bsn, peil, regeling, born, buurt):
        return [bsn, peil, regeling, "2020-01-01", "alleenstaand", born, buurt]

    sdd(
        landing,
        "SDD_uitkeringen_202401.csv",
        UITKERINGEN_HEADER,
        [
            u(A, "2024-01-31", "PW", "1990", "BU05050300"),
            u(B, "2024-01-31", "PW", "2000", "BU05050401"),
            u(C, "2024-01-31", "IOAW", "1960", "BU05050100"),
        ],
    )
    sdd(
        landing,
        "SDD_uitkeringen_202402.csv",
        UITKERINGEN_HEADER,
        [u(A, "2024-02-29", "PW", "1990", "BU05050300"), u(B, "2024-02-29", "PW", "2000", "BU05050401")],
    )
    sdd(
        landing,
        "SDD_uitkeringen_202403.csv",
        UITKERINGEN_HEADER,
        [u(A, "2024-03-31", "PW", "1990", "BU05050300"), u(D, "2024-03-31", "PW", "1999", "BU05050802")],
    )
    sdd(
        landing,
        "SDD_schuldhulp_202401.csv",
        SCHULDHULP_HEADER,
        [
            [A, "T1", "schuldsanering", "2023-06-01", "", "BU05050300"],
            [C, "T2", "budgetbeheer", "2023-01-01", "", "BU05050100"],
        ],
    )
    sdd(
        landing,
        "SDD_schuldhulp_202402.csv",
        SCHULDHULP_HEADER,
        [[A, "T1", "schuldsanering", "2023-06-01", "", "BU05050300"]],
    )
    sdd(
        landing,
        "SDD_schuldhulp_202403.csv",
        SCHULDHULP_HEADER,
        [[B, "T3", "schuldhulpverlening", "2024-03-10", "", "BU05050401"]],
    )
    sdd(
        landing,
        "SDD_minimaregelingen_2024Q1.csv",
        MINIMA_HEADER,
        [
            [A, "bijzondere bijstand", "2024-02-15", "1.234,56", "BU05050300"],
            [B, "persoonlijk minimabudget", "2024-03-01", "250,00", "BU05050401"],
            [C, "kwijtschelding gemeentelijke belastingen", "2024-01-20", "312,50", "BU05050100"],
            [A, "kwijtschelding gemeentelijke belastingen", "2024-03-15", "100,00", "BU05050300"],
        ],
    )
    result = pipeline.run(fresh_db, landing)
    assert result.ok, [r.message for r in result.rejected]

    values = handmade.fact_values(fresh_db)
    GM, DW, CRABBEHOF = handmade.GM, handmade.DW, handmade.CRABBEHOF
    expected = {
        ("bijstand_per_1k", GM): (1.0, 3, 3000),  # A, B, D once each in Q1
        ("bijstand_per_1k", DW): (1.333333, 2, 1500),
        ("bijstand_per_1k", CRABBEHOF): (2.5, 1, 400),
        ("sdd_ioaw_per_1k", GM): (0.333333, 1, 3000),
        ("sdd_jongeren_uitkering_per_1k", GM): (1.25, 2, 1600),  # B (24) and D (25)
        ("sdd_jongeren_uitkering_per_1k", DW): (2.0, 1, 500),
        ("schuldsanering_per_1k", GM): (0.333333, 1, 3000),
        ("schuldsanering_per_1k", DW): (0.666667, 1, 1500),
        ("sdd_schuldhulp", GM): (3.0, 3, None),
        ("sdd_schuldhulp", DW): (2.0, 2, None),
        ("sdd_bereik_bijzondere_bijstand", GM): (0.5, 1, 200),
        ("sdd_bereik_bijzondere_bijstand", DW): (0.666667, 1, 150),
        ("sdd_bereik_persoonlijk_minimabudget", GM): (0.5, 1, 200),
        ("sdd_bereik_kwijtschelding", GM): (1.0, 2, 200),
        ("sdd_bereik_kwijtschelding", DW): (0.666667, 1, 150),
    }
    for (code, area), (value, num, den) in expected.items():
        got = values[(code, area, "2024-Q1")]
        assert got == (pytest.approx(value, abs=1e-6), float(num), None if den is None else float(den)), (
            code,
            area,
            got,
        )
    # the whole warehouse, after dbt, holds no BSN
    assert bsn_like_values(fresh_db) == []
    assert bsn_like_files(config.paths().archive) == []
