"""The leak test: deliveries with valid BSNs planted in every column of every partner dataset (and in
the sheets of a workbook) go through the real DAGs (``airflow dags test``: every ingest DAG and
``build_warehouse``); then the whole warehouse database (every text, json, bytea ... column of every
table, all schemas, as the owner), the archive, the quarantine (the refused originals excepted: they
must be 0600), every log file under the data folder (PostgreSQL's server log and Airflow's task logs
included), the DAG runs' output and the Airflow metadata DB (every table, XCom included) are searched
for every planted BSN and for the pseudonym key. Nothing may be found; and the scan must have covered
enough to mean something, and must find the planted BSNs where they are allowed to be (the refused
originals), so that the scanner is shown to work.

The BSNs are computed (``pseudonym.synthetic_bsn``) from a range no other test uses, never written
as literals."""

from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
import stat
import time
from pathlib import Path

import pytest

from monitor_dordt_west import config
from monitor_dordt_west.ingestion import pseudonym, registry
from monitor_dordt_west.orchestration import airflow_env
from monitor_dordt_west.warehouse import connection, credentials
from monitor_dordt_west.warehouse.connection import connect
from tests import handmade
from tests.conftest import query
from tests.deliveries import (
    MINIMA_HEADER,
    REGISTRATIES_HEADER,
    SCHULDHULP_HEADER,
    SURVEY_HEADER,
    UITKERINGEN_HEADER,
    VRIJWILLIGERS_HEADER,
    blik,
    ocd_xlsx,
    politie,
    sdd,
)

pytestmark = pytest.mark.e2e

_counter = iter(range(70_000, 80_000))


def planted_bsn(planted: list[str]) -> str:
    """A fresh valid BSN (11-proef), remembered as planted."""
    bsn = pseudonym.synthetic_bsn(next(_counter))
    assert pseudonym.is_valid_bsn(bsn)
    planted.append(bsn)
    return bsn


def invalid_bsn(n: int) -> str:
    """9 digits that fail the 11-proef."""
    bsn = pseudonym.synthetic_bsn(n)
    bad = bsn[:-1] + str((int(bsn[-1]) + 1) % 10)
    assert not pseudonym.is_valid_bsn(bad)
    return bad


# --------------------------------------------------------------------------- the deliveries

# one row of a survey workbook (Veiligheids-, Gezondheids-, Woonmonitor: the same columns)
SURVEY_ROW = ["VM_VEILIGHEID_BUURT", "Rapportcijfer", "GM0505", "Dordrecht", 7.3, "rapportcijfer", 1850, 7.2, 7.4, None]
# one agreed, valid row per dataset (the BSN column, where there is one, is filled in per row)
# fmt: off
TEMPLATES: dict[str, list] = {
    "politie.misdrijven": ["PL1700-2024000101", "05-04-2024", "", "A20", "Diefstal", "BU05050300"],
    "politie.verdachten": ["PL1700-2024000101", "V9", "2005", "BU05050300", "05-04-2024"],
    "politie.incidenten": ["I9", "05-04-2024", "E33", "overlast jeugd", "BU05050300"],
    "ocd.bevolking": ["BU05050300", "2023-01-01", "10", "300"],
    "ocd.huishoudens": ["BU05050300", "2023-01-01", "500", "100"],
    "sdd.uitkeringen": [None, "2024-04-30", "PW", "2021-05-01", "alleenstaand", "1990", "BU05050300"],
    "sdd.schuldhulp": [None, "T9", "schuldsanering", "2023-06-01", "", "BU05050300"],
    "sdd.minimaregelingen": [None, "bijzondere bijstand", "2024-05-15", "100,00", "BU05050300"],
    "blik.registraties": ["9", "2024-04-07T14:05:00", "korte vraag", "1", "financiën", "Oud Krispijn", "K9", "", ""],
    "blik.vrijwilligers": ["VR9", "Oud Krispijn", "1", "2024-04-01", ""],
    "ocd.veiligheidsmonitor": SURVEY_ROW,
    "ocd.gezondheidsmonitor": SURVEY_ROW,
    "ocd.woonmonitor": SURVEY_ROW,
    "ocd.kerncijfers": [
        "KC_ARBEIDSPARTICIPATIE",
        "Netto arbeidsparticipatie",
        "GM0505",
        "2023",
        67,
        52000,
        77600,
        "CBS",
    ],
}
# fmt: on
# the refused file of each dataset (a later period than the good deliveries)
BAD_NAMES = {
    "politie.misdrijven": "POL_misdrijven_202404.csv",
    "politie.verdachten": "POL_verdachten_202404.csv",
    "politie.incidenten": "POL_incidenten_202404.csv",
    "ocd.bevolking": "OCD_bevolking_2023.csv",
    "ocd.huishoudens": "OCD_huishoudens_2023.csv",
    "sdd.uitkeringen": "SDD_uitkeringen_202404.csv",
    "sdd.schuldhulp": "SDD_schuldhulp_202404.csv",
    "sdd.minimaregelingen": "SDD_minimaregelingen_2024Q2.csv",
    "blik.registraties": "BLIK_registraties_2024-Q2.csv",
    "blik.vrijwilligers": "BLIK_vrijwilligers_2024-Q2.csv",
    "ocd.veiligheidsmonitor": "OCD_veiligheidsmonitor_2022.xlsx",
    "ocd.gezondheidsmonitor": "OCD_gezondheidsmonitor_2022.xlsx",
    "ocd.woonmonitor": "OCD_woonmonitor_2022.xlsx",
    "ocd.kerncijfers": "OCD_kerncijfers_2022.xlsx",
}


def test_templates_cover_every_dataset():
    assert set(TEMPLATES) == set(BAD_NAMES) == {ds.id for ds in registry.DATASETS}
    for ds in registry.DATASETS:
        assert len(TEMPLATES[ds.id]) == len(ds.columns), ds.id


def write_csv(landing: Path, ds: registry.Dataset, name: str, rows: list[list[str]]) -> Path:
    header = [c.header for c in ds.columns]
    if ds.partner == "politie":
        return politie(landing, name, header, rows)
    if ds.partner == "sdd":
        return sdd(landing, name, header, rows)
    if ds.partner == "blik":
        return blik(landing, name, header, rows)
    path = landing / "ocd" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def bad_rows(ds: registry.Dataset, planted: list[str]) -> list[list]:
    """One row per column: row j has a planted BSN in column j (alone, or inside a text); the agreed
    BSN column holds a valid BSN in every row (planted too: it must never leave the file)."""
    rows = []
    for j, column in enumerate(ds.columns):
        if column.pseudonymise:
            continue
        row = list(TEMPLATES[ds.id])
        bsn = planted_bsn(planted)
        numeric = ds.file_format == "xlsx" and column.column_type.number_cell
        row[j] = int(bsn) if numeric else (f"client {bsn}" if j % 2 else bsn)
        rows.append(row)
    for row in rows:
        for j, column in enumerate(ds.columns):
            if column.pseudonymise:
                row[j] = planted_bsn(planted)
    return rows


def good_sdd(landing: Path, planted: list[str]) -> None:
    a, b = planted_bsn(planted), planted_bsn(planted)
    sdd(landing, "SDD_uitkeringen_202401.csv", UITKERINGEN_HEADER, [
        [a, "2024-01-31", "PW", "2021-05-01", "alleenstaand", "1990", "BU05050300"],
        [b, "2024-01-31", "IOAW", "2020-01-01", "paar met kinderen", "1970", "BU05050401"],
    ])  # fmt: skip
    sdd(landing, "SDD_schuldhulp_202401.csv", SCHULDHULP_HEADER, [[a, "T1", "schuldsanering", "2023-06-01", "", "BU05050300"]])  # fmt: skip
    sdd(landing, "SDD_minimaregelingen_2024Q1.csv", MINIMA_HEADER, [[b, "bijzondere bijstand", "2024-02-15", "1.234,56", "BU05050401"]])  # fmt: skip


def good_blik_and_ocd(landing: Path) -> None:
    from tests.test_blik import GOOD as BLIK_GOOD
    from tests.test_ocd_excel import GOOD as SURVEY_GOOD

    blik(landing, "BLIK_registraties_2024-Q1.csv", REGISTRATIES_HEADER, BLIK_GOOD)
    blik(landing, "BLIK_vrijwilligers_2024-Q1.csv", VRIJWILLIGERS_HEADER, [["VR1", "Oud Krispijn", "1", "2024-01-01", ""]])  # fmt: skip
    ocd_xlsx(landing, "OCD_veiligheidsmonitor_2023.xlsx", SURVEY_HEADER, SURVEY_GOOD)


def hidden_sheets_workbook(landing: Path, planted: list[str]) -> Path:
    """A survey workbook whose visible sheet is fine, with a hidden and a very hidden sheet full of BSNs."""
    import openpyxl

    path = landing / "ocd" / "OCD_gezondheidsmonitor_2023.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tabel"
    ws.append(["titel"])
    ws.append(["bron"])
    ws.append([])
    ws.append(SURVEY_HEADER)
    ws.append(TEMPLATES["ocd.gezondheidsmonitor"])
    for title, state in (("Clienten", "hidden"), ("Koppeltabel", "veryHidden")):
        sheet = wb.create_sheet(title)
        sheet.sheet_state = state
        sheet.append(["BSN", "naam"])
        for i in range(20):
            sheet.append([int(planted_bsn(planted)) if i % 2 else planted_bsn(planted), f"persoon {i}"])
    wb.save(path)
    return path


def stray_cells_workbook(landing: Path, planted: list[str]) -> Path:
    """The agreed sheet with BSNs where no agreed column is: in a title row, beyond the last agreed
    column, and in a comment."""
    import openpyxl
    from openpyxl.comments import Comment

    path = landing / "ocd" / "OCD_woonmonitor_2023.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tabel"
    ws.append([f"uitkomsten, opgesteld voor {planted_bsn(planted)}"])
    ws.append(["bron"])
    ws.append([])
    ws.append(SURVEY_HEADER)
    ws.append([*TEMPLATES["ocd.woonmonitor"], planted_bsn(planted)])
    ws["B5"].comment = Comment(f"nagevraagd bij {planted_bsn(planted)}", "OCD")
    wb.save(path)
    return path


def write_deliveries(landing: Path) -> tuple[list[str], dict[str, str]]:
    """All deliveries; returns the planted BSNs and, per refused file, what its message must name."""
    planted: list[str] = []
    handmade.write_landing(landing)  # OCD population 2024, police 2024 Q1: good
    good_sdd(landing, planted)
    good_blik_and_ocd(landing)
    expected: dict[str, str] = {}
    for ds in registry.DATASETS:
        name = BAD_NAMES[ds.id]
        rows = bad_rows(ds, planted)
        if ds.file_format == "xlsx":
            ocd_xlsx(
                landing,
                name,
                [c.header for c in ds.columns],
                rows,
                sheet=ds.sheet,
                title_rows=ds.header_row - 1,
            )
        else:
            write_csv(landing, ds, name, rows)
        first = next(c for c in ds.columns if not c.pseudonymise)
        expected[name] = f"kolom {first.header}"
    hidden_sheets_workbook(landing, planted)
    expected["OCD_gezondheidsmonitor_2023.xlsx"] = "verborgen"
    stray_cells_workbook(landing, planted)
    expected["OCD_woonmonitor_2023.xlsx"] = "BSN"
    # an SDD file whose BSN column fails the 11-proef (the values are not planted BSNs, but must not
    # be repeated either) and one without its header row (the first line is data with a BSN)
    wrong = [invalid_bsn(90_000 + i) for i in range(3)]
    sdd(landing, "SDD_uitkeringen_202405.csv", UITKERINGEN_HEADER, [
        [w, "2024-05-31", "PW", "2021-05-01", "alleenstaand", "1990", "BU05050300"] for w in wrong
    ])  # fmt: skip
    expected["SDD_uitkeringen_202405.csv"] = "kolom BSN: geen geldig BSN"
    sdd(landing, "SDD_schuldhulp_202405.csv", SCHULDHULP_HEADER, [])
    no_header = landing / "sdd" / "SDD_schuldhulp_202405.csv"
    no_header.write_bytes(
        b"\xef\xbb\xbf" + f"{planted_bsn(planted)};T7;schuldsanering;2023-06-01;;BU05050300\r\n".encode()
    )
    expected["SDD_schuldhulp_202405.csv"] = "kopregel"
    # a file name with a BSN in it
    politie(landing, f"POL_misdrijven_2024_{planted_bsn(planted)}.csv", [c.header for c in registry.DATASETS[0].columns], [TEMPLATES["politie.misdrijven"]])  # fmt: skip
    expected["POL_misdrijven_2024_#########.csv"] = "bestandsnaam"
    return planted, {"wrong": wrong, **expected}


# --------------------------------------------------------------------------- the scanners

TEXTUAL = (
    "text",
    "character varying",
    "character",
    "name",
    "json",
    "jsonb",
    "bytea",
    "ARRAY",
    "anyarray",
    "pg_node_tree",
    "xml",
    "USER-DEFINED",
)


def scan_database(tgt, pattern: str) -> dict:
    """Every text-like column of every table (partitions, materialized views; all schemas, the system
    catalogs included) as text, searched with ``pattern`` (a POSIX regex, case-insensitive)."""
    figures = {"tables": 0, "columns": 0, "values": 0, "hits": []}
    with connect(tgt) as conn:
        columns = conn.execute(
            """SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), t.typcategory
               FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
               JOIN pg_type t ON t.oid = a.atttypid
               WHERE c.relkind IN ('r', 'm') AND a.attnum > 0 AND NOT a.attisdropped
                 AND (t.typcategory IN ('S', 'A', 'U') OR t.typname IN ('bytea', 'json', 'jsonb', 'pg_node_tree')
                      OR t.typname = 'anyarray')
               ORDER BY 1, 2, 3"""
        ).fetchall()
        tables: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for schema, table, column, typ, _cat in columns:
            tables.setdefault((schema, table), []).append((column, typ))
        for (schema, table), cols in tables.items():
            exprs = []
            for column, typ in cols:
                ident = '"' + column.replace('"', '""') + '"'
                if typ == "bytea":
                    exprs.append(f"encode({ident}, 'escape') || ' ' || encode({ident}, 'hex')")
                else:
                    exprs.append(f"{ident}::text")
            counts = ", ".join(f"count(*) FILTER (WHERE ({e}) ~* %(p)s)" for e in exprs)
            nonnull = " + ".join(f"count({'(' + e + ')'})" for e in exprs)
            sql_text = f'SELECT {nonnull}, {counts} FROM "{schema}"."{table}"'
            try:
                row = conn.execute(sql_text, {"p": pattern}).fetchone()
            except Exception as exc:  # noqa: BLE001 - a catalog column that cannot be cast: named in the figures
                conn.rollback()
                figures.setdefault("unreadable", []).append(f"{schema}.{table} ({type(exc).__name__})")
                continue
            figures["tables"] += 1
            figures["columns"] += len(cols)
            figures["values"] += row[0]
            figures["hits"] += [f"{schema}.{table}.{c}" for (c, _), n in zip(cols, row[1:], strict=True) if n]
    return figures


def scan_files(paths: list[Path], regex: re.Pattern[bytes]) -> dict:
    figures = {"files": 0, "bytes": 0, "lines": 0, "hits": []}
    for path in paths:
        data = path.read_bytes()
        if data.startswith(b"PK\x03\x04"):  # a workbook: its inflated parts too (the zip is compressed)
            import io
            import zipfile

            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                data += b"".join(zf.read(member) for member in zf.namelist())
        figures["files"] += 1
        figures["bytes"] += len(data)
        figures["lines"] += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
        if regex.search(data) or regex.search(data.lower()):
            figures["hits"].append(str(path))
    return figures


def scan_sqlite(db: Path, regex: re.Pattern[bytes]) -> dict:
    """Every column of every table of the Airflow metadata DB (XCom included), as text or bytes; the
    compressed serialized DAGs are inflated first."""
    import zlib

    figures = {"tables": 0, "columns": 0, "rows": 0, "xcom_rows": 0, "hits": []}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            figures["tables"] += 1
            figures["columns"] += len(cols)
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                figures["rows"] += 1
                figures["xcom_rows"] += table == "xcom"
                for col, value in zip(cols, row, strict=True):
                    if value is None:
                        continue
                    data = value if isinstance(value, bytes) else str(value).encode("utf-8", "replace")
                    if isinstance(value, bytes):
                        try:
                            data += zlib.decompress(value)
                        except zlib.error:
                            pass
                    if regex.search(data) or regex.search(data.lower()):
                        figures["hits"].append(f"{table}.{col}")
    finally:
        conn.close()
    return figures


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) if folder.exists() else []


# --------------------------------------------------------------------------- the test


@pytest.fixture
def leak_key(monkeypatch):
    key = secrets.token_hex(32)
    monkeypatch.setenv("MDW_PSEUDONYM_KEY", key)
    pseudonym.key.cache_clear()
    yield key
    pseudonym.key.cache_clear()


def test_no_planted_bsn_and_no_key_anywhere(fresh_db, landing, dbt_manifest, airflow_home, leak_key):
    t0 = time.monotonic()
    planted, expected = write_deliveries(landing)
    wrong = expected.pop("wrong")
    assert len(planted) > 100
    airflow_env.ensure_metadata_db(fresh_db)
    t_setup = time.monotonic()
    outputs = []
    timings = {}
    for dag_id in ("ingest_ocd", "ingest_politie", "ingest_sdd", "ingest_blik", "build_warehouse"):
        started = time.monotonic()
        result = airflow_env.run_airflow(["dags", "test", dag_id], fresh_db, check=False, capture=True)
        timings[dag_id] = round(time.monotonic() - started, 1)
        outputs.append(result.stdout + result.stderr)
        if dag_id == "build_warehouse":
            assert "state=success" in outputs[-1], outputs[-1][-4000:]
    run_output = "\n".join(outputs)
    t_dags = time.monotonic()
    print(f"\nsetup {t_setup - t0:.0f} s, DAGs {timings}")

    # what arrived: the good deliveries loaded, every planted file refused with its position, no value
    ledger = query(fresh_db, "SELECT file_name, status, reason, stored_as FROM mdw_meta.load_ledger")
    status = {f: s for f, s, _, _ in ledger}
    reasons = {f: r or "" for f, _, r, _ in ledger}
    assert status["SDD_uitkeringen_202401.csv"] == "loaded"
    assert status["BLIK_registraties_2024-Q1.csv"] == "loaded"
    assert status["OCD_veiligheidsmonitor_2023.xlsx"] == "loaded"
    assert status["POL_misdrijven_202401.csv"] == "loaded"
    message_problems = []
    for name, what in expected.items():
        if status.get(name) != "quarantined" or what not in reasons.get(name, ""):
            message_problems.append((name, status.get(name), reasons.get(name)))
        elif not (re.search(r"regel|rij|cel|onderdeel", reasons[name]) or what in ("verborgen", "bestandsnaam")):
            message_problems.append((name, "no position", reasons[name]))
    for w in wrong:
        assert w not in run_output and all(w not in r for r in reasons.values())
    assert query(fresh_db, "SELECT count(*) FROM marts.fct_indicator_values")[0][0] > 0

    # the scan: every planted BSN, the pseudonym key, the publication fingerprint key and the password
    # of every warehouse role (the Airflow tasks had the loader's, transformer's and publisher's)
    secrets_ = [leak_key, credentials.fingerprint_key().hex()]
    secrets_ += [credentials.password(r) for r in (credentials.SUPERUSER, *credentials.ROLES)]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{16,}", s) for s in secrets_)
    pattern = "|".join([*planted, *secrets_])
    regex = re.compile(pattern.encode())
    home = config.paths().home
    # as the superuser: every table, the catalogs' statistics (sampled values) included
    superuser = connection.PgTarget(
        fresh_db.host, fresh_db.port, "postgres", credentials.password(credentials.SUPERUSER), fresh_db.dbname
    )
    db = scan_database(superuser, pattern)
    originals = {Path(s) for _, st, _, s in ledger if st in ("quarantined", "held") and s}
    store = files_under(config.paths().archive) + files_under(config.paths().quarantine)
    refused = [p for p in store if p in originals]
    logs = [p for p in files_under(home) if p.suffix == ".log" or "log" in p.relative_to(home).parts[:3]]
    logs = [p for p in logs if "pgdata" not in p.parts or "log" in p.parts]
    pg_logs = [p for p in logs if "pgdata" in p.parts]
    task_logs = [p for p in logs if "airflow" in p.parts]
    other = [
        p
        for p in files_under(home)
        if p not in set(store) | set(logs) and "pgdata" not in p.parts and p.suffix not in (".db", ".key")
    ]
    files = scan_files([p for p in store if p not in originals] + logs + other, regex)
    meta = scan_sqlite(home / "airflow" / "airflow.db", regex)
    meta_file = scan_files(sorted((home / "airflow").glob("airflow.db*")), regex)  # with its WAL
    out_hits = [m.group() for m in re.finditer(pattern, run_output)]
    # the scanner works: what was refused still holds the planted BSNs, readable by the owner only
    found_in_originals = scan_files(refused, regex)
    figures = {
        "planted_bsns": len(planted),
        "database": {k: v for k, v in db.items() if k != "hits"} | {"hits": len(db["hits"])},
        "files": {k: v for k, v in files.items() if k != "hits"} | {"hits": len(files["hits"])},
        "of_which_logs": len(logs),
        "postgres_logs": len(pg_logs),
        "airflow_task_logs": len(task_logs),
        "airflow_metadata_db": {k: v for k, v in meta.items() if k != "hits"} | {"hits": len(meta["hits"])},
        "dag_output_lines": run_output.count("\n"),
        "dag_output_hits": len(out_hits),
        "refused_originals": len(refused),
        "refused_originals_with_a_planted_bsn": len(found_in_originals["hits"]),
        "seconds": {"dags": timings, "scan": round(time.monotonic() - t_dags, 1), "total": 0},
    }
    figures["seconds"]["total"] = round(time.monotonic() - t0, 1)
    print("\nLEAK SCAN FIGURES " + json.dumps(figures, indent=1))
    (home / "leak_scan_figures.json").write_text(json.dumps(figures, indent=1))

    assert message_problems == []
    assert db["hits"] == [], db["hits"]
    assert not db.get("unreadable"), db["unreadable"]  # the superuser read every table
    assert files["hits"] == [], files["hits"]
    assert meta["hits"] == [] and meta_file["hits"] == [], (meta["hits"], meta_file["hits"])
    assert out_hits == [], "a planted BSN, a key or a password in the DAG output"
    # the scan covered enough to mean something (minimums worked out from what was loaded)
    assert db["columns"] >= 300 and db["values"] >= 20_000 and db["tables"] >= 80, db
    # `airflow dags test` writes the task logs to its output (scanned above), not to files
    assert len(pg_logs) >= 1 and run_output.count("\n") >= 1000, (pg_logs, len(task_logs))
    assert files["lines"] >= 1000, files
    assert meta["xcom_rows"] >= 1 and meta["rows"] >= 300 and meta["tables"] >= 40, meta
    assert len(refused) == len(expected)
    # every refused original still holds what it was sent with (the file name case: in its name only)
    assert len(found_in_originals["hits"]) >= len(expected) - 2, found_in_originals
    for path in refused:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700, path.parent
    assert os.environ["MDW_PSEUDONYM_KEY"] == leak_key
