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
import contextlib
import csv
import functools
import hashlib
import io
import logging
import os
import re
import stat
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from psycopg import sql

from monitor_dordt_west import config
from monitor_dordt_west.ingestion import ledger, registry
from monitor_dordt_west.ingestion.expectations import typed_expression
from monitor_dordt_west.ingestion.registry import Dataset, Period, display_name
from monitor_dordt_west.warehouse import credentials
from monitor_dordt_west.warehouse.connection import PgTarget, as_role, connect

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

    def __init__(self, file_name: str, problems: list[str], delivery_id: int | None = None, held: bool = False):
        self.file_name = file_name
        self.problems = [mask_bsn_like(p) for p in problems]
        self.delivery_id = delivery_id
        self.held = held
        super().__init__(self.message)

    @property
    def message(self) -> str:
        ref = f" (levering {self.delivery_id})" if self.delivery_id else ""
        what = "aangehouden ter beoordeling" if self.held else "geweigerd en in quarantaine gezet"
        lines = [f"Levering {self.file_name}{ref} is {what}; er is niets van geladen."]
        lines += [f"- {p}" for p in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            lines.append(f"- ... en nog {len(self.problems) - MAX_PROBLEMS} bevinding(en)")
        return "\n".join(lines)


_NINE_DIGITS = re.compile(r"(?<![0-9])[0-9]{9}(?![0-9])")
MAX_LISTED = 10  # names listed in one finding


def mask_bsn_like(text: str) -> str:
    """The last safety net of every message: a 9-digit token that passes the 11-proef could be a
    BSN (a value where the agreement has none, a header made of data) and is never repeated."""
    from monitor_dordt_west.ingestion.pseudonym import is_valid_bsn

    return _NINE_DIGITS.sub(
        lambda m: "<BSN-achtig getal, niet herhaald>" if is_valid_bsn(m.group()) else m.group(), text
    )


def _listed(names: list[str]) -> str:
    shown = ", ".join(display_name(n) for n in names[:MAX_LISTED])
    return shown + (f" en nog {len(names) - MAX_LISTED}" if len(names) > MAX_LISTED else "")


@dataclass
class Outcome:
    file_name: str
    dataset: str | None
    period: str | None
    delivery_id: int | None
    status: str  # loaded | unchanged | quarantined | held | skipped (left for the next run) | failed (platform)
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
    """Create (idempotently) every raw table of the registry, as the loader (its owner). The ledger,
    the raw schemas and the grants are the owner's migration (``mdw migrate``, migration.migrate)."""
    tgt = as_role(tgt, credentials.LOADER)
    with connect(tgt) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('mdw_meta.ensure_schema'))")
        require_migrated(conn)
        for ds in registry.DATASETS:
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
    with _open_regular(path) as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


ENCODING_NAMES = {"cp1252": "Windows-1252", "utf-8": "UTF-8 zonder BOM", "utf-8-sig": "UTF-8 met BOM"}
LINE_END_NAMES = {"crlf": "CRLF (\\r\\n)", "lf": "LF (\\n)"}


def check_xlsx(path: Path, ds: Dataset) -> list[str]:
    """An Excel delivery: a real .xlsx, the agreed sheet, the header in the agreed row."""
    import zipfile

    from monitor_dordt_west.ingestion.workbook_guard import check_workbook

    name = display_name(path.name)
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


def _any_bsn(value: str) -> bool:
    from monitor_dordt_west.ingestion.pseudonym import is_valid_bsn

    return any(is_valid_bsn(m.group()) for m in _NINE_DIGITS.finditer(value))


def _bsn_cells(row, ds: Dataset, above_header: bool = False) -> list[str]:
    """Where in an Excel row a value looks like a BSN: a text with a 9-digit token passing the
    11-proef, or a whole number of 9 digits that passes it (a number's decimals are not a BSN)."""
    from monitor_dordt_west.ingestion.pseudonym import is_valid_bsn

    found = []
    for i, value in enumerate(row):
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            hit = float(value).is_integer() and is_valid_bsn(str(int(value)))
        else:
            text = str(value)
            hit = bool(_NINE_DIGITS.search(text)) and _any_bsn(text)
        if hit and above_header:  # a title row: the Excel column
            from openpyxl.utils import get_column_letter

            found.append(f"kolom {get_column_letter(i + 1)} (boven de kopregel)")
        elif hit:
            found.append(f"kolom {ds.columns[i].header}" if i < len(ds.columns) else "buiten de afgesproken kolommen")
        if len(found) >= MAX_BSN_HITS:
            break
    return found


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
        rows = wb[ds.sheet].iter_rows(min_row=1, values_only=True)
        for row_no, row in enumerate(rows, start=1):
            if bsn := _bsn_cells(
                row, ds, row_no < ds.header_row
            ):  # every cell: title rows and cells beyond the agreed columns too
                name = display_name(path.name)
                raise _StreamProblems(
                    [f"{name}, werkblad {ds.sheet}, rij {row_no}, {where}: {BSN_LIKE}" for where in bsn]
                )
            if row_no <= ds.header_row:
                continue
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
    """Streamed checks of what COPY cannot judge well: BOM, encoding, line ends, header, quoting,
    truncation. Returns the problems found and the byte offset where the CSV text starts (after a BOM).
    """
    if ds.file_format == "xlsx":
        return check_xlsx(path, ds), 0
    problems: list[str] = []
    name = display_name(path.name)
    with _open_regular(path) as fh:
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
        if nl < 0 and b"\r" in header_bytes.rstrip(b"\r"):
            return [*problems, f"{name}: regels eindigen op CR (\\r) zonder LF; afgesproken is {_agreed_end(ds)}"], 0
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
        # body: encoding, line ends, quoting and a final line end, streamed
        problems += _check_body(fh, head, ds, name)
    return problems, offset


def _agreed_end(ds: Dataset) -> str:
    return LINE_END_NAMES.get(ds.line_end, "LF (\\n) of CRLF (\\r\\n)")


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
    if "\r" in header:
        return [f"{name}, regel 1 (kopregel): losse CR (\\r) in de kopregel; afgesproken is {_agreed_end(ds)}"]
    if not _line_pattern(ds).fullmatch(header.encode("utf-8")):
        return [f"{name}, regel 1 (kopregel): {QUOTE_PROBLEM}"]
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
        problems.append(f"{name}, {where} (kopregel): kolom(men) ontbreken: {_listed(missing)}")
    if extra and ds.person_level:  # the 'header' may be a data line (no header row): positions only
        positions = _listed([str(i + 1) for i, c in enumerate(found) if c not in expected])
        problems.append(
            f"{name}, {where} (kopregel): niet afgesproken kolom(men) op positie {positions} (namen "
            "niet herhaald: ontbreekt de kopregel?) — extra kolommen kunnen persoonsgegevens bevatten en worden niet "
            "aangenomen"
        )
    elif extra:
        problems.append(
            f"{name}, {where} (kopregel): niet afgesproken kolom(men): {_listed(extra)} — "
            "extra kolommen kunnen persoonsgegevens bevatten en worden niet aangenomen"
        )
    if not missing and not extra:
        problems.append(f"{name}, {where} (kopregel): kolommen in een andere volgorde; verwacht: {exp_txt}")
    return problems


QUOTE_PROBLEM = (
    'aanhalingsteken (") midden in een veld, of een veld tussen aanhalingstekens dat op deze regel niet wordt '
    'gesloten; afgesproken is: een veld staat helemaal tussen "..." (een " erin verdubbeld) of bevat geen ", '
    "en een regel is één record"
)
MAX_LINE = CHUNK  # bytes; no agreed file has lines of more than a few hundred bytes


@functools.cache
def _line_pattern(ds: Dataset) -> re.Pattern[bytes]:
    """One physical line that is one complete CSV record: every field either wholly quoted (quotes
    doubled inside) or without any quote. PostgreSQL's CSV reader would otherwise take a quote in the
    middle of a field as the start of a quoted section, and merge or split records."""
    q, d = re.escape(ds.quote.encode()), re.escape(ds.delimiter.encode())
    field = rb"(?:" + q + rb"(?:[^" + q + rb"]|" + q + q + rb")*" + q + rb"|[^" + q + d + rb"\r\n]*)"
    return re.compile(field + rb"(?:" + d + field + rb")*\r?")


_NINE_DIGITS_B = re.compile(rb"(?<![0-9])[0-9]{9}(?![0-9])")
BSN_LIKE = (
    "een getal dat eruitziet als een BSN (9 cijfers die aan de 11-proef voldoen) waar de afspraak geen BSN heeft; "
    "de waarde wordt niet herhaald"
)
MAX_BSN_HITS = 5


def _bsn_like(block: bytes, first_line: int, ds: Dataset, name: str) -> list[str]:
    """Values that look like a BSN (9 digits passing the 11-proef) in a column that is not an agreed
    BSN column, in complete lines starting at line ``first_line``; positions only, never the value.
    Runs while the file streams, before anything reaches the database (or its log)."""
    from monitor_dordt_west.ingestion.pseudonym import is_valid_bsn

    hits: list[str] = []
    line_no, pos = first_line, 0
    for m in _NINE_DIGITS_B.finditer(block):
        line_no += block.count(b"\n", pos, m.start())
        pos = m.start()
        start = block.rfind(b"\n", 0, m.start()) + 1
        if start == m.start() and ds.columns[0].pseudonymise:  # the agreed BSN column (SDD: the first)
            continue
        if not is_valid_bsn(m.group().decode("ascii")):
            continue
        end = block.find(b"\n", m.start())
        column = _column_at(block[start : end if end >= 0 else len(block)], m.start() - start, ds)
        if column is not None and column.pseudonymise:
            continue
        where = f"kolom {column.header}" if column else "buiten de afgesproken kolommen"
        hits.append(f"{name}, regel {line_no}, {where}: {BSN_LIKE}")
        if len(hits) >= MAX_BSN_HITS:
            break
    return hits


def _column_at(line: bytes, offset: int, ds: Dataset):
    """The agreed column a byte offset of a line falls in (None: beyond the header's columns)."""
    quote = ds.quote.encode()
    if quote not in line[:offset]:
        index = line.count(ds.delimiter.encode(), 0, offset)
    else:  # quoted fields may hold the separator: count separators outside quotes
        index, inside = 0, False
        for byte in line[:offset]:
            if byte == quote[0]:
                inside = not inside
            elif byte == ds.delimiter.encode()[0] and not inside:
                index += 1
    return ds.columns[index] if index < len(ds.columns) else None


def _check_body(fh, head: bytes, ds: Dataset, name: str) -> list[str]:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok, non_ascii = True, False
    line_no, prev_cr, last = 1, False, b""
    pattern = _line_pattern(ds)
    quote = ds.quote.encode()
    carry, carry_line = b"", 1  # the unfinished last line of what was read so far, and its number
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
        # quoting, line by line, only where a quote occurs (most files have none)
        data = carry + chunk
        cut = data.rfind(b"\n") + 1
        if quote in data[:cut]:
            for i, line in enumerate(data[:cut].split(b"\n")[:-1]):
                if quote in line and not pattern.fullmatch(line):
                    return [f"{name}, regel {carry_line + i}: {QUOTE_PROBLEM}"]
        if bsn_hits := _bsn_like(data[:cut], carry_line, ds, name):
            return bsn_hits
        carry_line += data.count(b"\n", 0, cut)
        carry = data[cut:]
        if len(carry) > MAX_LINE:
            return [f"{name}, regel {carry_line}: regel langer dan {MAX_LINE // 1024} KiB; is dit een CSV-bestand?"]
        line_no += lf
        prev_cr = chunk.endswith(b"\r")
        last = chunk
        chunk = fh.read(CHUNK)
    if carry and quote in carry and not pattern.fullmatch(carry):
        return [f"{name}, regel {carry_line}: {QUOTE_PROBLEM}"]
    if carry and (bsn_hits := _bsn_like(carry, carry_line, ds, name)):
        return bsn_hits
    if ds.encoding == "cp1252" and non_ascii and utf8_ok:
        problems.append(f"{name}: het bestand is UTF-8 gecodeerd; afgesproken is Windows-1252")
    if not last.endswith(b"\n"):
        problems.append(
            f"{name}, regel {line_no}: de laatste regel eindigt niet met een regeleinde — "
            "het bestand lijkt afgebroken (onvolledig verstuurd?)"
        )
    return problems


# --------------------------------------------------------------------------- storage (archive, quarantine)


def _stored_name(name: str, delivery_id: int) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", display_name(name))[: registry.MAX_NAME]
    return f"{delivery_id:08d}__{safe}"


def _private_dir(folder: Path) -> Path:
    """A folder for delivered files: readable by the owner only (they may hold personal data)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(folder.stat().st_mode) != 0o700:
        folder.chmod(0o700)
    return folder


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_verified(src: Path, dest: Path, sha: str) -> None:
    """Copy ``src`` to ``dest`` (0600), via a temporary name, checking that what was written has the
    SHA-256 the ledger recorded; raises ``InfrastructureError`` when it has not."""
    tmp = dest.with_name(dest.name + ".tmp")
    digest = hashlib.sha256()
    try:
        with _open_regular(src) as fin, open(tmp, "wb", opener=_private_opener) as fout:
            while chunk := fin.read(CHUNK):
                fout.write(chunk)
            fout.flush()
            os.fsync(fout.fileno())
        with open(tmp, "rb") as check:
            while chunk := check.read(CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != sha:
            raise FileChanged(f"{display_name(src.name)}: veranderde terwijl het werd verwerkt")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _private_opener(path: str, flags: int) -> int:
    """Open for writing, owner only: also a file that exists already (a reason file of an earlier
    receipt, a leftover ``.tmp``) becomes 0600, whatever mode it had."""
    fd = os.open(path, flags | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
    except OSError:
        os.close(fd)
        raise
    return fd


def _open_regular(path: Path):
    """Open a delivered file for reading without following a symbolic link."""
    return os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb")


def sha256_of(path: Path) -> str:
    return fingerprint(path)[0]


def require_migrated(conn) -> None:
    """The ledger exists: otherwise the warehouse was not migrated (an operator's matter)."""
    if conn.execute("SELECT to_regclass('mdw_meta.load_ledger')").fetchone()[0] is None:
        raise InfrastructureError("het warehouse is niet gemigreerd: draai eerst `mdw migrate` (als eigenaar)")


class InfrastructureError(Exception):
    """A fault of the platform (disk, archive, quarantine, database), not of the delivery: the task
    fails and retries, the file stays in the landing folder, the ledger row is ``aborted``."""


class FileChanged(Exception):
    """The file changed or disappeared while it was processed: it is processed again next run."""


# --------------------------------------------------------------------------- refusal


def _refuse(conn, path: Path, partner: str, delivery_id: int, problems: list[str], status: str = "quarantined"):
    """Move the file to quarantine (0600, in a 0700 folder) with its reason, and record it: refused
    (``quarantined``) or held back for review (``held``). If the file cannot be stored, nothing is
    recorded against the partner: ``InfrastructureError``."""
    rejected = DeliveryRejected(display_name(path.name), problems, delivery_id, held=status == ledger.HELD)
    folder = config.paths().quarantine / partner
    dest = folder / _stored_name(path.name, delivery_id)
    reason = dest.with_name(dest.name + ".reden.txt")
    try:
        _private_dir(folder)
        with open(reason, "w", encoding="utf-8", opener=_private_opener) as fh:
            fh.write(rejected.message + "\n")
        os.replace(path, dest)  # the same file system as the landing folder, or EXDEV
        if not dest.is_symlink():
            dest.chmod(0o700 if dest.is_dir() else 0o600)  # a refused delivery may hold personal data
    except OSError as exc:
        with contextlib.suppress(OSError):  # e.g. EROFS: even a missing file cannot be unlinked there
            reason.unlink(missing_ok=True)
        raise InfrastructureError(
            f"{display_name(path.name)}: kon niet in quarantaine worden gezet in {folder} ({exc.strerror}); "
            "het bestand blijft in de landingsmap. Los de oorzaak op (schijfruimte, rechten, zelfde "
            "bestandssysteem als de landingsmap); de volgende run verwerkt het opnieuw."
        ) from exc
    ledger.mark_refused(conn, delivery_id, status, rejected.message, dest)
    conn.commit()
    (log.warning if status == ledger.HELD else log.error)("%s", rejected.message)
    return rejected


# --------------------------------------------------------------------------- COPY and validation


def _copy_into_work_table(
    conn, path: Path, ds: Dataset, offset: int, work: str, archive_copy: Path | None
) -> tuple[int, str | None]:
    """COPY the file into ``loading.<work>``: the text as delivered, its file line, and the typed
    value of every date/number column computed during the COPY (a generated column that is
    NULL when the text does not parse), so the checks and the swap never parse again."""
    if ds.pseudonymised:  # under the dataset's lock, which a key rotation takes too: the chain is still current
        from monitor_dordt_west.ingestion.key_rotation import check_chain

        check_chain(conn)
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
    archive_digest = hashlib.sha256() if archive_copy else None
    with conn.cursor() as cur:
        with cur.copy(copy_sql) as copy:
            if ds.file_format == "xlsx":
                chunks = _xlsx_chunks(path, ds)
            elif ds.pseudonymised:
                chunks = _pseudonymised_chunks(path, ds, archive_copy, archive_digest)
            else:
                chunks = _raw_chunks(path, offset)
            for chunk in chunks:
                copy.write(chunk)
        rows = cur.rowcount
    if archive_copy is None or archive_digest is None:
        return rows, None
    if sha256_of(archive_copy) != archive_digest.hexdigest():  # what is on disk is what was written
        raise InfrastructureError(f"{archive_copy}: de gepseudonimiseerde archiefkopie is niet correct weggeschreven")
    return rows, archive_digest.hexdigest()


def _raw_chunks(path: Path, offset: int) -> Iterator[bytes]:
    with _open_regular(path) as fh:
        fh.seek(offset)
        while chunk := fh.read(CHUNK):
            yield chunk


class _StreamProblems(Exception):
    """Problems found while streaming a file into COPY; raising it aborts the COPY."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _pseudonymised_chunks(path: Path, ds: Dataset, archive_copy: Path | None, digest=None) -> Iterator[bytes]:
    """The file with every BSN checked (11-proef) and replaced by its keyed pseudonym, streamed.

    Nothing with a BSN is written anywhere: the rows go to COPY (and to the pseudonymised
    archive copy) only after replacement. An invalid BSN is reported by line, never by value.
    """
    from monitor_dordt_west.ingestion import pseudonym

    key = pseudonym.key()
    columns = [i for i, c in enumerate(ds.columns) if c.pseudonymise]
    problems: list[str] = []
    invalid = 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=ds.delimiter, quotechar=ds.quote, lineterminator="\n")
    encoding = "utf-8-sig" if ds.encoding == "utf-8-sig" else ds.encoding
    archive = open(archive_copy, "wb", opener=_private_opener) if archive_copy else None
    try:
        with io.TextIOWrapper(_open_regular(path), encoding=encoding, newline="") as fh:
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
                                    f"{display_name(path.name)}, regel {line_no}, kolom {ds.columns[i].header}: "
                                    "geen geldig BSN "
                                    "(verwacht 9 cijfers die aan de 11-proef voldoen; de waarde wordt niet herhaald)"
                                )
                            row[i] = ""
                writer.writerow(row)
                if buffer.tell() >= CHUNK:
                    yield from _flush(buffer, archive, digest)
            yield from _flush(buffer, archive, digest)
        if archive:
            archive.flush()
            os.fsync(archive.fileno())
    finally:
        if archive:
            archive.close()
    if invalid:
        if invalid > len(problems):
            problems.append(f"{display_name(path.name)}: in totaal {invalid} regel(s) met een ongeldig BSN")
        raise _StreamProblems(problems)


def _flush(buffer: io.StringIO, archive, digest=None) -> Iterator[bytes]:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    if archive:
        archive.write(data)
        if digest is not None:
            digest.update(data)
    if data:
        yield data


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


def settle_seconds() -> float:
    """A file is picked up once it has not changed for this long (``MDW_SETTLE_SECONDS``): a file
    still being written is left for the next run."""
    return float(os.environ.get("MDW_SETTLE_SECONDS", "30"))


def _signature(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def ingest_file(path: Path, partner: str, tgt: PgTarget, validator) -> Outcome:
    """Process one delivered file. Raises ``DeliveryRejected`` when the file is refused or held,
    ``InfrastructureError`` when the platform failed (the file then stays where it is)."""
    import psycopg

    name = display_name(path.name)
    try:
        st = path.lstat()
    except FileNotFoundError:
        return _skipped(path, f"{name}: al verwerkt door een gelijktijdige run")
    if not stat.S_ISREG(st.st_mode):
        return _refuse_entry(path, partner, tgt, st)
    try:
        sha, size = fingerprint(path)
        if _signature(path.lstat()) != _signature(st):
            raise FileChanged(f"{name}: veranderde terwijl het werd gelezen")
    except (FileChanged, FileNotFoundError) as exc:
        return _skipped(path, str(exc) if isinstance(exc, FileChanged) else f"{name}: verdwenen")
    try:
        with connect(tgt) as conn:
            try:
                ds, period = registry.identify(partner, path.name)
                period_problem = registry.period_problem(period)
            except ValueError as exc:
                ds, period, period_problem = None, None, str(exc)
            if ds is None or period_problem:
                delivery_id = ledger.insert(conn, partner, ds, period, display_name(path.name), sha, size, st.st_mtime)
                raise _refuse(conn, path, partner, delivery_id, [period_problem])
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (ds.id,))  # one load per dataset at a time
            conn.commit()
            try:
                return _ingest_locked(conn, path, st, partner, ds, period, sha, size, validator)
            finally:
                with contextlib.suppress(psycopg.Error):
                    conn.rollback()
                    conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (ds.id,))
                    conn.commit()
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        raise InfrastructureError(
            f"{name}: de verbinding met het warehouse viel weg ({type(exc).__name__}); het bestand blijft in de "
            "landingsmap en de volgende run verwerkt het opnieuw (de onderbroken lading wordt dan 'aborted')."
        ) from exc


def _require_unchanged(path: Path, st: os.stat_result, sha: str, name: str) -> None:
    """Raise ``FileChanged`` unless the file still is what was fingerprinted: a file that changed while it
    was read (an upload that resumed) is read again by the next run, never refused or loaded half."""
    with contextlib.suppress(FileNotFoundError):
        if _signature(path.lstat()) == _signature(st) and sha256_of(path) == sha:
            return
    raise FileChanged(f"{name}: veranderde terwijl het werd verwerkt")


def _skipped(path: Path, reason: str) -> Outcome:
    msg = f"{reason}; het bestand blijft in de landingsmap en komt bij een volgende run aan de beurt"
    log.warning("%s", msg)
    return Outcome(display_name(path.name), None, None, None, "skipped", message=msg)


def _refuse_entry(path: Path, partner: str, tgt: PgTarget, st: os.stat_result) -> Outcome:
    """Not a regular file (a symbolic link, a folder, a pipe ...): refused without being followed or
    read; the entry itself (not what it points to) is moved to quarantine."""
    kind = "symbolische koppeling" if stat.S_ISLNK(st.st_mode) else "map" if stat.S_ISDIR(st.st_mode) else "ander"
    problem = (
        f"{display_name(path.name)}: is een {kind}, geen gewoon bestand; alleen gewone bestanden worden gelezen "
        "(de inhoud is niet gelezen en niet gevolgd)"
    )
    with connect(tgt) as conn:
        delivery_id = ledger.insert(conn, partner, None, None, display_name(path.name), None, 0, None)
        raise _refuse(conn, path, partner, delivery_id, [problem])


def _ingest_locked(conn, path, st, partner, ds, period, sha, size, validator) -> Outcome:
    name = display_name(path.name)
    _clean_up_aborted_loads(conn, ds, partner)
    try:
        if _signature(path.lstat()) != _signature(st):
            return _skipped(path, f"{name}: veranderde sinds het werd gelezen")
    except FileNotFoundError:  # another run at the same time has processed it
        msg = f"{name}: al verwerkt door een gelijktijdige run; niets gedaan"
        log.info("%s", msg)
        return Outcome(name, ds.id, period.label, None, "skipped", message=msg)

    prior = ledger.same_content(conn, ds, period, sha)
    if prior and prior.status in (ledger.LOADED, ledger.SUPERSEDED):
        return _unchanged(conn, path, partner, ds, period, prior)
    if prior and prior.status in (ledger.QUARANTINED, ledger.HELD):
        again = "geweigerde" if prior.status == ledger.QUARANTINED else "aangehouden"
        lines = [  # the earlier findings, without the header line and without earlier "byte-identiek" lines
            line[2:]
            for line in (prior.reason or "").splitlines()[1:]
            if line.startswith("- ") and not line.startswith("- byte-identiek")
        ]
        same = f"byte-identiek aan de eerder {again} levering {prior.delivery_id}"
        refused = _refuse(conn, path, partner, prior.delivery_id, [same, *lines], status=prior.status)
        ledger.count_receipt(conn, prior.delivery_id)  # only once the copy is safely in quarantine
        conn.commit()
        raise refused
    released = prior is not None and prior.status == ledger.RELEASED

    delivery_id = ledger.insert(conn, partner, ds, period, display_name(path.name), sha, size, st.st_mtime)
    conn.commit()
    order_problems, hold = _order_problems(conn, ds, period, st.st_mtime, name, released)
    if order_problems:
        try:
            refused = _refuse(
                conn, path, partner, delivery_id, order_problems, ledger.HELD if hold else ledger.QUARANTINED
            )
        except InfrastructureError as exc:
            conn.rollback()
            ledger.mark_aborted(conn, delivery_id, f"infrastructuur: {exc}")
            conn.commit()
            raise
        raise refused
    work = ds.partition(delivery_id)
    clock = _Clock()
    archive_dir = config.paths().archive / partner
    dest = archive_dir / _stored_name(path.name, delivery_id)
    archive_copy = dest.with_name(dest.name + ".tmp") if ds.pseudonymised else None
    try:
        _private_dir(archive_dir)  # inside: an archive that cannot be created is a platform fault (aborted)
        problems, rows, archive_sha = _read_and_check(conn, path, ds, period, work, archive_copy, validator, clock)
        if not problems:
            problems = _key_conflicts(conn, ds, period, delivery_id, work, name)
        if problems:
            _require_unchanged(path, st, sha, name)  # problems of a file read while it changed are not the partner's
            raise _refuse(conn, path, partner, delivery_id, problems)
        if not released:
            review = _plausibility(conn, ds, period, delivery_id, work, rows, name)
            if review:
                _require_unchanged(path, st, sha, name)
                raise _refuse(conn, path, partner, delivery_id, review, ledger.HELD)
        # archive first, verified; the delivery becomes visible only once its copy is safe
        try:
            if archive_copy:
                _require_unchanged(path, st, sha, name)  # the pseudonymised copy is of the fingerprinted bytes
                os.replace(archive_copy, dest)
                with open(dest.with_name(dest.name + ".sha256"), "w", opener=_private_opener) as fh:
                    fh.write(f"{sha}  origineel {name} (met BSN; niet bewaard)\n")
            else:
                _copy_verified(path, dest, sha)
                archive_sha = sha
        except OSError as exc:
            raise _infrastructure(f"{name}: kon niet worden gearchiveerd in {archive_dir} ({exc.strerror})") from exc
        clock.lap("archive")
        try:
            replaced = _swap_into_place(conn, ds, period, delivery_id, work)
            ledger.mark_loaded(conn, delivery_id, rows, dest, archive_sha)
            conn.commit()  # the delivery is in place; only then leave the landing folder
        except BaseException:
            dest.unlink(missing_ok=True)
            dest.with_name(dest.name + ".sha256").unlink(missing_ok=True)
            raise
        clock.lap("swap")
        try:
            path.unlink()
        except OSError as exc:  # the next run sees identical bytes, already loaded, and removes it
            log.warning("%s: geladen, maar niet uit de landingsmap verwijderd (%s)", name, exc.strerror)
    except (InfrastructureError, FileChanged) as exc:
        conn.rollback()
        ledger.mark_aborted(conn, delivery_id, f"infrastructuur: {exc}")
        conn.commit()
        if isinstance(exc, FileChanged):
            return _skipped(path, str(exc))
        raise
    except OSError as exc:
        conn.rollback()
        ledger.mark_aborted(conn, delivery_id, f"infrastructuur: {exc.strerror}")
        conn.commit()
        raise _infrastructure(f"{name}: fout in het bestandssysteem ({exc.strerror})") from exc
    finally:
        if archive_copy:
            archive_copy.unlink(missing_ok=True)
        with contextlib.suppress(Exception):
            conn.rollback()
            conn.execute(sql.SQL("DROP TABLE IF EXISTS loading.{}").format(sql.Identifier(work)))
            conn.commit()
    msg = f"{name}: {rows} rijen geladen als levering {delivery_id}" + (
        f"; vervangt levering {', '.join(map(str, replaced))}" if replaced else ""
    )
    log.info(msg)
    log.info("%s stage timings (s): %s", name, clock.laps)
    return Outcome(name, ds.id, period.label, delivery_id, "loaded", rows, replaced, msg, clock.laps)


def _infrastructure(what: str) -> InfrastructureError:
    return InfrastructureError(
        f"{what}. Het bestand blijft in de landingsmap; niets is geladen. Los de oorzaak op (schijfruimte, "
        "rechten); de volgende run verwerkt het opnieuw."
    )


def _unchanged(conn, path: Path, partner: str, ds: Dataset, period: Period, prior: ledger.Entry) -> Outcome:
    """A re-delivery of bytes already received for this period: nothing changes."""
    name = display_name(path.name)
    ledger.count_receipt(conn, prior.delivery_id)
    stored = Path(prior.stored_as) if prior.stored_as else None
    if stored is not None and not stored.exists() and not ds.pseudonymised:  # a lost archive copy: restore it
        _copy_verified(path, stored, sha256_of(path))
    conn.commit()
    path.unlink(missing_ok=True)  # the archive holds these bytes already (or their pseudonymised copy)
    state = (
        "de actieve levering"
        if prior.status == ledger.LOADED
        else f"een levering die al is vervangen door levering {prior.superseded_by}"
    )
    msg = f"{name}: byte-identiek aan levering {prior.delivery_id} ({state}); niets gewijzigd"
    log.info(msg)
    return Outcome(name, ds.id, period.label, prior.delivery_id, "unchanged", message=msg)


def _order_problems(conn, ds: Dataset, period: Period, mtime: float, name: str, released: bool):
    """A delivery never replaces data of a later period, and a file older than the delivery it
    would replace is held back. Returns (problems, hold)."""
    current = ledger.replaced_by(conn, ds, period)
    later = [e for e in current if e.period_end and e.period_end > period.end]
    if later:
        e = later[-1]
        return [
            f"{name}: een stand t/m {period.end:%d-%m-%Y} (periode {period.label}) vervangt niet de actieve, "
            f"latere stand t/m {e.period_end:%d-%m-%Y} (levering {e.delivery_id}, periode {e.period}); "
            "een correctie levert u als nieuwe versie van de laatste periode"
        ], False
    newer = [e for e in current if e.file_modified_at and e.file_modified_at.timestamp() > mtime]
    if newer and not released:
        e = newer[-1]
        mine = datetime.fromtimestamp(mtime, tz=UTC)
        return [
            f"{name}: aangehouden — het bestand is ouder ({_local(mine)}) dan de actieve levering "
            f"{e.delivery_id} die het zou vervangen ({_local(e.file_modified_at)}); een oudere versie "
            "vervangt een nieuwere niet vanzelf. Is dit toch de juiste versie, dan geeft een beheerder haar vrij: "
            "./mdw release <levering>"
        ], True
    return [], False


def _local(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%d-%m-%Y %H:%M:%S")


def _read_and_check(conn, path, ds, period, work, archive_copy, validator, clock):
    """Structure checks, COPY, GX. Problems in the file are returned (the partner's); faults of the
    platform raise. Any other error while reading the file is a refusal of that file."""
    import psycopg

    name = display_name(path.name)
    rows, archive_sha = 0, None
    try:
        problems, offset = check_structure(path, ds)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - a hostile file must not stop the run: refuse it
        log.error("%s: unexpected %s in the structure checks", name, type(exc).__name__)
        return [f"{name}: het bestand kon niet worden gelezen ({type(exc).__name__})"], 0, None
    clock.lap("structure")
    if problems:
        return problems, 0, None
    try:
        rows, archive_sha = _copy_into_work_table(conn, path, ds, offset, work, archive_copy)
        conn.commit()
        clock.lap("copy")
    except _StreamProblems as exc:
        conn.rollback()
        return exc.problems, 0, None
    except (psycopg.errors.DataError, psycopg.errors.BadCopyFileFormat) as exc:
        conn.rollback()
        return [copy_error_message(name, exc)], 0, None
    except (OSError, psycopg.OperationalError, psycopg.InterfaceError, InfrastructureError):
        raise
    except psycopg.Error as exc:
        raise _infrastructure(f"{name}: onverwachte databasefout bij COPY ({type(exc).__name__})") from exc
    except Exception as exc:  # noqa: BLE001 - e.g. a workbook the reader cannot handle: refuse that file
        conn.rollback()
        log.error("%s: unexpected %s while reading", name, type(exc).__name__)
        return [f"{name}: het bestand kon niet worden gelezen ({type(exc).__name__})"], 0, None
    problems = validator.validate(ds, period, work, name)
    clock.lap("gx")
    return problems, rows, archive_sha


def _key_conflicts(conn, ds: Dataset, period: Period, delivery_id: int, work: str, name: str) -> list[str]:
    """Keys unique across the active deliveries of a dataset (``key_scope == "dataset"``), except the
    deliveries this one replaces. Positions only: the key may identify a person."""
    if ds.key_scope != "dataset":
        return []
    replaced = {e.delivery_id for e in ledger.replaced_by(conn, ds, period)}
    others = [e.delivery_id for e in ledger.active(conn, ds) if e.delivery_id not in replaced]
    if not others:
        return []
    cols = [ds.column(h) for h in ds.key]
    on = sql.SQL(" AND ").join(
        sql.SQL("r.{} = w.{}").format(
            sql.Identifier(c.name), sql.Identifier(c.header if c.type == "text" else f"{c.name}__typed")
        )
        for c in cols
    )
    found = conn.execute(
        sql.SQL(
            "SELECT w._line, r._delivery_id, count(*) OVER () FROM loading.{} w JOIN {}.{} r ON {} "
            "WHERE r._delivery_id = ANY(%s) ORDER BY w._line LIMIT 5"
        ).format(sql.Identifier(work), sql.Identifier(ds.raw_schema), sql.Identifier(ds.name), on),
        (others,),
    ).fetchall()
    if not found:
        return []
    periods = dict(
        conn.execute(
            "SELECT delivery_id, period FROM mdw_meta.load_ledger WHERE delivery_id = ANY(%s)", ([f[1] for f in found],)
        ).fetchall()
    )
    where = "; ".join(f"regel {line} (ook in levering {d}, periode {periods[d]})" for line, d, _ in found)
    return [
        f"{name}, kolom {' + '.join(ds.key)}: {found[0][2]} regel(s) met een sleutel die al in een andere actieve "
        f"levering staat (verwacht: elke sleutel één keer in alle leveringen van {ds.example}) — {where}"
    ]


PLAUSIBILITY_MIN = 100  # the previous delivery's measure below which no comparison is made


def _plausibility(conn, ds: Dataset, period: Period, delivery_id: int, work: str, rows: int, name: str) -> list[str]:
    """Compare the delivery with the previous one of the dataset (the one it replaces, else the latest
    earlier period): its measure per month may change by at most ``ds.plausibility_factor``."""
    replaced = ledger.replaced_by(conn, ds, period, delivery_id)
    earlier = [e for e in ledger.active(conn, ds) if e.period_end and e.period_end < period.start]
    reference = (replaced or sorted(earlier, key=lambda e: e.period_end))[-1:] if (replaced or earlier) else []
    if not reference:
        return []
    ref = reference[0]
    months_ref = _months(ds, ref.period)
    months_new = _months(ds, period.label)
    if ds.plausibility_column is None:
        what, new_value, ref_value = "regels", rows, ref.rows_loaded or 0
    else:
        col = ds.column(ds.plausibility_column)
        what = f"totaal {col.header}"
        new_value = conn.execute(
            sql.SQL("SELECT coalesce(sum({}), 0) FROM loading.{}").format(
                sql.Identifier(f"{col.name}__typed"), sql.Identifier(work)
            )
        ).fetchone()[0]
        ref_value = conn.execute(
            sql.SQL("SELECT coalesce(sum({}), 0) FROM {}.{} WHERE _delivery_id = %s").format(
                sql.Identifier(col.name), sql.Identifier(ds.raw_schema), sql.Identifier(ds.name)
            ),
            (ref.delivery_id,),
        ).fetchone()[0]
    if ref_value < PLAUSIBILITY_MIN:
        return []
    ratio = (float(new_value) / months_new) / (float(ref_value) / months_ref)
    factor = ds.plausibility_factor
    if 1 / factor <= ratio <= factor:
        return []
    return [
        f"{name}: aangehouden ter beoordeling — {what} {new_value:n} ({float(new_value) / months_new:.0f} per maand) "
        f"tegen {ref_value:n} ({float(ref_value) / months_ref:.0f} per maand) in levering {ref.delivery_id} "
        f"(periode {ref.period}); dat is meer dan een factor {factor:g} verschil. Klopt de levering, dan geeft "
        f"een beheerder haar vrij: ./mdw release {delivery_id}"
    ]


def _months(ds: Dataset, label: str | None) -> int:
    if ds.period_kind == "quarter_ytd" and label:
        return 3 * int(label[-1])
    return ds.months


def _clean_up_aborted_loads(conn, ds: Dataset, partner: str) -> None:
    """Loads of this dataset still marked 'loading' were interrupted (we hold the dataset's lock):
    mark them aborted and remove what they left (work table, unfinished archive copies)."""
    for delivery_id in ledger.abort_interrupted(conn, ds):
        conn.execute(sql.SQL("DROP TABLE IF EXISTS loading.{}").format(sql.Identifier(ds.partition(delivery_id))))
        for leftover in (config.paths().archive / partner).glob(f"{delivery_id:08d}__*"):
            leftover.unlink(missing_ok=True)
        log.warning("delivery %s of %s was interrupted earlier; marked aborted", delivery_id, ds.id)
    conn.commit()


def sweep_leftovers(tgt: PgTarget, partner: str) -> None:
    """What interrupted loads of a partner left: ledger rows still ``loading``, work tables in
    ``loading`` and ``*.tmp`` files in its archive and quarantine folders whose delivery is not
    loading. Only datasets whose lock is free are swept: a load that holds its dataset's lock is
    running, and its work table and ``.tmp`` are left alone. Also makes stored files 0600."""
    with connect(tgt) as conn:
        for ds in registry.datasets(partner):
            if not conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (ds.id,)).fetchone()[0]:
                continue  # a load of this dataset is running
            try:
                _clean_up_aborted_loads(conn, ds, partner)
                ids = {
                    r[0]: r[1]
                    for r in conn.execute(
                        "SELECT delivery_id, file_name FROM mdw_meta.load_ledger WHERE dataset = %s", (ds.id,)
                    ).fetchall()
                }
                prefix = f"{ds.name}__d"
                for (table,) in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'loading' AND starts_with(tablename, %s)",
                    (prefix,),
                ).fetchall():
                    number = table[len(prefix) :]
                    if number.isdigit() and int(number) in ids:
                        conn.execute(sql.SQL("DROP TABLE IF EXISTS loading.{}").format(sql.Identifier(table)))
                conn.commit()
                for folder in (config.paths().archive / partner, config.paths().quarantine / partner):
                    if not folder.is_dir():
                        continue
                    for entry in os.scandir(folder):
                        head = entry.name.split("__", 1)[0]
                        if entry.name.endswith(".tmp") and head.isdigit() and int(head) in ids:
                            if entry.name.startswith(_stored_name(ids[int(head)], int(head))):
                                Path(entry.path).unlink(missing_ok=True)
                                log.warning("removed %s, left by an interrupted load", entry.name)
                        elif entry.is_file(follow_symlinks=False) and stat.S_IMODE(entry.stat().st_mode) & 0o077:
                            os.chmod(entry.path, 0o600)
            finally:
                conn.rollback()
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (ds.id,))
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
    replaced = [e.delivery_id for e in ledger.replaced_by(conn, ds, period, delivery_id)]
    for old in replaced:
        old_part = sql.Identifier(ds.raw_schema, ds.partition(old))
        conn.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(parent, old_part))
        conn.execute(sql.SQL("DROP TABLE {}").format(old_part))
        ledger.mark_superseded(conn, old, delivery_id)
    return replaced


def release(tgt: PgTarget, delivery_id: int, by: str) -> Path:
    """An operator releases a held delivery: its file goes back to the landing folder and the next
    run loads it without the check it was held for (order or plausibility); every other check still
    applies. Returns where the file was put."""
    tgt = as_role(tgt, credentials.LOADER)
    with connect(tgt) as conn:
        row = conn.execute(
            "SELECT partner, dataset, file_name, stored_as FROM mdw_meta.load_ledger WHERE delivery_id = %s",
            (delivery_id,),
        ).fetchone()
        if row is None:
            raise ValueError(f"levering {delivery_id} bestaat niet")
        partner, dataset_id, file_name, stored_as = row
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (dataset_id,))
        ledger.release(conn, delivery_id, by)
        folder = config.paths().landing / partner
        folder.mkdir(parents=True, exist_ok=True)
        dest = folder / file_name
        if dest.exists():
            raise ValueError(f"{display_name(file_name)} staat al in de landingsmap; verwerk of verwijder dat eerst")
        os.replace(stored_as, dest)  # keeps its modification time: the release is in the ledger, not the file
        Path(stored_as + ".reden.txt").unlink(missing_ok=True)
        conn.commit()
    log.info("delivery %s released by %s; %s is back in %s", delivery_id, by, display_name(file_name), folder)
    return dest


def pending_files(partner: str, landing: Path | None = None, settle: float | None = None) -> list[Path]:
    """Entries waiting in a partner's landing folder, oldest first (a correction after its original).

    Names starting with a dot are uploads in progress (the usual convention of SFTP clients) and are
    left alone; so is any entry changed less than ``settle`` seconds ago (still being written).
    Entries that are not regular files are returned too: they are refused, never followed.
    """
    folder = (landing or config.paths().landing) / partner
    if not folder.is_dir():
        return []
    settle = settle_seconds() if settle is None else settle
    now = time.time()
    entries = []
    for p in folder.iterdir():
        if p.name.startswith("."):
            continue
        try:
            st = p.lstat()
        except FileNotFoundError:  # taken by a concurrent run
            continue
        if now - st.st_mtime < settle:
            log.info("%s: nog in ontvangst (gewijzigd < %.0f s geleden); volgende run", display_name(p.name), settle)
            continue
        entries.append((st.st_mtime, p.name, p))
    return [p for _, _, p in sorted(entries)]


def ingest_partner(
    partner: str, tgt: PgTarget, landing: Path | None = None, datasets: Iterable[str | None] | None = None
) -> tuple[list[Outcome], list[DeliveryRejected]]:
    """Process every pending file of a partner; a refused file, or a platform fault on one file, does
    not stop the others (faults are outcomes with status ``failed``).

    ``datasets`` limits the run to these dataset ids; ``None`` in it stands for entries whose
    name matches no agreed delivery (they are refused).
    """
    tgt = as_role(tgt, credentials.LOADER)
    wanted = set(datasets) if datasets else None
    files = pending_files(partner, landing)
    if wanted is not None:
        files = [f for f in files if _dataset_of(partner, f.name) in wanted]
    outcomes: list[Outcome] = []
    rejected: list[DeliveryRejected] = []
    try:
        sweep_leftovers(tgt, partner)
    except Exception as exc:  # noqa: BLE001 - never stops the loads; the next run tries again
        log.warning("leftovers of %s not swept (%s)", partner, type(exc).__name__)
    if not files:
        return outcomes, rejected
    validator = _LazyValidator(tgt)
    for path in files:
        try:
            if _pseudonymised(partner, path.name):  # no key, or a stale one: refused before the file is touched
                from monitor_dordt_west.ingestion.key_rotation import require_current_chain

                require_current_chain(tgt)
            outcomes.append(ingest_file(path, partner, tgt, validator))
        except DeliveryRejected as exc:
            rejected.append(exc)
            outcomes.append(
                Outcome(
                    display_name(path.name),
                    _dataset_of(partner, path.name),
                    None,
                    exc.delivery_id,
                    "held" if exc.held else "quarantined",
                    message=exc.message,
                )
            )
        except Exception as exc:  # noqa: BLE001 - one file's fault must not stop the others
            if isinstance(exc, InfrastructureError):
                msg = str(exc)
                log.error("%s", msg)
            else:
                msg = f"{display_name(path.name)}: onverwachte fout ({type(exc).__name__}); het bestand blijft staan"
                log.error("%s\n%s", msg, _frames_only(exc))
            ds_id = _dataset_of(partner, path.name)
            outcomes.append(Outcome(display_name(path.name), ds_id, None, None, "failed", message=msg))
    return outcomes, rejected


class _LazyValidator:
    """The GX validator, created when the first file needs it (``import great_expectations`` ~6 s)."""

    def __init__(self, tgt: PgTarget):
        self.tgt = tgt
        self._validator = None

    def validate(self, *args):
        if self._validator is None:
            from monitor_dordt_west.ingestion.validation import GxValidator

            self._validator = GxValidator(self.tgt)
        return self._validator.validate(*args)


def _frames_only(exc: BaseException) -> str:
    """Where an exception came from, for the log: its frames and type, never its text (nor that of
    the exceptions it was raised from), which may quote a value of the file."""
    import traceback

    return "".join(traceback.format_tb(exc.__traceback__)) + type(exc).__name__


def _pseudonymised(partner: str, file_name: str) -> bool:
    try:
        ds = registry.identify(partner, file_name)[0]
    except ValueError:
        return False
    return ds is not None and ds.pseudonymised


def _dataset_of(partner: str, file_name: str) -> str | None:
    try:
        return registry.identify(partner, file_name)[0].id
    except ValueError:
        return None
