"""Refuse hostile Excel workbooks before anything opens them.

An ``.xlsx`` file is a zip container of XML parts. openpyxl trusts that container: it inflates
parts into memory, follows whatever the workbook declares and reads hidden sheets as readily as
visible ones. ``check_workbook`` looks at the container first, with streaming readers only, and
returns the problems (Dutch, for the partner); only a workbook without problems is opened.

What is inspected, in this order (a problem in steps 1–2 stops the inspection, since reading
on would mean trusting the container):

1. the file itself: empty, an OLE compound file (a password-protected workbook or an old
   ``.xls``), not a zip, a corrupt or truncated zip;
2. the zip directory: number of members, encrypted members, compression methods other than
   stored/deflate (bzip2 and lzma cannot be inflated in bounded steps), duplicate member
   names, and the *declared* sizes: total uncompressed size and compression ratio per member;
3. every member is then inflated in chunks of at most ``CHUNK`` bytes and its real size
   counted: the total and the ratio limits are enforced on what is actually inflated, so a
   directory that understates sizes does not help (``zipfile`` itself also stops at the declared
   size and then fails on the CRC: the file is reported as damaged);
4. every XML part goes through expat in chunks; a DOCTYPE (and so any ENTITY declaration, which
   can only occur inside one) stops the parse at once, before an entity can be declared, let
   alone expanded (billion laughs, external entities);
5. content: macros (``vbaProject.bin``, Excel 4.0 macro sheets, macro-enabled content types),
   ActiveX controls and embedded OLE objects, external links (``xl/externalLinks/``, data
   connections and query tables, any relationship with ``TargetMode="External"`` — cell
   hyperlinks to websites included), sheets (exactly one, named as agreed, a worksheet, visible;
   worksheet parts the workbook does not list count as hidden sheets too), and formulas without
   a cached value in the agreed sheet.

Formulas **with** a cached value are accepted. The agreement says the values are Excel numbers;
the pipeline reads the cached value (openpyxl ``data_only=True``), which is the number the
partner's Excel computed and showed, and it never evaluates a formula itself. What makes a
formula dangerous — references to other workbooks, DDE, data connections — needs an external
link part or relationship, which is refused on its own. A formula *without* a cached value has
no number at all (openpyxl would read it as an empty cell, silently dropping a figure), so that
is refused with the cells named.

Messages never repeat a cell value (it may be personal data); part names, sheet names and cell
references are structure and are named.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

from monitor_dordt_west.ingestion.registry import Dataset, display_name

MiB = 1 << 20

#: At most this many members in the zip container. A workbook written by Excel or openpyxl has
#: 10–30 (a few more with tables, drawings or comments); hundreds mean something else is packed in.
MAX_MEMBERS = 500
#: At most this many bytes inflated in total, declared and actually counted while inflating.
#: OCD's real survey workbooks are a few hundred KB inflated; 50 MiB leaves a hundredfold margin
#: and is still a small amount of memory for openpyxl (~10x the inflated XML in read-only mode).
MAX_TOTAL_UNCOMPRESSED = 50 * MiB
#: A member larger than ``RATIO_MIN_SIZE`` inflated may be at most this many times its compressed
#: size. Sheet XML compresses 5–20:1; zeros or one repeated cell (a zip bomb) 1000:1 and more.
MAX_COMPRESSION_RATIO = 100
RATIO_MIN_SIZE = 1 * MiB
#: At most this many bytes of zip directory. ``zipfile`` reads the whole directory into memory and
#: makes an object per entry before the number of members can be counted; 1 MiB is ample for
#: ``MAX_MEMBERS`` entries (46 bytes each plus name and extra fields) and bounds that memory.
MAX_DIRECTORY_SIZE = 1 * MiB
#: Inflate and parse in chunks of this size: memory stays bounded whatever the member holds.
CHUNK = 64 * 1024
#: At most this many cell references are named in a message (then a count).
MAX_CELLS_SHOWN = 5

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_LOCAL_HEADER = b"PK\x03\x04"

_MAIN_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_REL_OFFICE_DOCUMENT = "/officeDocument"
_XML_EXTENSIONS = (".xml", ".rels", ".vml")
#: Parts that hold only a printer's settings (a DEVMODE blob) are binary but harmless; Excel
#: writes them for every sheet with a page setup.
_PRINTER_SETTINGS = "xl/printerSettings/"
_MACRO_CONTENT_TYPES = ("macroenabled", "vbaproject", "macrosheet", "vbadata")
_EMBEDDING_CONTENT_TYPES = ("activex", "oleobject")
_SHEET_KINDS = {  # relationship type (last segment) -> how the sheet is named in a message
    "worksheet": "werkblad",
    "chartsheet": "grafiekblad",
    "dialogsheet": "dialoogblad",
    "macrosheet": "macroblad",
    "xlmacrosheet": "macroblad",
    "xlintlmacrosheet": "macroblad",
}
_SHEET_CONTENT_TYPES = ("worksheet+xml", "chartsheet+xml", "dialogsheet+xml", "macrosheet+xml")
_CELL, _FORMULA, _VALUE, _ROW = ({f"{ns} {local}" for ns in _MAIN_NS} for local in ("c", "f", "v", "row"))
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


class _Refused(Exception):
    """Stops the inspection: reading on would mean trusting the container."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


def check_workbook(path: Path, ds: Dataset) -> list[str]:
    """Problems of the workbook at ``path`` for dataset ``ds`` (empty: safe to open with openpyxl)."""
    name = display_name(path.name)
    with path.open("rb") as fh:
        head = fh.read(len(OLE_MAGIC))
    if not head:
        return [f"{name}: het bestand is leeg (0 bytes)"]
    if head == OLE_MAGIC:
        return [
            f"{name}: geen .xlsx-werkmap maar een OLE-bestand (een met een wachtwoord versleutelde werkmap of een "
            f"oud Excel-bestand .xls); afgesproken is een onversleutelde Excel-werkmap (.xlsx) met werkblad "
            f"'{ds.sheet}'"
        ]
    if not head.startswith(ZIP_LOCAL_HEADER):
        return [
            f"{name}: geen geldig Excel-bestand (.xlsx); afgesproken is een Excel-werkmap met werkblad '{ds.sheet}'"
        ]
    directory = _directory_size(path)
    if directory is None:
        return [_damaged(name, "de zip-inhoudsopgave ontbreekt (afgebroken bestand?)")]
    if directory > MAX_DIRECTORY_SIZE:
        return [
            f"{name}: de zip-inhoudsopgave is {_size(directory)}; toegestaan is hooguit {_size(MAX_DIRECTORY_SIZE)} "
            f"(hooguit {MAX_MEMBERS} onderdelen) — het bestand is niet geopend"
        ]
    try:
        zf = zipfile.ZipFile(path)
    except Exception:  # noqa: BLE001 - whatever zipfile cannot read is refused, never raised to the loader
        return [_damaged(name, "de zip-inhoudsopgave is onleesbaar")]
    with zf:
        infos = zf.infolist()
        problems = _directory_problems(name, infos)
        if problems:
            return problems
        try:
            return _Inspection(name, ds, zf).run()
        except _Refused as exc:
            return [exc.problem]
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
            return [_damaged(name, "een onderdeel is beschadigd of afgebroken (controlegetal of compressie onjuist)")]
        except Exception as exc:  # noqa: BLE001 - a container nobody foresaw is refused, never opened
            return [_damaged(name, f"onverwachte opbouw ({type(exc).__name__})")]


# --------------------------------------------------------------------------- the zip directory


def _directory_size(path: Path) -> int | None:
    """The size of the zip directory as the end record states it (also Zip64), before ``zipfile`` reads it."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        tail_len = min(size, 22 + 0xFFFF)  # end record plus the longest comment
        fh.seek(size - tail_len)
        tail = fh.read(tail_len)
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or len(tail) - pos < 22:
        return None
    directory = int.from_bytes(tail[pos + 12 : pos + 16], "little")
    if pos >= 76 and tail[pos - 20 : pos - 16] == b"PK\x06\x07" and tail[pos - 76 : pos - 72] == b"PK\x06\x06":
        directory = max(directory, int.from_bytes(tail[pos - 76 + 40 : pos - 76 + 48], "little"))
    return directory


def _directory_problems(name: str, infos: list[zipfile.ZipInfo]) -> list[str]:
    """What the zip directory alone shows; any of these stops the inspection."""
    if len(infos) > MAX_MEMBERS:
        return [f"{name}: de zip-container bevat {len(infos)} onderdelen; toegestaan zijn er hooguit {MAX_MEMBERS}"]
    encrypted = [i.filename for i in infos if i.flag_bits & 0x1]
    if encrypted:
        return [
            f"{name}: de zip-container bevat versleutelde onderdelen ({_listed(encrypted)}); afgesproken is een "
            "onversleutelde Excel-werkmap (.xlsx)"
        ]
    methods = [i for i in infos if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)]
    if methods:
        return [
            f"{name}: onderdeel {_shown(methods[0].filename)} is gecomprimeerd met een methode die Excel niet "
            f"gebruikt (methode {methods[0].compress_type}); afgesproken is een gewone Excel-werkmap (.xlsx)"
        ]
    seen: set[str] = set()
    for info in infos:
        if info.filename in seen:
            return [_damaged(name, f"onderdeel {_shown(info.filename)} staat meer dan eens in de zip-container")]
        seen.add(info.filename)
    problems = []
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        problems.append(_too_large(name, _size(total)))
    for info in infos:
        if info.file_size > RATIO_MIN_SIZE and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            problems.append(_too_compressed(name, info.filename, info.file_size, info.compress_size))
    return problems


def _too_large(name: str, found: str) -> str:
    return (
        f"{name}: de werkmap is uitgepakt {found}; toegestaan is hooguit {_size(MAX_TOTAL_UNCOMPRESSED)} "
        "(een werkmap van OCD is enkele honderden KB) — het bestand is niet geopend"
    )


def _too_compressed(name: str, member: str, size: int, compressed: int, counted: bool = False) -> str:
    if counted:  # stopped while inflating, as soon as the limit was passed
        ratio, inflated = f"meer dan {MAX_COMPRESSION_RATIO}", f"gestopt na {_size(size)} uitpakken"
    else:
        ratio, inflated = f"{size // max(compressed, 1)}", f"{_size(size)} uitgepakt"
    return (
        f"{name}: onderdeel {_shown(member)} is {ratio}:1 gecomprimeerd ({inflated}); toegestaan is hooguit "
        f"{MAX_COMPRESSION_RATIO}:1 voor onderdelen groter dan {_size(RATIO_MIN_SIZE)} (zip-bom?) — het "
        "bestand is niet geopend"
    )


def _damaged(name: str, detail: str) -> str:
    return f"{name}: beschadigd Excel-bestand: {detail}; afgesproken is een volledige Excel-werkmap (.xlsx)"


def _size(n: int) -> str:
    """A size for a message: whole MiB from 1 MiB on, else whole KiB (rounded up, so never '0')."""
    return f"{n // MiB} MiB" if n >= MiB else f"{-(-n // 1024)} KiB"


def _shown(text: str, limit: int = 80) -> str:
    """A part or sheet name as it may appear in a message: printable and not too long."""
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _listed(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(_shown(i) for i in items[:limit])
    return shown + (f" en nog {len(items) - limit}" if len(items) > limit else "")


# --------------------------------------------------------------------------- streaming the parts


@dataclass
class _Sheet:
    name: str
    state: str
    rid: str
    kind: str = "werkblad"
    part: str | None = None


class _SheetScan:
    """Formula cells of the agreed sheet, found while it streams through expat.

    A sheet is mostly cells without a formula, so per cell only the start of ``<c>`` and ``<v>``
    reach Python; the end and text handlers are attached when a cell has an ``<f>`` and detached
    at the end of that cell.
    """

    def __init__(self) -> None:
        self.missing: list[str] = []  # formula cells without a cached value (the first few)
        self.missing_count = 0
        self.formulas: list[str] = []  # every formula cell (the first few)
        self.formula_count = 0
        self.parser: Any = None  # the expat parser this scan is installed on
        self.row = 0
        self.last_ref = ""  # the last explicit cell reference in this row
        self.after = 0  # cells since then (references may be left out)
        self.in_value = False
        self.has_value = False

    def attach(self, parser) -> None:
        self.parser = parser
        parser.StartElementHandler = self.start

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag in _CELL:
            ref = attrs.get("r")
            if ref:
                self.last_ref, self.after = ref, 0
            else:
                self.after += 1
        elif tag in _FORMULA:
            if self.parser.EndElementHandler is None:
                self.in_value = self.has_value = False
                self.parser.EndElementHandler = self.end
                self.parser.CharacterDataHandler = self.text
        elif tag in _VALUE:
            self.in_value = True
        elif tag in _ROW:
            r = attrs.get("r", "")
            self.row = int(r) if r.isdigit() else self.row + 1
            self.last_ref, self.after = "", 0

    def text(self, data: str) -> None:
        if self.in_value and not data.isspace():
            self.has_value = True

    def end(self, tag: str) -> None:
        if tag in _VALUE:
            self.in_value = False
        elif tag in _CELL:
            self.parser.EndElementHandler = None
            self.parser.CharacterDataHandler = None
            ref = self._ref()
            self.formula_count += 1
            if len(self.formulas) < MAX_CELLS_SHOWN:
                self.formulas.append(ref)
            if not self.has_value:
                self.missing_count += 1
                if len(self.missing) < MAX_CELLS_SHOWN:
                    self.missing.append(ref)

    def _ref(self) -> str:
        """The cell's reference, rebuilt from numbers (never the raw attribute)."""
        match = _CELL_REF.fullmatch(self.last_ref)
        col = (_column_number(match.group(1)) if match else 0) + self.after
        row = int(match.group(2)) if match else self.row
        return f"{_column_letters(col)}{row}"


_NINE_DIGITS = re.compile(r"(?<![0-9])[0-9]{9}(?![0-9])")


class _BsnScan:
    """Texts of an XML part other than the agreed sheet (other sheets, hidden ones included; comments,
    document properties ...) that hold a 9-digit number passing the 11-proef; where, never what."""

    def __init__(self, place: str) -> None:
        self.place = place
        self.hits: list[str] = []
        self.ref = ""
        self.buffer: list[str] = []

    def attach(self, parser) -> None:
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.buffer.append

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self._check()
        if tag in _CELL:
            match = _CELL_REF.fullmatch(attrs.get("r", ""))
            self.ref = f"{match.group(1)}{int(match.group(2))}" if match else ""

    def end(self, tag: str) -> None:
        self._check()

    def _check(self) -> None:
        if not self.buffer:
            return
        from monitor_dordt_west.ingestion.pseudonym import is_valid_bsn

        text = "".join(self.buffer)
        self.buffer.clear()
        if any(is_valid_bsn(m.group()) for m in _NINE_DIGITS.finditer(text)):
            self.hits.append(f"{self.place}" + (f", cel {self.ref}" if self.ref else ""))


class _Inspection:
    """One pass over the members: the package's structure parts first, then all others in zip order."""

    def __init__(self, name: str, ds: Dataset, zf: zipfile.ZipFile):
        self.name = name
        self.ds = ds
        self.zf = zf
        self.infos = {i.filename: i for i in zf.infolist()}
        self.inflated = 0
        self.done: set[str] = set()
        self.defaults: dict[str, str] = {}  # extension -> content type
        self.overrides: dict[str, str] = {}  # part name -> content type
        self.rels: dict[str, list[dict[str, str]]] = {}  # .rels part -> its relationships
        self.sheets: list[_Sheet] = []
        self.cells = _SheetScan()
        self.full_calc_on_load = False
        self.bsn_hits: list[str] = []

    def _shared_strings(self) -> set[str]:
        """The shared-string parts: their texts are read (and scanned) as the cells of the agreed sheet."""
        return {
            _resolve("xl", r["Target"]) if not r["Target"].startswith("/") else r["Target"].lstrip("/")
            for rels in self.rels.values()
            for r in rels
            if r["Type"].endswith("/sharedStrings")
        } | {"xl/sharedStrings.xml"}

    def _place(self, member: str) -> str:
        sheet = next((s for s in self.sheets if s.part == member), None)
        return f"werkblad '{_shown(sheet.name, 40)}'" if sheet else f"onderdeel {_shown(member)}"

    def _bsn_problems(self) -> list[str]:
        if not self.bsn_hits:
            return []
        shown = ", ".join(self.bsn_hits[:MAX_CELLS_SHOWN])
        more = f" en nog {len(self.bsn_hits) - MAX_CELLS_SHOWN}" if len(self.bsn_hits) > MAX_CELLS_SHOWN else ""
        return [
            f"{self.name}: {len(self.bsn_hits)} keer een getal dat eruitziet als een BSN (9 cijfers die aan de "
            f"11-proef voldoen) buiten het afgesproken werkblad of de afgesproken kolommen ({shown}{more}); de "
            "waarde wordt niet herhaald"
        ]

    def run(self) -> list[str]:
        ds = self.ds
        for required in ("[Content_Types].xml", "_rels/.rels"):
            if required not in self.infos:
                return [self._not_a_workbook(required)]
        self._parse("[Content_Types].xml", self._content_types_handler)
        self._parse("_rels/.rels", self._rels_handler("_rels/.rels"))
        workbook = next(
            (
                _resolve("", r["Target"])
                for r in self.rels["_rels/.rels"]
                if r["Type"].endswith(_REL_OFFICE_DOCUMENT) and r.get("TargetMode") != "External"
            ),
            None,
        )
        if workbook is None or workbook not in self.infos:
            return [self._not_a_workbook(workbook or "xl/workbook.xml")]
        self._parse(workbook, self._workbook_handler)
        workbook_rels = posixpath.join(posixpath.dirname(workbook), "_rels", posixpath.basename(workbook) + ".rels")
        if workbook_rels in self.infos:
            self._parse(workbook_rels, self._rels_handler(workbook_rels))
        by_id = {r["Id"]: r for r in self.rels.get(workbook_rels, [])}
        for sheet in self.sheets:
            rel = by_id.get(sheet.rid)
            if rel:
                sheet.kind = _SHEET_KINDS.get(rel["Type"].rsplit("/", 1)[-1].lower(), "blad")
                sheet.part = _resolve(posixpath.dirname(workbook), rel["Target"])
        agreed = next((s for s in self.sheets if s.name == ds.sheet), None)
        if agreed and agreed.kind == "werkblad" and agreed.part not in self.infos:
            return [self._not_a_workbook(agreed.part or f"het werkblad '{ds.sheet}'")]

        # every other member: counted while inflating; XML parsed (DOCTYPE refused); the agreed sheet's cells
        agreed_part = agreed.part if agreed and agreed.kind == "werkblad" else None
        for member, info in self.infos.items():
            if member in self.done:
                continue
            if member.endswith(".rels"):
                self._parse(member, self._rels_handler(member))
            elif member == agreed_part:
                self._parse(member, configure=self.cells.attach)
            elif self._is_xml(member):
                scan = None if member in self._shared_strings() else _BsnScan(self._place(member))
                self._parse(member, configure=scan.attach if scan else None)
                if scan and scan.hits:
                    self.bsn_hits += scan.hits
            else:
                for _ in self._inflate(info):
                    pass

        problems = self._bsn_problems()
        problems += self._content_problems()
        problems += self._sheet_problems(agreed)
        problems += self._formula_problems()
        return problems

    # ------------------------------------------------------------------ checks on what was collected

    def _formula_problems(self) -> list[str]:
        cells = self.cells
        if cells.missing_count:
            refs, count, what = cells.missing, cells.missing_count, "zonder opgeslagen waarde"
        elif self.full_calc_on_load and cells.formula_count:  # the stored values are declared stale
            refs, count = cells.formulas, cells.formula_count
            what = "waarvan de opgeslagen waarde niet berekend is (de werkmap vraagt om herberekening bij openen)"
        else:
            return []
        listed = ", ".join(f"cel {r}" for r in refs) + (f" en nog {count - len(refs)}" if count > len(refs) else "")
        return [
            f"{self.name}, werkblad {self.ds.sheet}: {count} formule(s) {what} ({listed}); afgesproken zijn waarden "
            "(Excel-getallen) — sla de werkmap in Excel op na herberekening, of lever de waarden in plaats van de "
            "formules"
        ]

    def _content_problems(self) -> list[str]:
        name = self.name
        types = {m: self._content_type(m) or "" for m in self.infos}
        types |= {p: t for p, t in self.overrides.items() if p not in types}
        macros = [m for m in self.infos if posixpath.basename(m).lower() == "vbaproject.bin"]
        macros += [m for m in self.infos if m.lower().startswith(("xl/macrosheets/", "xl/dialogsheets/"))]
        macros += [f"inhoudstype {t}" for t in sorted(set(types.values())) if _has(t, _MACRO_CONTENT_TYPES)]
        embedded = [
            m
            for m in self.infos
            if m not in macros
            and (
                m.lower().startswith(("xl/activex/", "xl/embeddings/"))
                or (m.lower().endswith(".bin") and not m.startswith(_PRINTER_SETTINGS))
            )
        ]
        embedded += [f"inhoudstype {t}" for t in sorted(set(types.values())) if _has(t, _EMBEDDING_CONTENT_TYPES)]
        external = [
            m
            for m in self.infos
            if m.lower().startswith(("xl/externallinks/", "xl/querytables/")) and not m.endswith(".rels")
        ]
        external += [m for m in self.infos if m.lower() == "xl/connections.xml"]
        for part, rels in self.rels.items():
            external += [
                f"{part}: relatie {r['Type'].rsplit('/', 1)[-1] or '?'}"
                for r in rels
                if r.get("TargetMode", "").lower() == "external"
            ]
        sheet_parts = {s.part for s in self.sheets}
        orphans = [
            m
            for m, t in types.items()
            if m in self.infos and m not in sheet_parts and m not in macros and _has(t, _SHEET_CONTENT_TYPES)
        ]
        orphans += [
            m
            for m in self.infos
            if m.startswith("xl/worksheets/") and m.endswith(".xml") and m not in sheet_parts and m not in orphans
        ]
        problems = []
        if macros:
            problems.append(
                f"{name}: de werkmap bevat macro's ({_listed(macros)}); afgesproken is een werkmap zonder macro's "
                "(.xlsx)"
            )
        if embedded:
            problems.append(
                f"{name}: de werkmap bevat ingesloten objecten of ActiveX-besturingselementen ({_listed(embedded)}); "
                f"afgesproken is een werkmap met alleen werkblad '{self.ds.sheet}'"
            )
        if external:
            problems.append(
                f"{name}: de werkmap bevat externe koppelingen ({_listed(external)}); afgesproken is een werkmap "
                "zonder koppelingen naar andere bestanden, gegevensbronnen of websites"
            )
        if orphans:
            problems.append(
                f"{name}: de werkmap bevat werkbladen die niet in de bladenlijst staan ({_listed(orphans)}); "
                f"afgesproken is alleen werkblad '{self.ds.sheet}'"
            )
        return problems

    def _sheet_problems(self, agreed: _Sheet | None) -> list[str]:
        name, wanted = self.name, self.ds.sheet
        found = ", ".join(f"'{_shown(s.name, 40)}'" for s in self.sheets) or "geen werkbladen"
        if agreed is None:
            listed = ", ".join(_shown(s.name, 40) for s in self.sheets) or "geen werkbladen"
            return [f"{name}: werkblad '{wanted}' ontbreekt (gevonden: {listed})"]
        problems = []
        if len(self.sheets) > 1:
            kinds = ", ".join(
                f"'{_shown(s.name, 40)}' ({s.kind}{', verborgen' if s.state != 'visible' else ''})" for s in self.sheets
            )
            problems.append(
                f"{name}: de werkmap heeft {len(self.sheets)} bladen ({kinds}); afgesproken is één werkblad '{wanted}'"
            )
        elif agreed.kind != "werkblad":
            problems.append(f"{name}: '{wanted}' is een {agreed.kind}, geen werkblad met gegevens (gevonden: {found})")
        for sheet in self.sheets:
            if sheet.state in ("hidden", "veryHidden"):
                how = "verborgen" if sheet.state == "hidden" else "zeer verborgen (veryHidden)"
                problems.append(
                    f"{name}: werkblad '{_shown(sheet.name, 40)}' is {how}; afgesproken is één zichtbaar werkblad "
                    f"'{wanted}'"
                )
        return problems

    # ------------------------------------------------------------------ reading

    def _inflate(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """The member's bytes in chunks; the limits are enforced on what is actually inflated."""
        self.done.add(info.filename)
        size = 0
        with self.zf.open(info) as fh:
            while chunk := fh.read(CHUNK):
                size += len(chunk)
                self.inflated += len(chunk)
                if self.inflated > MAX_TOTAL_UNCOMPRESSED:
                    raise _Refused(_too_large(self.name, f"meer dan {_size(MAX_TOTAL_UNCOMPRESSED)}"))
                if size > RATIO_MIN_SIZE and size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
                    raise _Refused(_too_compressed(self.name, info.filename, size, info.compress_size, counted=True))
                yield chunk

    def _parse(self, member: str, handler: Callable | None = None, configure: Callable | None = None) -> None:
        """Stream one XML part through expat; ``handler(tag, attrs)`` sees the start of its elements, or
        ``configure(parser)`` sets the handlers."""
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

        def refuse(*_args: Any) -> Any:
            raise _Refused(
                f"{self.name}: onderdeel {_shown(member)} bevat een DOCTYPE- of ENTITY-declaratie; die horen niet in "
                "een Excel-werkmap en worden uit veiligheidsoverwegingen niet aangenomen"
            )

        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        parser.ExternalEntityRefHandler = refuse
        if handler:
            parser.StartElementHandler = handler
        if configure:
            configure(parser)
        try:
            for chunk in self._inflate(self.infos[member]):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise _Refused(
                f"{self.name}: onderdeel {_shown(member)} is geen geldige XML (regel {exc.lineno}); het bestand is "
                "beschadigd"
            ) from None

    def _is_xml(self, member: str) -> bool:
        content_type = self._content_type(member) or ""
        return member.lower().endswith(_XML_EXTENSIONS) or content_type.endswith("xml")

    def _content_type(self, member: str) -> str | None:
        ext = posixpath.splitext(member)[1].lstrip(".").lower()
        return self.overrides.get(member) or self.defaults.get(ext)

    def _not_a_workbook(self, missing: str) -> str:
        return (
            f"{self.name}: zip-bestand zonder volledige Excel-werkmap (onderdeel {_shown(missing)} ontbreekt); "
            f"afgesproken is een Excel-werkmap (.xlsx) met werkblad '{self.ds.sheet}'"
        )

    # ------------------------------------------------------------------ element handlers

    def _content_types_handler(self, tag: str, attrs: dict[str, str]) -> None:
        local = tag.rsplit(" ", 1)[-1]
        if local == "Default" and "Extension" in attrs:
            self.defaults[attrs["Extension"].lower()] = attrs.get("ContentType", "")
        elif local == "Override" and "PartName" in attrs:
            self.overrides[attrs["PartName"].lstrip("/")] = attrs.get("ContentType", "")

    def _rels_handler(self, part: str) -> Callable:
        rels = self.rels.setdefault(part, [])

        def handle(tag: str, attrs: dict[str, str]) -> None:
            if tag.rsplit(" ", 1)[-1] == "Relationship":
                rels.append({k: attrs.get(k, "") for k in ("Id", "Type", "Target", "TargetMode")})

        return handle

    def _workbook_handler(self, tag: str, attrs: dict[str, str]) -> None:
        ns, _, local = tag.rpartition(" ")
        if local == "sheet" and ns in _MAIN_NS:
            rid = next((v for k, v in attrs.items() if k.endswith(" id") and "relationships" in k), "")
            self.sheets.append(_Sheet(attrs.get("name", ""), attrs.get("state", "visible"), rid))
        elif local == "calcPr" and ns in _MAIN_NS:
            self.full_calc_on_load = attrs.get("fullCalcOnLoad", "").lower() in ("1", "true")


def _resolve(base: str, target: str) -> str:
    """A relationship target as a member name: relative to the source part's folder, or absolute."""
    joined = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
    return posixpath.normpath(joined).lstrip("/")


def _has(content_type: str | None, markers: tuple[str, ...]) -> bool:
    return content_type is not None and any(m in content_type.lower() for m in markers)


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - ord("A") + 1
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters or "A"
