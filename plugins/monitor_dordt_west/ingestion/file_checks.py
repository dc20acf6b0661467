"""Checks on a delivered file before anything is loaded: its fingerprint, the structure of a CSV file
(encoding, BOM, line ends, header, quoting, truncation) streamed, the agreed sheet of a workbook, and
values that look like a BSN where the agreement has none. Every finding is a Dutch message for the
partner that names positions, never a value of the file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import hashlib
import os
import re
import zipfile
from pathlib import Path

from monitor_dordt_west.ingestion.pseudonym import is_valid_bsn
from monitor_dordt_west.ingestion.registry import Dataset, display_name
from monitor_dordt_west.ingestion.workbook_guard import check_workbook

CHUNK = 1 << 20  # bytes read at a time from a delivered file
MAX_PROBLEMS = 20  # findings listed in one message
_NINE_DIGITS = re.compile(r"(?<![0-9])[0-9]{9}(?![0-9])")
MAX_LISTED = 10  # names listed in one finding


def mask_bsn_like(text: str) -> str:
    """The last safety net of every message: a 9-digit token that passes the 11-proef could be a
    BSN (a value where the agreement has none, a header made of data) and is never repeated."""
    return _NINE_DIGITS.sub(
        lambda m: "<BSN-achtig getal, niet herhaald>" if is_valid_bsn(m.group()) else m.group(), text
    )


def _listed(names: list[str]) -> str:
    shown = ", ".join(display_name(n) for n in names[:MAX_LISTED])
    return shown + (f" en nog {len(names) - MAX_LISTED}" if len(names) > MAX_LISTED else "")


def fingerprint(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open_regular(path) as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def open_regular(path: Path):
    """Open a delivered file for reading without following a symbolic link."""
    return os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb")


ENCODING_NAMES = {"cp1252": "Windows-1252", "utf-8": "UTF-8 zonder BOM", "utf-8-sig": "UTF-8 met BOM"}
LINE_END_NAMES = {"crlf": "CRLF (\\r\\n)", "lf": "LF (\\n)"}


def check_xlsx(path: Path, ds: Dataset) -> list[str]:
    """An Excel delivery: a real .xlsx, the agreed sheet, the header in the agreed row."""
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
        rows = [row_values(r) for r in wb[ds.sheet].iter_rows(min_row=1, max_row=ds.header_row + 5, values_only=True)]
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


def row_values(row) -> list[str]:
    values = [_cell_text(v) for v in row]
    while values and values[-1] == "":
        values.pop()
    return values


def _cell_text(value) -> str:
    """An Excel cell as text: numbers without float noise (7.3, 12), dates ISO, empty as ''."""
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
    return any(is_valid_bsn(m.group()) for m in _NINE_DIGITS.finditer(value))


def bsn_cells(row, ds: Dataset, above_header: bool = False) -> list[str]:
    """Where in an Excel row a value looks like a BSN: a text with a 9-digit token passing the
    11-proef, or a whole number of 9 digits that passes it (a number's decimals are not a BSN)."""
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


def check_structure(path: Path, ds: Dataset) -> tuple[list[str], int]:
    """Streamed checks of what COPY cannot judge well: BOM, encoding, line ends, header, quoting,
    truncation. Returns the problems found and the byte offset where the CSV text starts (after a BOM).
    """
    if ds.file_format == "xlsx":
        return check_xlsx(path, ds), 0
    problems: list[str] = []
    name = display_name(path.name)
    with open_regular(path) as fh:
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
