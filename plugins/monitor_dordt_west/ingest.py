"""Load one partner delivery: fingerprint -> ledger -> structure checks -> COPY -> GX -> swap -> archive.

The load pattern follows the municipality's usual one (load into a work table, check, swap
into place): the file is streamed with ``COPY`` into a text work table in schema ``loading``,
validated there in SQL by the dataset's Great Expectations suite, and only then turned into a
typed partition of the raw table, attached in the same transaction that retires the delivery it
corrects and updates the ledger. Either all of a delivery is visible, or nothing of it.

Raw tables are partitioned by ``_delivery_id`` (one partition per delivery), so a correction
replaces exactly the rows of the delivery it corrects, and every raw row names its delivery.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import logging
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from psycopg import sql

from . import config, registry
from .expectations import typed_expression
from .registry import Dataset, Period
from .warehouse import PgTarget, connect

log = logging.getLogger(__name__)

CHUNK = 1 << 20
MAX_PROBLEMS = 20
PG_TYPES = {
    "text": "text",
    "date": "date",
    "int": "bigint",
    "decimal_nl": "numeric",
    "timestamp": "timestamp",
    "number": "numeric",
}


class DeliveryRejected(Exception):
    """A delivery that is refused; ``str()`` is the message for the partner and the operator."""

    def __init__(self, file_name: str, problems: list[str], delivery_id: int | None = None):
        self.file_name = file_name
        self.problems = problems
        self.delivery_id = delivery_id
        super().__init__(self.message)

    @property
    def message(self) -> str:
        ref = f" (levering {self.delivery_id})" if self.delivery_id else ""
        lines = [f"Levering {self.file_name}{ref} is geweigerd en in quarantaine gezet; er is niets van geladen."]
        lines += [f"- {p}" for p in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            lines.append(f"- ... en nog {len(self.problems) - MAX_PROBLEMS} bevinding(en)")
        return "\n".join(lines)


@dataclass
class Outcome:
    file_name: str
    dataset: str | None
    period: str | None
    delivery_id: int | None
    status: str  # loaded | unchanged | quarantined
    rows: int = 0
    replaced: list[int] = field(default_factory=list)
    message: str = ""
    timings: dict[str, float] = field(default_factory=dict)


class _Clock:
    """Seconds spent per stage of a load (reported by the benchmark and logged)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = round(now - self._last, 3)
        self._last = now


# --------------------------------------------------------------------------- schema


def ensure_schema(tgt: PgTarget) -> None:
    """Create (idempotently) the ledger, the helper functions and every raw table of the registry."""
    ddl = (Path(__file__).parent / "sql" / "meta.sql").read_text(encoding="utf-8")
    with connect(tgt) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('mdw_meta.ensure_schema'))")
        conn.execute(ddl)
        for ds in registry.DATASETS:
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(ds.raw_schema)))
            cols = [sql.SQL("_delivery_id bigint NOT NULL"), sql.SQL("_line integer NOT NULL")]
            cols += [sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(PG_TYPES[c.type])) for c in ds.columns]
            cols.append(sql.SQL("_loaded_at timestamptz NOT NULL"))
            conn.execute(
                sql.SQL("CREATE TABLE IF NOT EXISTS {}.{} ({}) PARTITION BY LIST (_delivery_id)").format(
                    sql.Identifier(ds.raw_schema), sql.Identifier(ds.name), sql.SQL(", ").join(cols)
                )
            )
            conn.execute(
                sql.SQL("COMMENT ON TABLE {}.{} IS {}").format(
                    sql.Identifier(ds.raw_schema),
                    sql.Identifier(ds.name),
                    sql.Literal(
                        f"{ds.description} Bron: {ds.example} ({registry.PARTNERS[ds.partner]}). "
                        "Eén partitie per levering; _delivery_id verwijst naar mdw_meta.load_ledger, "
                        "_line is de regel in het geleverde bestand."
                    ),
                )
            )
        conn.commit()


# --------------------------------------------------------------------------- file checks


def fingerprint(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


ENCODING_NAMES = {"cp1252": "Windows-1252", "utf-8": "UTF-8 zonder BOM", "utf-8-sig": "UTF-8 met BOM"}
LINE_END_NAMES = {"crlf": "CRLF (\\r\\n)", "lf": "LF (\\n)"}


def check_xlsx(path: Path, ds: Dataset) -> list[str]:
    """An Excel delivery: a real .xlsx, the agreed sheet, the header in the agreed row."""
    import zipfile

    from .workbook_guard import check_workbook

    name = path.name
    if path.stat().st_size == 0:
        return [f"{name}: het bestand is leeg (0 bytes)"]
    if problems := check_workbook(path, ds):  # limits, macros, links, sheets, formulas: before opening
        return problems
    if not zipfile.is_zipfile(path):
        return [
            f"{name}: geen geldig Excel-bestand (.xlsx); afgesproken is een Excel-werkmap met werkblad '{ds.sheet}'"
        ]
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is refused with the reason
        return [f"{name}: Excel-bestand niet te lezen ({type(exc).__name__})"]
    try:
        if ds.sheet not in wb.sheetnames:
            return [f"{name}: werkblad '{ds.sheet}' ontbreekt (gevonden: {', '.join(wb.sheetnames)})"]
        rows = [_row_values(r) for r in wb[ds.sheet].iter_rows(min_row=1, max_row=ds.header_row + 5, values_only=True)]
    finally:
        wb.close()
    expected = [c.header for c in ds.columns]
    header = rows[ds.header_row - 1] if len(rows) >= ds.header_row else []
    if header != expected:
        elsewhere = next((i + 1 for i, r in enumerate(rows) if r == expected), None)
        if elsewhere:
            return [
                f"{name}, werkblad {ds.sheet}: de kopregel staat in rij {elsewhere}; afgesproken is rij {ds.header_row}"
            ]
        return _header_problems(name, header, ds, where=f"werkblad {ds.sheet}, rij {ds.header_row}")
    if len(rows) <= ds.header_row or not any(rows[ds.header_row :]):
        return [f"{name}, werkblad {ds.sheet}: alleen een kopregel, geen gegevens"]
    return []


def _row_values(row) -> list[str]:
    values = [_cell_text(v) for v in row]
    while values and values[-1] == "":
        values.pop()
    return values


def _cell_text(value) -> str:
    """An Excel cell as text: numbers without float noise (7.3, 12), dates ISO, empty as ''."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _xlsx_chunks(path: Path, ds: Dataset) -> Iterator[bytes]:
    """The agreed sheet as CSV text for COPY: the header, then one line per Excel row (empty rows at
    the end left out), so that _line is the Excel row number."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=ds.delimiter, quotechar=ds.quote, lineterminator="\n")
        writer.writerow([c.header for c in ds.columns])
        pending_empty = 0
        width = len(ds.columns)
        for row in wb[ds.sheet].iter_rows(min_row=ds.header_row + 1, values_only=True):
            values = _row_values(row)
            if not values:
                pending_empty += 1
                continue
            for _ in range(pending_empty):
                writer.writerow([""] * width)
            pending_empty = 0
            writer.writerow(values + [""] * (width - len(values)) if len(values) < width else values)
            if buffer.tell() >= CHUNK:
                yield from _flush(buffer, None)
        yield from _flush(buffer, None)
    finally:
        wb.close()


def check_structure(path: Path, ds: Dataset) -> tuple[list[str], int]:
    """Streamed checks of what COPY cannot judge well: BOM, encoding, line ends, header, truncation.

    Returns the problems found and the byte offset where the CSV text starts (after a BOM).
    """
    if ds.file_format == "xlsx":
        return check_xlsx(path, ds), 0
    problems: list[str] = []
    name = path.name
    with path.open("rb") as fh:
        head = fh.read(CHUNK)
        if not head:
            return [f"{name}: het bestand is leeg (0 bytes)"], 0
        has_bom = head.startswith(codecs.BOM_UTF8)
        offset = 3 if has_bom else 0
        if ds.encoding == "utf-8-sig" and not has_bom:
            problems.append(f"{name}: verwacht UTF-8 met BOM; het bestand begint niet met een BOM")
        if ds.encoding != "utf-8-sig" and has_bom:
            problems.append(
                f"{name}: het bestand begint met een UTF-8 BOM; afgesproken is {ENCODING_NAMES[ds.encoding]}"
            )
        nl = head.find(b"\n", offset)
        header_bytes = head[offset:] if nl < 0 else head[offset : nl + 1]
        if nl < 0 and len(head) == CHUNK:
            return [*problems, f"{name}: geen regeleinde in de eerste MiB; is dit een CSV-bestand?"], offset
        # header: decode with the agreed encoding
        try:
            header_text = header_bytes.decode("cp1252" if ds.encoding == "cp1252" else "utf-8")
        except UnicodeDecodeError:
            problem = f"{name}, regel 1 (kopregel): tekens passen niet bij de afgesproken codering"
            return [*problems, f"{problem} {ENCODING_NAMES[ds.encoding]}"], offset
        problems += _check_line_end(name, header_text, ds, line_no=1)
        problems += _check_header(name, header_text.rstrip("\r\n"), ds)
        if problems:
            return problems, offset
        # body: encoding, line ends and a final line end, streamed
        problems += _check_body(fh, head, ds, name)
    return problems, offset


def _check_line_end(name: str, line: str, ds: Dataset, line_no: int) -> list[str]:
    ends_crlf = line.endswith("\r\n")
    if not line.endswith("\n"):
        return []
    if ds.line_end == "crlf" and not ends_crlf:
        return [f"{name}, regel {line_no}: regeleinde is LF (\\n); afgesproken is {LINE_END_NAMES['crlf']}"]
    if ds.line_end == "lf" and ends_crlf:
        return [f"{name}, regel {line_no}: regeleinde is CRLF (\\r\\n); afgesproken is {LINE_END_NAMES['lf']}"]
    return []


def _check_header(name: str, header: str, ds: Dataset) -> list[str]:
    found = next(csv.reader([header], delimiter=ds.delimiter, quotechar=ds.quote))
    return _header_problems(name, found, ds, header)


def _header_problems(name: str, found: list[str], ds: Dataset, header: str = "", where: str = "regel 1") -> list[str]:
    expected = [c.header for c in ds.columns]
    exp_txt = ds.delimiter.join(expected)
    if len(found) == 1 and len(expected) > 1:
        for other in (";", ",", "\t", "|"):
            if other != ds.delimiter and other in header:
                shown = "tab" if other == "\t" else f"'{other}'"
                return [
                    f"{name}, {where} (kopregel): scheidingsteken {shown} gevonden; afgesproken is "
                    f"'{ds.delimiter}'. Verwachte kopregel: {exp_txt}"
                ]
    if found == expected:
        return []
    problems = []
    missing = [c for c in expected if c not in found]
    extra = [c for c in found if c not in expected]
    if missing:
        problems.append(f"{name}, {where} (kopregel): kolom(men) ontbreken: {', '.join(missing)}")
    if extra:
        problems.append(
            f"{name}, {where} (kopregel): niet afgesproken kolom(men): {', '.join(extra)} — "
            "extra kolommen kunnen persoonsgegevens bevatten en worden niet aangenomen"
        )
    if not missing and not extra:
        problems.append(f"{name}, {where} (kopregel): kolommen in een andere volgorde; verwacht: {exp_txt}")
    return problems


def _check_body(fh, head: bytes, ds: Dataset, name: str) -> list[str]:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok, non_ascii = True, False
    line_no, prev_cr, last = 1, False, b""
    chunk = head
    problems: list[str] = []
    while chunk:
        if not chunk.isascii():
            non_ascii = True
            if utf8_ok:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    utf8_ok = False
                    if ds.encoding != "cp1252":
                        bad_line = line_no + chunk.count(b"\n", 0, exc.start)
                        problems.append(
                            f"{name}, regel {bad_line}: geen geldige UTF-8 (byte 0x{chunk[exc.start]:02x}); "
                            f"afgesproken is {ENCODING_NAMES[ds.encoding]}"
                        )
                        return problems
        lf = chunk.count(b"\n")
        crlf = chunk.count(b"\r\n") + (1 if prev_cr and chunk.startswith(b"\n") else 0)
        if ds.line_end == "crlf" and crlf != lf:
            return [
                f"{name}: regels eindigen (deels) op LF zonder CR rond regel {line_no}; "
                f"afgesproken is {LINE_END_NAMES['crlf']}"
            ]
        if ds.line_end == "lf" and crlf:
            return [f"{name}: regeleinde CRLF gevonden rond regel {line_no}; afgesproken is {LINE_END_NAMES['lf']}"]
        line_no += lf
        prev_cr = chunk.endswith(b"\r")
        last = chunk
        chunk = fh.read(CHUNK)
    if ds.encoding == "cp1252" and non_ascii and utf8_ok:
        problems.append(f"{name}: het bestand is UTF-8 gecodeerd; afgesproken is Windows-1252")
    if not last.endswith(b"\n"):
        problems.append(
            f"{name}, regel {line_no}: de laatste regel eindigt niet met een regeleinde — "
            "het bestand lijkt afgebroken (onvolledig verstuurd?)"
        )
    return problems


# --------------------------------------------------------------------------- ledger helpers


def _ledger_insert(
    conn,
    partner: str,
    ds: Dataset | None,
    period: Period | None,
    path: Path,
    sha: str,
    size: int,
    status: str,
    reason: str | None = None,
) -> int:
    mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    row = conn.execute(
        """INSERT INTO mdw_meta.load_ledger
               (partner, dataset, file_name, sha256, size_bytes, period, period_start, period_end,
                file_modified_at, status, reason)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING delivery_id""",
        (
            partner,
            ds.id if ds else None,
            path.name,
            sha,
            size,
            period.label if period else None,
            period.start if period else None,
            period.end if period else None,
            mtime,
            status,
            reason,
        ),
    ).fetchone()
    return int(row[0])


def _stored_path(path: Path, folder: Path, delivery_id: int) -> Path:
    return folder / f"{delivery_id:08d}__{path.name}"


def _store(path: Path, folder: Path, delivery_id: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    dest = _stored_path(path, folder, delivery_id)
    shutil.move(str(path), dest)
    return dest


def _quarantine(conn, path: Path, partner: str, delivery_id: int, problems: list[str]) -> DeliveryRejected:
    rejected = DeliveryRejected(path.name, problems, delivery_id)
    dest = _store(path, config.paths().quarantine / partner, delivery_id)
    dest.chmod(0o600)  # a refused delivery may hold personal data (SDD: BSN)
    dest.with_name(dest.name + ".reden.txt").write_text(rejected.message + "\n", encoding="utf-8")
    conn.execute(
        "UPDATE mdw_meta.load_ledger SET status = 'quarantined', reason = %s, stored_as = %s WHERE delivery_id = %s",
        (rejected.message, str(dest), delivery_id),
    )
    conn.commit()
    log.error("%s", rejected.message)
    return rejected


# --------------------------------------------------------------------------- COPY and validation


def _copy_into_work_table(conn, path: Path, ds: Dataset, offset: int, work: str, archive_copy: Path | None) -> int:
    """COPY the file into ``loading.<work>``: the text as delivered, its file line, and the typed
    value of every date/number column computed during the COPY (a generated column that is
    NULL when the text does not parse), so the checks and the swap never parse again."""
    cols = [sql.SQL("{} text").format(sql.Identifier(c.header)) for c in ds.columns]
    cols += [
        sql.SQL("{} {} GENERATED ALWAYS AS ({}) STORED").format(
            sql.Identifier(f"{c.name}__typed"), sql.SQL(PG_TYPES[c.type]), sql.SQL(typed_expression(ds, c))
        )
        for c in ds.columns
        if c.type != "text"
    ]
    conn.execute(
        sql.SQL("CREATE TABLE loading.{} (_line integer GENERATED ALWAYS AS IDENTITY (START WITH {}), {})").format(
            sql.Identifier(work), sql.Literal(ds.header_row + 1), sql.SQL(", ").join(cols)
        )
    )
    headers = sql.SQL(", ").join(sql.Identifier(c.header) for c in ds.columns)
    # FORCE_NULL: a quoted empty field ("", as BLIK writes every field) is empty, like an unquoted one
    copy_sql = sql.SQL(
        "COPY loading.{} ({}) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER {}, QUOTE {}, ENCODING {}, "
        "FORCE_NULL ({}))"
    ).format(
        sql.Identifier(work),
        headers,
        sql.Literal(ds.delimiter),
        sql.Literal(ds.quote),
        sql.Literal("UTF8" if ds.pseudonymised else ds.pg_encoding),
        headers,
    )
    with conn.cursor() as cur:
        with cur.copy(copy_sql) as copy:
            if ds.file_format == "xlsx":
                chunks = _xlsx_chunks(path, ds)
            elif ds.pseudonymised:
                chunks = _pseudonymised_chunks(path, ds, archive_copy)
            else:
                chunks = _raw_chunks(path, offset)
            for chunk in chunks:
                copy.write(chunk)
        return cur.rowcount


def _raw_chunks(path: Path, offset: int) -> Iterator[bytes]:
    with path.open("rb") as fh:
        fh.seek(offset)
        while chunk := fh.read(CHUNK):
            yield chunk


class _StreamProblems(Exception):
    """Problems found while streaming a file into COPY; raising it aborts the COPY."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _pseudonymised_chunks(path: Path, ds: Dataset, archive_copy: Path | None) -> Iterator[bytes]:
    """The file with every BSN checked (11-proef) and replaced by its keyed pseudonym, streamed.

    Nothing with a BSN is written anywhere: the rows go to COPY (and to the pseudonymised
    archive copy) only after replacement. An invalid BSN is reported by line, never by value.
    """
    from . import pseudonym

    key = pseudonym.key()
    columns = [i for i, c in enumerate(ds.columns) if c.pseudonymise]
    problems: list[str] = []
    invalid = 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=ds.delimiter, quotechar=ds.quote, lineterminator="\n")
    encoding = "utf-8-sig" if ds.encoding == "utf-8-sig" else ds.encoding
    archive = archive_copy.open("w", encoding="utf-8", newline="") if archive_copy else None
    try:
        with path.open("r", encoding=encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=ds.delimiter, quotechar=ds.quote)
            writer.writerow(next(reader))
            for line_no, row in enumerate(reader, start=2):
                for i in columns:
                    if i < len(row):
                        if pseudonym.is_valid_bsn(row[i]):
                            row[i] = pseudonym.pseudonymise(key, row[i])
                        else:
                            invalid += 1
                            if len(problems) < MAX_PROBLEMS:
                                problems.append(
                                    f"{path.name}, regel {line_no}, kolom {ds.columns[i].header}: geen geldig BSN "
                                    "(verwacht 9 cijfers die aan de 11-proef voldoen; de waarde wordt niet herhaald)"
                                )
                            row[i] = ""
                writer.writerow(row)
                if buffer.tell() >= CHUNK:
                    yield from _flush(buffer, archive)
            yield from _flush(buffer, archive)
    finally:
        if archive:
            archive.close()
    if invalid:
        if invalid > len(problems):
            problems.append(f"{path.name}: in totaal {invalid} regel(s) met een ongeldig BSN")
        raise _StreamProblems(problems)


def _flush(buffer: io.StringIO, archive) -> Iterator[bytes]:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    if archive:
        archive.write(text)
    if text:
        yield text.encode("utf-8")


def copy_error_message(name: str, exc: Exception) -> str:
    """A COPY error as a message; the offending value is never repeated (it may be personal data)."""
    import re

    diag = getattr(exc, "diag", None)
    primary = (diag.message_primary if diag else None) or str(exc).splitlines()[0]
    context = (diag.context if diag else "") or ""
    m = re.search(r"line (\d+)(?:, column ([^:]+))?", context)
    where = f", regel {m.group(1)}" + (f", kolom {m.group(2)}" if m.group(2) else "") if m else ""
    translations = {
        "extra data after last expected column": (
            "meer velden dan kolommen in de kopregel (scheidingsteken in een waarde zonder aanhalingstekens?)"
        ),
        "missing data for column": "minder velden dan kolommen in de kopregel",
        "unterminated CSV quoted field": (
            "veld met een openend aanhalingsteken dat niet wordt gesloten (afgebroken bestand?)"
        ),
        "invalid byte sequence for encoding": "ongeldige tekens voor de afgesproken codering",
        "has no equivalent in encoding": "teken dat niet bestaat in de afgesproken codering",
        "literal carriage return found in data": "losse CR in de gegevens (gemengde regeleinden?)",
        "literal newline found in data": "losse regelovergang in de gegevens",
    }
    text = next((nl for en, nl in translations.items() if en in primary), primary)
    if "has no equivalent" in primary or "invalid byte sequence" in primary:
        text = f"{text} ({primary.split(':')[0]})"
    return f"{name}{where}: {text}"


# --------------------------------------------------------------------------- main entry


def ingest_file(path: Path, partner: str, tgt: PgTarget, validator) -> Outcome:
    """Process one delivered file. Raises ``DeliveryRejected`` when the file is refused."""
    name = path.name
    sha, size = fingerprint(path)
    with connect(tgt) as conn:
        try:
            ds, period = registry.identify(partner, name)
        except ValueError as exc:
            delivery_id = _ledger_insert(conn, partner, None, None, path, sha, size, "loading")
            raise _quarantine(conn, path, partner, delivery_id, [str(exc)]) from None

        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (ds.id,))  # one load per dataset at a time
        conn.commit()
        try:
            return _ingest_locked(conn, path, partner, ds, period, sha, size, validator)
        finally:
            conn.rollback()
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (ds.id,))
            conn.commit()


def _ingest_locked(conn, path, partner, ds, period, sha, size, validator) -> Outcome:
    name = path.name
    _clean_up_aborted_loads(conn, ds)
    prior = conn.execute(
        "SELECT delivery_id, status, reason FROM mdw_meta.load_ledger WHERE dataset = %s AND sha256 = %s "
        "ORDER BY delivery_id DESC LIMIT 1",
        (ds.id, sha),
    ).fetchone()
    if prior and prior[1] == "loaded":
        conn.execute(
            "UPDATE mdw_meta.load_ledger SET times_received = times_received + 1, last_received_at = now() "
            "WHERE delivery_id = %s",
            (prior[0],),
        )
        conn.commit()
        archived = conn.execute(
            "SELECT stored_as FROM mdw_meta.load_ledger WHERE delivery_id = %s", (prior[0],)
        ).fetchone()[0]
        if archived and not Path(archived).exists() and not ds.pseudonymised:  # archiving was interrupted
            _store(path, Path(archived).parent, prior[0])
        else:
            path.unlink()  # the archive holds these exact bytes already (same sha256)
        msg = f"{name}: byte-identiek aan levering {prior[0]}; niets gewijzigd"
        log.info(msg)
        return Outcome(name, ds.id, period.label, prior[0], "unchanged", message=msg)
    if prior and prior[1] == "quarantined":
        conn.execute(
            "UPDATE mdw_meta.load_ledger SET times_received = times_received + 1, last_received_at = now() "
            "WHERE delivery_id = %s",
            (prior[0],),
        )
        conn.commit()
        dest = _store(path, config.paths().quarantine / partner, prior[0])
        log.error("%s: identical to refused delivery %s, moved to %s", name, prior[0], dest)
        raise DeliveryRejected(
            name,
            [f"byte-identiek aan de eerder geweigerde levering {prior[0]}", *(prior[2] or "").splitlines()[1:]],
            prior[0],
        )

    delivery_id = _ledger_insert(conn, partner, ds, period, path, sha, size, "loading")
    conn.commit()
    work = ds.partition(delivery_id)
    clock = _Clock()
    archive_copy = None
    if ds.pseudonymised:  # what is archived is the pseudonymised copy written during the COPY
        archive_copy = _stored_path(path, config.paths().archive / partner, delivery_id).with_suffix(".tmp")
        archive_copy.parent.mkdir(parents=True, exist_ok=True)
    problems, offset = check_structure(path, ds)
    clock.lap("structure")
    try:
        if not problems:
            try:
                rows = _copy_into_work_table(conn, path, ds, offset, work, archive_copy)
                conn.commit()
                clock.lap("copy")
            except _StreamProblems as exc:
                conn.rollback()
                problems += exc.problems
            except Exception as exc:  # noqa: BLE001 - psycopg DataError/BadCopyFileFormat/...
                conn.rollback()
                problems.append(copy_error_message(name, exc))
        if not problems:
            problems = validator.validate(ds, period, work, name)
            clock.lap("gx")
        if problems:
            raise _quarantine(conn, path, partner, delivery_id, problems)
        replaced = _swap_into_place(conn, ds, period, delivery_id, work)
        dest = _stored_path(path, config.paths().archive / partner, delivery_id)
        conn.execute(
            "UPDATE mdw_meta.load_ledger SET status = 'loaded', rows_loaded = %s, loaded_at = now(), stored_as = %s "
            "WHERE delivery_id = %s",
            (rows, str(dest), delivery_id),
        )
        conn.commit()  # the delivery is in place; only then leave the landing folder
        clock.lap("swap")
        if archive_copy:
            archive_copy.rename(dest)
            dest.with_name(dest.name + ".sha256").write_text(f"{sha}  {name} (origineel, met BSN; niet bewaard)\n")
            path.unlink()  # the delivered file with BSNs is not kept after a successful load
        else:
            _store(path, dest.parent, delivery_id)
        clock.lap("archive")
    finally:
        if archive_copy and archive_copy.exists():
            archive_copy.unlink()
        conn.rollback()
        conn.execute(sql.SQL("DROP TABLE IF EXISTS loading.{}").format(sql.Identifier(work)))
        conn.commit()
    msg = f"{name}: {rows} rijen geladen als levering {delivery_id}" + (
        f"; vervangt levering {', '.join(map(str, replaced))}" if replaced else ""
    )
    log.info(msg)
    log.info("%s stage timings (s): %s", name, clock.laps)
    return Outcome(name, ds.id, period.label, delivery_id, "loaded", rows, replaced, msg, clock.laps)


def _clean_up_aborted_loads(conn, ds: Dataset) -> None:
    """Loads of this dataset still marked 'loading' were interrupted (we hold the dataset's lock)."""
    stale = conn.execute(
        "UPDATE mdw_meta.load_ledger SET status = 'aborted', reason = %s "
        "WHERE dataset = %s AND status = 'loading' RETURNING delivery_id",
        ("lading onderbroken (proces gestopt); het bestand bleef in de landingsmap en wordt opnieuw verwerkt", ds.id),
    ).fetchall()
    for (delivery_id,) in stale:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS loading.{}").format(sql.Identifier(ds.partition(delivery_id))))
        log.warning("delivery %s of %s was interrupted earlier; marked aborted", delivery_id, ds.id)
    conn.commit()


def _swap_into_place(conn, ds: Dataset, period: Period, delivery_id: int, work: str) -> list[int]:
    """Turn the checked work table into the delivery's partition and retire what it corrects.

    Metadata only, no rewrite: the typed columns stop being generated and take the raw names,
    the text they came from is dropped, the delivery id and load time are added as constant
    defaults, and the table is attached (its CHECK constraint spares PostgreSQL the scan).
    Runs in the caller's transaction together with the ledger update.
    """
    work_id = sql.Identifier("loading", work)
    part_name = ds.partition(delivery_id)
    assert work == part_name, "work table and partition share their name"
    alters = [sql.SQL("ALTER COLUMN _line DROP IDENTITY")]
    for c in ds.columns:
        if c.type == "text" and c.header != c.name:
            alters.append(sql.SQL("RENAME COLUMN {} TO {}").format(sql.Identifier(c.header), sql.Identifier(c.name)))
    for stmt in alters:
        conn.execute(sql.SQL("ALTER TABLE {} ").format(work_id) + stmt)
    for c in ds.columns:
        if c.type != "text":
            typed = sql.Identifier(f"{c.name}__typed")
            conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} DROP EXPRESSION").format(work_id, typed))
            conn.execute(sql.SQL("ALTER TABLE {} DROP COLUMN {}").format(work_id, sql.Identifier(c.header)))
            conn.execute(
                sql.SQL("ALTER TABLE {} RENAME COLUMN {} TO {}").format(work_id, typed, sql.Identifier(c.name))
            )
    conn.execute(
        sql.SQL(
            "ALTER TABLE {} ADD COLUMN _delivery_id bigint NOT NULL DEFAULT {}, "
            "ADD COLUMN _loaded_at timestamptz NOT NULL DEFAULT now(), ADD CONSTRAINT {} CHECK (_delivery_id = {})"
        ).format(work_id, sql.Literal(delivery_id), sql.Identifier(f"{part_name}_delivery"), sql.Literal(delivery_id))
    )
    conn.execute(
        sql.SQL("ALTER TABLE {} ALTER COLUMN _delivery_id DROP DEFAULT, ALTER COLUMN _loaded_at DROP DEFAULT").format(
            work_id
        )
    )
    # the work table is named <dataset>__d<delivery>, as the partition is: moving it is enough
    conn.execute(sql.SQL("ALTER TABLE {} SET SCHEMA {}").format(work_id, sql.Identifier(ds.raw_schema)))
    part = sql.Identifier(ds.raw_schema, part_name)
    parent = sql.Identifier(ds.raw_schema, ds.name)
    conn.execute(
        sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES IN ({})").format(parent, part, sql.Literal(delivery_id))
    )
    same = "period = %s" if ds.replaces == "period" else "extract(year FROM period_start) = %s"
    replaced = [
        r[0]
        for r in conn.execute(
            "SELECT delivery_id FROM mdw_meta.load_ledger WHERE dataset = %s AND " + same + " AND status = 'loaded' "
            "AND delivery_id <> %s ORDER BY delivery_id",
            (ds.id, period.label if ds.replaces == "period" else period.start.year, delivery_id),
        ).fetchall()
    ]
    for old in replaced:
        old_part = sql.Identifier(ds.raw_schema, ds.partition(old))
        conn.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(parent, old_part))
        conn.execute(sql.SQL("DROP TABLE {}").format(old_part))
        conn.execute(
            "UPDATE mdw_meta.load_ledger SET status = 'superseded', superseded_by = %s WHERE delivery_id = %s",
            (delivery_id, old),
        )
    return replaced


def pending_files(partner: str, landing: Path | None = None) -> list[Path]:
    """Files waiting in a partner's landing folder, oldest first (a correction after its original)."""
    folder = (landing or config.paths().landing) / partner
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def ingest_partner(
    partner: str, tgt: PgTarget, landing: Path | None = None, datasets: Iterable[str] | None = None
) -> tuple[list[Outcome], list[DeliveryRejected]]:
    """Process every pending file of a partner; refused files do not stop the others.

    ``datasets`` limits the run to these dataset ids; ``None`` in it stands for files whose
    name matches no agreed delivery (they are refused).
    """
    from .validation import GxValidator

    wanted = set(datasets) if datasets else None
    files = pending_files(partner, landing)
    if wanted is not None:
        files = [f for f in files if _dataset_of(partner, f.name) in wanted]
    outcomes: list[Outcome] = []
    rejected: list[DeliveryRejected] = []
    if not files:
        return outcomes, rejected
    validator = GxValidator(tgt)
    for path in files:
        try:
            outcomes.append(ingest_file(path, partner, tgt, validator))
        except DeliveryRejected as exc:
            rejected.append(exc)
            outcomes.append(
                Outcome(
                    path.name,
                    _dataset_of(partner, path.name),
                    None,
                    exc.delivery_id,
                    "quarantined",
                    message=exc.message,
                )
            )
    return outcomes, rejected


def _dataset_of(partner: str, file_name: str) -> str | None:
    try:
        return registry.identify(partner, file_name)[0].id
    except ValueError:
        return None
