"""Ingestion on a real PostgreSQL with the real GX suites: good, bad, repeated and corrected deliveries."""

from __future__ import annotations

import pytest

from monitor_dordt_west import config
from monitor_dordt_west.ingestion import load as ingest
from monitor_dordt_west.ingestion import raw_tables
from tests.conftest import query
from tests.deliveries import MISDRIJVEN_HEADER as H
from tests.deliveries import politie

JAN = [
    ["PL1700-2024000001", "05-01-2024", "04-01-2024", "A20", "Gekwal. Diefstal in/uit woning", "BU05050300"],
    ["PL1700-2024000002", "31-01-2024", "", "F550", "Eenvoudige mishandeling", ""],
    ["PL1700-2024000003", "12-01-2024", "", "B70", "Straatroof café", "BU05050401"],
]


def load(tgt, landing):
    raw_tables.ensure_schema(tgt)
    return ingest.ingest_partner("politie", tgt, landing)


def raw_count(tgt) -> int:
    return query(tgt, "SELECT count(*) FROM raw_politie.misdrijven")[0][0]


def test_good_delivery_is_loaded_with_its_delivery_id_and_lines(fresh_db, landing):
    politie(landing, "POL_misdrijven_202401.csv", H, JAN)
    outcomes, rejected = load(fresh_db, landing)
    assert not rejected and [o.status for o in outcomes] == ["loaded"]
    rows = query(
        fresh_db,
        "SELECT _delivery_id, _line, registratienummer, registratiedatum::text, pleegdatum::text, "
        "omschrijving, buurtcode FROM raw_politie.misdrijven ORDER BY _line",
    )
    did = outcomes[0].delivery_id
    assert rows == [
        (did, 2, "PL1700-2024000001", "2024-01-05", "2024-01-04", "Gekwal. Diefstal in/uit woning", "BU05050300"),
        (did, 3, "PL1700-2024000002", "2024-01-31", None, "Eenvoudige mishandeling", None),
        (did, 4, "PL1700-2024000003", "2024-01-12", None, "Straatroof café", "BU05050401"),  # Windows-1252 é
    ]
    ledger = query(fresh_db, "SELECT status, rows_loaded, period, stored_as FROM mdw_meta.load_ledger")
    assert ledger[0][:3] == ("loaded", 3, "2024-01")
    assert ledger[0][3].startswith(str(config.paths().archive / "politie"))
    assert not list((landing / "politie").iterdir()), "the file is archived, not left in landing"


def test_identical_redelivery_changes_nothing(fresh_db, landing):
    politie(landing, "POL_misdrijven_202401.csv", H, JAN)
    load(fresh_db, landing)
    before = query(fresh_db, "SELECT * FROM raw_politie.misdrijven ORDER BY _line")
    politie(landing, "POL_misdrijven_202401.csv", H, JAN)
    outcomes, rejected = load(fresh_db, landing)
    assert not rejected and outcomes[0].status == "unchanged"
    assert query(fresh_db, "SELECT * FROM raw_politie.misdrijven ORDER BY _line") == before
    assert query(fresh_db, "SELECT count(*), max(times_received) FROM mdw_meta.load_ledger") == [(1, 2)]


def test_correction_replaces_the_earlier_delivery_completely(fresh_db, landing):
    politie(landing, "POL_misdrijven_202401.csv", H, JAN)
    (first,), _ = load(fresh_db, landing)
    corrected = [JAN[0], ["PL1700-2024000004", "20-01-2024", "", "A72", "Diefstal fiets", "BU05050100"]]
    politie(landing, "POL_misdrijven_202401.csv", H, corrected)
    (second,), _ = load(fresh_db, landing)
    assert second.status == "loaded" and second.replaced == [first.delivery_id]
    rows = query(fresh_db, "SELECT _delivery_id, registratienummer FROM raw_politie.misdrijven ORDER BY 2")
    assert rows == [(second.delivery_id, "PL1700-2024000001"), (second.delivery_id, "PL1700-2024000004")]
    ledger = query(fresh_db, "SELECT delivery_id, status, superseded_by FROM mdw_meta.load_ledger ORDER BY 1")
    assert ledger == [(first.delivery_id, "superseded", second.delivery_id), (second.delivery_id, "loaded", None)]


BAD = {
    "wrong separator": ("POL_misdrijven_202402.csv", dict(sep=","), "scheidingsteken ',' gevonden; afgesproken is ';'"),
    "wrong encoding": (
        "POL_misdrijven_202402.csv",
        dict(encoding="utf-8", rows=[["PL1700-2024000001", "05-02-2024", "", "B70", "Straatroof café", ""]]),
        "UTF-8 gecodeerd; afgesproken is Windows-1252",
    ),
    "LF line ends": ("POL_misdrijven_202402.csv", dict(newline="\n"), "regeleinde is LF"),
    "missing column": (
        "POL_misdrijven_202402.csv",
        dict(header=H[:4] + H[5:], rows=[["PL1700-2024000001", "05-02-2024", "", "A20", ""]]),
        "kolom(men) ontbreken: Omschrijving",
    ),
    "extra column": (
        "POL_misdrijven_202402.csv",
        dict(header=[*H, "BSN"], rows=[["PL1700-2024000001", "05-02-2024", "", "A20", "x", "", "123456789"]]),
        "niet afgesproken kolom(men): BSN",
    ),
    "header only": ("POL_misdrijven_202402.csv", dict(rows=[]), "alleen een kopregel, geen gegevens"),
    "duplicate key": (
        "POL_misdrijven_202402.csv",
        dict(
            rows=[
                ["PL1700-2024000001", "05-02-2024", "", "A20", "x", ""],
                ["PL1700-2024000001", "06-02-2024", "", "A20", "x", ""],
            ]
        ),
        "kolom Registratienummer: 2 regel(s) niet zoals verwacht (een unieke sleutel",
    ),
    "unknown buurtcode": (
        "POL_misdrijven_202402.csv",
        dict(rows=[["PL1700-2024000001", "05-02-2024", "", "A20", "x", "BU05059999"]]),
        "kolom Buurtcode: 1 regel(s) niet zoals verwacht (een bestaande CBS-buurtcode van Dordrecht (BU0505wwbb)) — regel 2: 'BU05059999'",
    ),
    "impossible date": (
        "POL_misdrijven_202402.csv",
        dict(rows=[["PL1700-2024000001", "31-02-2024", "", "A20", "x", ""]]),
        "kolom Registratiedatum: 1 regel(s) niet zoals verwacht (een geldige datum in het formaat dd-mm-jjjj) — regel 2: '31-02-2024'",
    ),
    "date outside the month": (
        "POL_misdrijven_202402.csv",
        dict(
            rows=[
                ["PL1700-2024000001", "05-02-2024", "", "A20", "x", ""],
                ["PL1700-2024000002", "01-03-2024", "", "A20", "x", ""],
            ]
        ),
        "een datum van 01-02-2024 t/m 29-02-2024 (periode 2024-02)) — regel 3: '01-03-2024'",
    ),
    "unknown BVH class": (
        "POL_misdrijven_202402.csv",
        dict(rows=[["PL1700-2024000001", "05-02-2024", "", "Z99", "x", ""]]),
        "kolom Maatschappelijke klasse: 1 regel(s)",
    ),
    "too many fields": (
        "POL_misdrijven_202402.csv",
        dict(rows=[["PL1700-2024000001", "05-02-2024", "", "A20", "x", "", ""]]),
        "POL_misdrijven_202402.csv, regel 2: meer velden dan kolommen",
    ),
    "name matches no pattern": (
        "POL_misdrijven_2024-02.csv",
        {},
        "volgt het afgesproken patroon niet; verwacht POL_misdrijven_JJJJMM.csv",
    ),
    "unknown file": ("POL_aangiften_202402.csv", {}, "komt niet overeen met een afgesproken levering van politie"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_delivery_is_refused_quarantined_and_nothing_is_loaded(fresh_db, landing, case):
    politie(landing, "POL_misdrijven_202401.csv", H, JAN)
    load(fresh_db, landing)
    before = query(fresh_db, "SELECT * FROM raw_politie.misdrijven ORDER BY _line")

    name, opts, expected = BAD[case]
    opts = dict(opts)
    header = opts.pop("header", H)
    rows = opts.pop("rows", [["PL1700-2024000010", "05-02-2024", "", "A20", "Woninginbraak", "BU05050300"]])
    politie(landing, name, header, rows, **opts)
    outcomes, rejected = load(fresh_db, landing)

    assert [o.status for o in outcomes] == ["quarantined"]
    assert len(rejected) == 1 and expected in rejected[0].message, rejected[0].message
    assert query(fresh_db, "SELECT * FROM raw_politie.misdrijven ORDER BY _line") == before
    status, reason, stored = query(
        fresh_db, "SELECT status, reason, stored_as FROM mdw_meta.load_ledger ORDER BY delivery_id DESC LIMIT 1"
    )[0]
    assert status == "quarantined" and expected in reason
    reason_file = config.paths().quarantine / "politie" / (stored.rsplit("/", 1)[1] + ".reden.txt")
    assert expected in reason_file.read_text(encoding="utf-8")
    assert not query(fresh_db, "SELECT tablename FROM pg_tables WHERE schemaname = 'loading'")


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"", "het bestand is leeg (0 bytes)"),
        (
            ("\r\n".join([";".join(H), "PL1700-2024000001;05-02-2024;;A20;Woning"])).encode("cp1252"),
            "de laatste regel eindigt niet met een regeleinde",
        ),
        (
            (";".join(H) + "\r\nPL1700-2024000001;05-02-2024;;A20;\x81x;\r\n").encode("latin-1"),
            "teken dat niet bestaat in de afgesproken codering",
        ),
    ],
)
def test_empty_truncated_and_undecodable_files_are_refused(fresh_db, landing, content, expected):
    path = landing / "politie" / "POL_misdrijven_202402.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    _, rejected = load(fresh_db, landing)
    assert len(rejected) == 1 and expected in rejected[0].message, rejected[0].message
    assert raw_count(fresh_db) == 0


def test_bad_correction_keeps_the_earlier_delivery(fresh_db, landing):
    politie(landing, "POL_misdrijven_202401.csv", H, JAN)
    load(fresh_db, landing)
    politie(landing, "POL_misdrijven_202401.csv", H, [["PL1700-2024000001", "31-02-2024", "", "A20", "x", ""]])
    _, rejected = load(fresh_db, landing)
    assert rejected and raw_count(fresh_db) == 3
    assert query(fresh_db, "SELECT status FROM mdw_meta.load_ledger ORDER BY delivery_id") == [
        ("loaded",),
        ("quarantined",),
    ]


def test_identical_copy_of_a_refused_file_is_refused_again(fresh_db, landing):
    rows = [["PL1700-2024000001", "31-02-2024", "", "A20", "x", ""]]
    politie(landing, "POL_misdrijven_202402.csv", H, rows)
    load(fresh_db, landing)
    politie(landing, "POL_misdrijven_202402.csv", H, rows)
    _, rejected = load(fresh_db, landing)
    assert rejected and "byte-identiek aan de eerder geweigerde levering" in rejected[0].message
    assert query(fresh_db, "SELECT count(*), max(times_received) FROM mdw_meta.load_ledger") == [(1, 2)]
