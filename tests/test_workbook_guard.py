"""Hostile Excel workbooks are refused before anything opens them (workbook_guard).

Each hostile workbook is made for real: a normal OCD workbook from the project's own sample
generator, rewritten member by member into the hostile variant.
"""

from __future__ import annotations

import random
import re
import resource
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from mdw_dev.samples import bad, social
from monitor_dordt_west import config
from monitor_dordt_west.ingestion import load, raw_tables, registry, workbook_guard
from monitor_dordt_west.ingestion.pseudonym import synthetic_bsn
from monitor_dordt_west.ingestion.workbook_guard import check_workbook
from tests.conftest import query

NAME = "OCD_veiligheidsmonitor_2023.xlsx"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
MiB = 1 << 20


def _ds(name: str):
    return registry.identify("ocd", name)[0]


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> Path:
    """The OCD workbooks of the sample generator (three surveys and the kerncijfers)."""
    out = tmp_path_factory.mktemp("sample")
    social._ocd_workbooks(out, random.Random(2025))
    return out / "ocd"


@pytest.fixture
def base(samples) -> Path:
    return samples / NAME


def rewrite(
    src: Path,
    dst: Path,
    *,
    replace: dict[str, bytes | None] | None = None,
    edit: dict[str, Callable[[str], str]] | None = None,
    add: dict[str, bytes] | None = None,
) -> Path:
    """Copy a workbook member by member: ``replace`` (None drops), ``edit`` (text -> text), ``add``."""
    replace, edit, add = replace or {}, edit or {}, add or {}
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    zout.writestr(info.filename, replace[info.filename])
                continue
            data = zin.read(info.filename)
            if info.filename in edit:
                data = edit[info.filename](data.decode("utf-8")).encode("utf-8")
            zout.writestr(info.filename, data)
        for member, data in add.items():
            zout.writestr(member, data)
    return dst


def _sub(pattern: str, new: str, count: int = 1):
    def edit(text: str) -> str:
        result, n = re.subn(pattern, new, text, count=count)
        assert n, (pattern, text[:300])
        return result

    return edit


def _override(part: str, content_type: str):
    return _sub(r"</Types>", f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>')


def _workbook_rel(rid: str, kind: str, target: str, external: bool = False):
    mode = ' TargetMode="External"' if external else ""
    return _sub(
        r"</Relationships>",
        f'<Relationship Id="{rid}" Type="{R}/{kind}" Target="{target}"{mode}/></Relationships>',
    )


def _chain(*edits):
    def edit(text: str) -> str:
        for e in edits:
            text = e(text)
        return text

    return edit


def _sheet_xml(cells: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
        f'<row r="1">{cells}</row></sheetData></worksheet>'
    ).encode()


def _with_sheet(
    base: Path, dst: Path, name: str, state: str | None = None, kind: str = "worksheet", value: str = "x"
) -> Path:
    """A second sheet ``name`` (a worksheet with ``value`` in A1, or a chartsheet) listed in the workbook."""
    folder = {"worksheet": "worksheets", "chartsheet": "chartsheets"}[kind]
    state_attr = f' state="{state}"' if state else ""
    if kind == "worksheet":
        body = _sheet_xml(f'<c r="A1" t="inlineStr"><is><t>{value}</t></is></c>')
    else:
        body = f'<?xml version="1.0" encoding="UTF-8"?><chartsheet xmlns="{MAIN}"><sheetViews/></chartsheet>'.encode()
    return rewrite(
        base,
        dst,
        edit={
            "xl/workbook.xml": _sub(
                r"</sheets>", f'<sheet xmlns:r="{R}" name="{name}" sheetId="2"{state_attr} r:id="rId99"/></sheets>'
            ),
            "xl/_rels/workbook.xml.rels": _workbook_rel("rId99", kind, f"{folder}/sheet2.xml"),
            "[Content_Types].xml": _override(
                f"xl/{folder}/sheet2.xml", f"application/vnd.openxmlformats-officedocument.spreadsheetml.{kind}+xml"
            ),
        },
        add={f"xl/{folder}/sheet2.xml": body},
    )


def _cell(ref: str, xml: str):
    return _sub(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml)


# --------------------------------------------------------------------------- normal workbooks pass


def test_every_sample_workbook_passes(samples):
    workbooks = sorted(samples.glob("*.xlsx"))
    assert [p.name for p in workbooks] == [
        "OCD_gezondheidsmonitor_2020.xlsx",
        "OCD_kerncijfers_2023.xlsx",
        "OCD_veiligheidsmonitor_2023.xlsx",
        "OCD_woonmonitor_2022.xlsx",
    ]
    for path in workbooks:
        assert check_workbook(path, _ds(path.name)) == [], path.name


def test_bad_sample_workbooks_get_their_own_message(tmp_path):
    """sample_bad's OCD files: only the two with the wrong sheet are the guard's; same message as before."""
    cases = dict(bad.generate(tmp_path))
    found = {}
    for path in sorted((tmp_path / "ocd").glob("*.xlsx")):
        found[path.name] = check_workbook(path, _ds(path.name))
    assert found.pop("OCD_veiligheidsmonitor_2021.xlsx") == [
        "OCD_veiligheidsmonitor_2021.xlsx: werkblad 'Tabel' ontbreekt (gevonden: Blad1)"
    ]
    assert found.pop("OCD_kerncijfers_2021.xlsx") == [
        "OCD_kerncijfers_2021.xlsx: werkblad 'Kerncijfers' ontbreekt (gevonden: Tabel)"
    ]
    assert cases["ocd/OCD_veiligheidsmonitor_2021.xlsx"] == "werkblad 'Tabel' ontbreekt"
    assert cases["ocd/OCD_kerncijfers_2021.xlsx"] == "werkblad 'Kerncijfers' ontbreekt"
    assert found and all(v == [] for v in found.values()), found


def test_a_workbook_written_by_xlsxwriter_passes(tmp_path):
    import xlsxwriter

    path = tmp_path / NAME
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Tabel")
    ws.write_row(3, 0, registry.headers("ocd.veiligheidsmonitor"))
    ws.write_row(4, 0, ["VM_VEILIGHEID_BUURT", "x", "GM0505", "Dordrecht", 7.3, "rapportcijfer", 1850, 7.2, 7.4])
    ws.set_landscape()
    wb.close()
    assert check_workbook(path, _ds(NAME)) == []


# --------------------------------------------------------------------------- the file and the container


def test_empty_file(tmp_path):
    path = tmp_path / NAME
    path.write_bytes(b"")
    assert check_workbook(path, _ds(NAME)) == [f"{NAME}: het bestand is leeg (0 bytes)"]


def test_csv_renamed_xlsx(tmp_path):
    path = tmp_path / NAME
    path.write_text("Indicator;Waarde\nVM_VEILIGHEID_BUURT;7,3\n")
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: geen geldig Excel-bestand (.xlsx); afgesproken is een Excel-werkmap met werkblad 'Tabel'"
    ]


def test_ole_file_renamed_xlsx(tmp_path):
    path = tmp_path / NAME
    path.write_bytes(workbook_guard.OLE_MAGIC + bytes(504))
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: geen .xlsx-werkmap maar een OLE-bestand (een met een wachtwoord versleutelde werkmap of een oud "
        "Excel-bestand .xls); afgesproken is een onversleutelde Excel-werkmap (.xlsx) met werkblad 'Tabel'"
    ]


def test_truncated_zip(base, tmp_path):
    path = tmp_path / NAME
    data = base.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: beschadigd Excel-bestand: de zip-inhoudsopgave ontbreekt (afgebroken bestand?); afgesproken is "
        "een volledige Excel-werkmap (.xlsx)"
    ]


def test_damaged_member(base, tmp_path):
    """A flipped byte inside the sheet's compressed data: the CRC (or inflate) fails while streaming."""
    path = tmp_path / NAME
    data = bytearray(base.read_bytes())
    with zipfile.ZipFile(base) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: beschadigd Excel-bestand: een onderdeel is beschadigd of afgebroken (controlegetal of compressie "
        "onjuist); afgesproken is een volledige Excel-werkmap (.xlsx)"
    ]


def test_zip_without_workbook(tmp_path):
    path = tmp_path / NAME
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("gegevens.csv", "a;b\n")
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: zip-bestand zonder volledige Excel-werkmap (onderdeel [Content_Types].xml ontbreekt); afgesproken "
        "is een Excel-werkmap (.xlsx) met werkblad 'Tabel'"
    ]


def test_encrypted_member(base, tmp_path):
    path = tmp_path / NAME
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
            if info.filename == "xl/worksheets/sheet1.xml":
                zout.filelist[-1].flag_bits |= 0x1  # the directory says: encrypted
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: de zip-container bevat versleutelde onderdelen (xl/worksheets/sheet1.xml); afgesproken is een "
        "onversleutelde Excel-werkmap (.xlsx)"
    ]


def test_other_compression_method(base, tmp_path):
    path = tmp_path / NAME
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            method = zipfile.ZIP_BZIP2 if info.filename == "xl/styles.xml" else zipfile.ZIP_DEFLATED
            zout.writestr(info.filename, zin.read(info.filename), compress_type=method)
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: onderdeel xl/styles.xml is gecomprimeerd met een methode die Excel niet gebruikt (methode 12); "
        "afgesproken is een gewone Excel-werkmap (.xlsx)"
    ]


def test_duplicate_member(base, tmp_path):
    path = tmp_path / NAME
    with pytest.warns(UserWarning, match="Duplicate name"):
        rewrite(base, path, add={"xl/worksheets/sheet1.xml": _sheet_xml()})
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: beschadigd Excel-bestand: onderdeel xl/worksheets/sheet1.xml staat meer dan eens in de "
        "zip-container; afgesproken is een volledige Excel-werkmap (.xlsx)"
    ]


def test_too_many_members(base, tmp_path):
    path = rewrite(base, tmp_path / NAME, add={f"docProps/extra{i}.txt": b"x" for i in range(495)})
    with zipfile.ZipFile(path) as zf:
        assert len(zf.infolist()) == 504
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: de zip-container bevat 504 onderdelen; toegestaan zijn er hooguit 500"
    ]


def test_directory_too_large(base, tmp_path, monkeypatch):
    monkeypatch.setattr(workbook_guard, "MAX_DIRECTORY_SIZE", 4096)
    path = rewrite(base, tmp_path / NAME, add={f"docProps/{'x' * 200}{i}.txt": b"x" for i in range(30)})
    (message,) = check_workbook(path, _ds(NAME))
    assert re.fullmatch(
        rf"{NAME}: de zip-inhoudsopgave is \d+ KiB; toegestaan is hooguit 4 KiB \(hooguit 500 onderdelen\) — het "
        "bestand is niet geopend",
        message,
    ), message


# --------------------------------------------------------------------------- zip bombs


@pytest.fixture(scope="module")
def bomb(samples, tmp_path_factory) -> Path:
    """The sample workbook plus 200 MiB of zeros as an "image", written in 1 MiB steps (200 KB on disk)."""
    path = tmp_path_factory.mktemp("bomb") / NAME
    zeros = bytes(MiB)
    with zipfile.ZipFile(samples / NAME) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in zin.infolist():
            z.writestr(info.filename, zin.read(info.filename))
        with z.open("xl/media/image1.png", "w") as member:
            for _ in range(200):
                member.write(zeros)
    assert path.stat().st_size < 2 * MiB
    return path


def _measured(fn):
    """fn() with its duration, the peak of Python allocations and the growth of the process's peak RSS."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = fn()
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) * 1024
    return result, seconds, peak, rss_growth


def test_zip_bomb_is_refused_from_the_directory_without_inflating(bomb):
    problems, seconds, peak, rss_growth = _measured(lambda: check_workbook(bomb, _ds(NAME)))
    with zipfile.ZipFile(bomb) as zf:
        compressed = zf.getinfo("xl/media/image1.png").compress_size
    assert problems == [
        f"{NAME}: de werkmap is uitgepakt 200 MiB; toegestaan is hooguit 50 MiB (een werkmap van OCD is enkele "
        "honderden KB) — het bestand is niet geopend",
        f"{NAME}: onderdeel xl/media/image1.png is {200 * MiB // compressed}:1 gecomprimeerd (200 MiB uitgepakt); "
        "toegestaan is hooguit 100:1 voor onderdelen groter dan 1 MiB (zip-bom?) — het bestand is niet geopend",
    ]
    assert seconds < 0.5 and peak < 5 * MiB and rss_growth < 100 * MiB, (seconds, peak, rss_growth)


def test_zip_bomb_with_a_lying_directory_is_stopped_while_inflating(bomb, monkeypatch):
    """Should the directory not be believed (or lie), the sizes are counted while inflating: the bomb is
    stopped as soon as the member passes 100:1, long before its 200 MiB."""
    monkeypatch.setattr(workbook_guard, "_directory_problems", lambda name, infos: [])
    problems, seconds, peak, rss_growth = _measured(lambda: check_workbook(bomb, _ds(NAME)))
    (problem,) = problems
    match = re.fullmatch(
        rf"{NAME}: onderdeel xl/media/image1\.png is meer dan 100:1 gecomprimeerd \(gestopt na (\d+) MiB uitpakken\); "
        r"toegestaan is hooguit 100:1 voor onderdelen groter dan 1 MiB \(zip-bom\?\) — het bestand is niet geopend",
        problem,
    )
    assert match and int(match[1]) < 25, problem  # 100 x 200 KB compressed
    assert seconds < 2 and peak < 5 * MiB and rss_growth < 100 * MiB, (seconds, peak, rss_growth)


def test_total_size_is_counted_while_inflating(base, tmp_path, monkeypatch):
    """Incompressible members that together pass the (here lowered) total limit, the directory not believed."""
    monkeypatch.setattr(workbook_guard, "MAX_TOTAL_UNCOMPRESSED", 2 * MiB)
    monkeypatch.setattr(workbook_guard, "_directory_problems", lambda name, infos: [])
    noise = random.Random(1).randbytes(3 * MiB)
    path = rewrite(base, tmp_path / NAME, add={"xl/media/image1.png": noise})
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: de werkmap is uitgepakt meer dan 2 MiB; toegestaan is hooguit 2 MiB (een werkmap van OCD is "
        "enkele honderden KB) — het bestand is niet geopend"
    ]


def test_understated_sizes_are_refused_as_damaged(tmp_path, base):
    """A directory that states 1 MiB for 200 MiB of zeros: zipfile stops at the stated size and the CRC fails."""
    path = tmp_path / NAME
    zeros = bytes(MiB)
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for info in zin.infolist():
            z.writestr(info.filename, zin.read(info.filename))
        with z.open("xl/media/image1.png", "w") as member:
            for _ in range(200):
                member.write(zeros)
        info = z.getinfo("xl/media/image1.png")
    real = struct.pack("<III", info.CRC, info.compress_size, info.file_size)
    data = path.read_bytes()
    assert data.count(real) == 2  # local header and directory entry
    path.write_bytes(data.replace(real, struct.pack("<III", info.CRC, info.compress_size, MiB)))
    problems, seconds, peak, _ = _measured(lambda: check_workbook(path, _ds(NAME)))
    assert problems == [
        f"{NAME}: beschadigd Excel-bestand: een onderdeel is beschadigd of afgebroken (controlegetal of compressie "
        "onjuist); afgesproken is een volledige Excel-werkmap (.xlsx)"
    ]
    assert seconds < 1 and peak < 5 * MiB, (seconds, peak)


# --------------------------------------------------------------------------- XML


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    + "]><Properties>&lol9;</Properties>"
)


def test_doctype_with_entities_is_refused(base, tmp_path):
    path = rewrite(base, tmp_path / NAME, replace={"docProps/app.xml": BILLION_LAUGHS.encode()})
    problems, seconds, peak, _ = _measured(lambda: check_workbook(path, _ds(NAME)))
    assert problems == [
        f"{NAME}: onderdeel docProps/app.xml bevat een DOCTYPE- of ENTITY-declaratie; die horen niet in een "
        "Excel-werkmap en worden uit veiligheidsoverwegingen niet aangenomen"
    ]
    assert seconds < 0.5 and peak < 5 * MiB


def test_external_entity_in_the_sheet_is_refused(base, tmp_path):
    xxe = '<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
    path = rewrite(base, tmp_path / NAME, edit={"xl/worksheets/sheet1.xml": lambda t: xxe + t.split("?>", 1)[-1]})
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: onderdeel xl/worksheets/sheet1.xml bevat een DOCTYPE- of ENTITY-declaratie; die horen niet in een "
        "Excel-werkmap en worden uit veiligheidsoverwegingen niet aangenomen"
    ]


def test_malformed_xml_is_refused(base, tmp_path):
    path = rewrite(base, tmp_path / NAME, edit={"xl/styles.xml": lambda t: t[: len(t) // 2]})
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: onderdeel xl/styles.xml is geen geldige XML (regel 1); het bestand is beschadigd"
    ]


# --------------------------------------------------------------------------- macros, objects, links


def test_macro_workbook_renamed_xlsx(base, tmp_path):
    macro = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    path = rewrite(
        base,
        tmp_path / NAME,
        edit={
            "[Content_Types].xml": _chain(
                _sub(r"application/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet\.main\+xml", macro),
                _sub(
                    r"<Default ",
                    '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default ',
                ),
            ),
            "xl/_rels/workbook.xml.rels": _sub(
                r"</Relationships>",
                '<Relationship Id="rId90" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
                'Target="vbaProject.bin"/></Relationships>',
            ),
        },
        add={"xl/vbaProject.bin": workbook_guard.OLE_MAGIC + bytes(1024)},
    )
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: de werkmap bevat macro's (xl/vbaProject.bin, inhoudstype {macro}, inhoudstype "
        "application/vnd.ms-office.vbaProject); afgesproken is een werkmap zonder macro's (.xlsx)"
    ]


def test_excel4_macro_sheet(base, tmp_path):
    path = rewrite(
        base,
        tmp_path / NAME,
        edit={"[Content_Types].xml": _override("xl/macrosheets/sheet1.xml", "application/vnd.ms-excel.macrosheet+xml")},
        add={"xl/macrosheets/sheet1.xml": _sheet_xml('<c r="A1"><f>EXEC("calc")</f></c>')},
    )
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: de werkmap bevat macro's (xl/macrosheets/sheet1.xml, inhoudstype "
        "application/vnd.ms-excel.macrosheet+xml); afgesproken is een werkmap zonder macro's (.xlsx)"
    ]


def test_activex_control(base, tmp_path):
    path = rewrite(
        base,
        tmp_path / NAME,
        edit={"[Content_Types].xml": _override("xl/activeX/activeX1.xml", "application/vnd.ms-office.activeX+xml")},
        add={
            "xl/activeX/activeX1.xml": b'<?xml version="1.0"?><ax:ocx xmlns:ax="urn:x" ax:classid="{1}"/>',
            "xl/activeX/activeX1.bin": workbook_guard.OLE_MAGIC + bytes(512),
        },
    )
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: de werkmap bevat ingesloten objecten of ActiveX-besturingselementen (xl/activeX/activeX1.xml, "
        "xl/activeX/activeX1.bin, inhoudstype application/vnd.ms-office.activeX+xml); afgesproken is een werkmap "
        "met alleen werkblad 'Tabel'"
    ]


def test_printer_settings_are_not_a_macro(base, tmp_path):
    path = rewrite(
        base,
        tmp_path / NAME,
        edit={
            "[Content_Types].xml": _sub(
                r"<Default ",
                '<Default Extension="bin" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings"/><Default ',
            )
        },
        add={"xl/printerSettings/printerSettings1.bin": bytes(220)},
    )
    assert check_workbook(path, _ds(NAME)) == []


def test_external_link(base, tmp_path):
    link = (
        f'<?xml version="1.0"?><externalLink xmlns="{MAIN}" xmlns:r="{R}"><externalBook r:id="rId1">'
        '<sheetNames><sheetName val="BSN"/></sheetNames></externalBook></externalLink>'
    )
    link_rels = (
        f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{R}/externalLinkPath" '
        'Target="file:///\\\\server\\share\\bsn.xlsx" TargetMode="External"/></Relationships>'
    )
    path = rewrite(
        base,
        tmp_path / NAME,
        edit={
            "xl/_rels/workbook.xml.rels": _workbook_rel("rId91", "externalLink", "externalLinks/externalLink1.xml"),
            "[Content_Types].xml": _override(
                "xl/externalLinks/externalLink1.xml",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml",
            ),
            "xl/workbook.xml": _sub(
                r"</sheets>",
                f'</sheets><externalReferences><externalReference xmlns:r="{R}" r:id="rId91"/></externalReferences>',
            ),
        },
        add={
            "xl/externalLinks/externalLink1.xml": link.encode(),
            "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels.encode(),
        },
    )
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: de werkmap bevat externe koppelingen (xl/externalLinks/externalLink1.xml, "
        "xl/externalLinks/_rels/externalLink1.xml.rels: relatie externalLinkPath); afgesproken is een werkmap zonder "
        "koppelingen naar andere bestanden, gegevensbronnen of websites"
    ]


def test_hyperlink_to_a_website_is_an_external_link(base, tmp_path):
    rels = (
        f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{R}/hyperlink" '
        'Target="https://example.org/?q=1" TargetMode="External"/></Relationships>'
    )
    path = rewrite(base, tmp_path / NAME, add={"xl/worksheets/_rels/sheet1.xml.rels": rels.encode()})
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: de werkmap bevat externe koppelingen (xl/worksheets/_rels/sheet1.xml.rels: relatie hyperlink); "
        "afgesproken is een werkmap zonder koppelingen naar andere bestanden, gegevensbronnen of websites"
    ]


def test_data_connection_is_an_external_link(base, tmp_path):
    conn = f'<?xml version="1.0"?><connections xmlns="{MAIN}"><connection id="1" name="db"/></connections>'
    path = rewrite(base, tmp_path / NAME, add={"xl/connections.xml": conn.encode()})
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: de werkmap bevat externe koppelingen (xl/connections.xml); afgesproken is een werkmap zonder "
        "koppelingen naar andere bestanden, gegevensbronnen of websites"
    ]


# --------------------------------------------------------------------------- sheets


def test_extra_sheet(base, tmp_path):
    path = _with_sheet(base, tmp_path / NAME, "Blad2")
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: de werkmap heeft 2 bladen ('Tabel' (werkblad), 'Blad2' (werkblad)); afgesproken is één werkblad "
        "'Tabel'"
    ]


@pytest.mark.parametrize(("state", "how"), [("hidden", "verborgen"), ("veryHidden", "zeer verborgen (veryHidden)")])
def test_hidden_sheet(base, tmp_path, state, how):
    path = _with_sheet(base, tmp_path / NAME, "BSN", state=state)
    problems = check_workbook(path, _ds(NAME))
    assert problems == [
        f"{NAME}: de werkmap heeft 2 bladen ('Tabel' (werkblad), 'BSN' (werkblad, verborgen)); afgesproken is één "
        "werkblad 'Tabel'",
        f"{NAME}: werkblad 'BSN' is {how}; afgesproken is één zichtbaar werkblad 'Tabel'",
    ]


def test_the_agreed_sheet_hidden(base, tmp_path):
    path = rewrite(base, tmp_path / NAME, edit={"xl/workbook.xml": _sub(r'state="visible"', 'state="hidden"')})
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: werkblad 'Tabel' is verborgen; afgesproken is één zichtbaar werkblad 'Tabel'"
    ]


def test_chart_sheet(base, tmp_path):
    path = _with_sheet(base, tmp_path / NAME, "Grafiek1", kind="chartsheet")
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: de werkmap heeft 2 bladen ('Tabel' (werkblad), 'Grafiek1' (grafiekblad)); afgesproken is één "
        "werkblad 'Tabel'"
    ]


def test_worksheet_part_not_listed_in_the_workbook(base, tmp_path):
    """A sheet part the workbook does not list: Excel and openpyxl do not show it, the archive would keep it."""
    path = rewrite(
        base,
        tmp_path / NAME,
        edit={
            "[Content_Types].xml": _override(
                "xl/worksheets/sheet2.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
            )
        },
        add={"xl/worksheets/sheet2.xml": _sheet_xml('<c r="A1" t="inlineStr"><is><t>123456782</t></is></c>')},
    )
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}: 1 keer een getal dat eruitziet als een BSN (9 cijfers die aan de 11-proef voldoen) buiten het "
        "afgesproken werkblad of de afgesproken kolommen (onderdeel xl/worksheets/sheet2.xml, cel A1); de waarde "
        "wordt niet herhaald",
        f"{NAME}: de werkmap bevat werkbladen die niet in de bladenlijst staan (xl/worksheets/sheet2.xml); "
        "afgesproken is alleen werkblad 'Tabel'",
    ]


# --------------------------------------------------------------------------- formulas


def test_formula_without_value(base, tmp_path):
    path = rewrite(base, tmp_path / NAME, edit={"xl/worksheets/sheet1.xml": _cell("E5", '<c r="E5"><f>1+1</f></c>')})
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}, werkblad Tabel: 1 formule(s) zonder opgeslagen waarde (cel E5); afgesproken zijn waarden "
        "(Excel-getallen) — sla de werkmap in Excel op na herberekening, of lever de waarden in plaats van de formules"
    ]


def test_many_formulas_without_value_are_counted(base, tmp_path):
    edits = [_cell(f"E{r}", f'<c r="E{r}"><f>1+1</f><v/></c>') for r in range(5, 12)]
    path = rewrite(base, tmp_path / NAME, edit={"xl/worksheets/sheet1.xml": _chain(*edits)})
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}, werkblad Tabel: 7 formule(s) zonder opgeslagen waarde (cel E5, cel E6, cel E7, cel E8, cel E9 en "
        "nog 2); afgesproken zijn waarden (Excel-getallen) — sla de werkmap in Excel op na herberekening, of lever de "
        "waarden in plaats van de formules"
    ]


def test_formula_cells_are_named_also_without_references_and_when_shared(base, tmp_path):
    extra = (
        '<row r="900"><c><v>1</v></c><c><f>A900*2</f></c></row>'
        '<row r="901"><c r="C901"><f t="shared" si="0"/></c></row>'
    )
    path = rewrite(
        base, tmp_path / NAME, edit={"xl/worksheets/sheet1.xml": _sub(r"</sheetData>", extra + "</sheetData>")}
    )
    (problem,) = check_workbook(path, _ds(NAME))
    assert problem.startswith(f"{NAME}, werkblad Tabel: 2 formule(s) zonder opgeslagen waarde (cel B900, cel C901); ")


def test_formula_with_a_calculated_value_is_accepted(base, tmp_path):
    """As Excel saves it: the formula with the value it computed, no request to recalculate on opening."""
    path = rewrite(
        base,
        tmp_path / NAME,
        edit={
            "xl/worksheets/sheet1.xml": _cell("G5", '<c r="G5"><f>1800+50</f><v>1850</v></c>'),
            "xl/workbook.xml": _sub(r' fullCalcOnLoad="1"', ""),
        },
    )
    assert check_workbook(path, _ds(NAME)) == []


def test_formula_values_that_were_never_calculated(tmp_path):
    """XlsxWriter stores 0 as the value of a formula and asks Excel to recalculate on opening."""
    import xlsxwriter

    path = tmp_path / NAME
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Tabel")
    ws.write_row(3, 0, registry.headers("ocd.veiligheidsmonitor"))
    ws.write_row(4, 0, ["VM_VEILIGHEID_BUURT", "x", "GM0505", "Dordrecht"])
    ws.write_formula("E5", "=7+0.3")
    wb.close()
    assert check_workbook(path, _ds(NAME)) == [
        f"{NAME}, werkblad Tabel: 1 formule(s) waarvan de opgeslagen waarde niet berekend is (de werkmap vraagt om "
        "herberekening bij openen) (cel E5); afgesproken zijn waarden (Excel-getallen) — sla de werkmap in Excel op "
        "na herberekening, of lever de waarden in plaats van de formules"
    ]


# --------------------------------------------------------------------------- through the real ingest path


def test_hostile_workbook_is_quarantined_and_nothing_is_loaded(fresh_db, landing, base):
    bsn = synthetic_bsn(4711)
    path = _with_sheet(base, landing / "ocd" / NAME, "BSN", state="veryHidden", value=bsn)
    raw_tables.ensure_schema(fresh_db)
    outcomes, rejected = load.ingest_partner("ocd", fresh_db, landing)
    assert [o.status for o in outcomes] == ["quarantined"]
    (refusal,) = rejected
    assert refusal.message == (
        f"Levering {NAME} (levering {refusal.delivery_id}) is geweigerd en in quarantaine gezet; er is niets van "
        "geladen.\n"
        f"- {NAME}: 1 keer een getal dat eruitziet als een BSN (9 cijfers die aan de 11-proef voldoen) buiten het "
        "afgesproken werkblad of de afgesproken kolommen (werkblad 'BSN', cel A1); de waarde wordt niet herhaald\n"
        f"- {NAME}: de werkmap heeft 2 bladen ('Tabel' (werkblad), 'BSN' (werkblad, verborgen)); afgesproken is één "
        "werkblad 'Tabel'\n"
        f"- {NAME}: werkblad 'BSN' is zeer verborgen (veryHidden); afgesproken is één zichtbaar werkblad 'Tabel'"
    )
    assert bsn not in refusal.message
    assert not path.exists()
    stored = config.paths().quarantine / "ocd" / f"{refusal.delivery_id:08d}__{NAME}"
    assert stored.exists() and (stored.parent / (stored.name + ".reden.txt")).read_text(encoding="utf-8") == (
        refusal.message + "\n"
    )
    assert query(
        fresh_db,
        "SELECT status, stored_as, rows_loaded FROM mdw_meta.load_ledger WHERE delivery_id = %s",
        (refusal.delivery_id,),
    ) == [("quarantined", str(stored), None)]
    assert query(fresh_db, "SELECT count(*) FROM raw_ocd.veiligheidsmonitor") == [(0,)]
