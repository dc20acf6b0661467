"""The quarterly publication for the stuurgroepen, checked as a user sees it: the workbook is
opened (values, formats, suppression marks, frozen headers), the PDF rendered to images and
read, re-runs reproduce, a correction makes a new version and a revision in the next quarter.

The warehouse is built by the real pipeline from the hand-made deliveries (tests/handmade.py)
for the whole of 2024 (records in the first quarter only); every number below is worked out by
hand from them.
"""

from __future__ import annotations

import csv
import hashlib
import zipfile

import pytest

from monitor_dordt_west import config, programme
from monitor_dordt_west.orchestration import pipeline
from monitor_dordt_west.publication import assembly
from monitor_dordt_west.publication.publish import publish
from monitor_dordt_west.publication.register import ensure_register
from monitor_dordt_west.quarters import Quarter
from monitor_dordt_west.warehouse import connection
from tests import handmade
from tests.conftest import query
from tests.deliveries import MISDRIJVEN_HEADER, politie

PILLAR = "Leefbaar en veilig"
GM, DW = handmade.GM, handmade.DW
OK, NK, CH = handmade.OUD_KRISPIJN, handmade.NIEUW_KRISPIJN, handmade.CRABBEHOF


def catalogue() -> dict[str, dict]:
    with open(config.SEEDS_DIR / "indicator_catalogus.csv", encoding="utf-8") as fh:
        return {r["indicator_code"]: r for r in csv.DictReader(fh)}


def themes() -> dict[str, str]:
    with open(config.SEEDS_DIR / "operationele_doelen.csv", encoding="utf-8") as fh:
        return {r["operationeel_doel"]: r["thema"] for r in csv.DictReader(fh)}


def table_rows(ws) -> dict[tuple[str, str], list]:
    """(indicator name, area name) -> the row's cells, from a theme sheet (header on row 6)."""
    out, name = {}, None
    for row in ws.iter_rows(min_row=7):
        if row[2].value is None:
            break
        name = row[0].value or name
        out[(name, row[2].value)] = row
    return out


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def built(full_year_db):
    """The hand-made full year, loaded and built (``handmade.write_full_year``)."""
    return full_year_db


def test_publication_workbook_pdf_reproduction_and_correction(built, landing, tmp_path):
    from openpyxl import load_workbook

    cat, theme_of = catalogue(), themes()
    name = {code: row["naam"] for code, row in cat.items()}
    q4 = Quarter.parse("2024-Q4")
    # the content does not depend on the order in which a rebuild happened to write the marts' rows
    ensure_register(built)
    checksum = assembly.build_quarter(built, q4).for_pillar(PILLAR).checksum()
    with connection.connect(built) as conn:
        conn.execute("CREATE TEMP TABLE shuffled AS SELECT * FROM marts.fct_indicator_values ORDER BY random()")
        conn.execute("DELETE FROM marts.fct_indicator_values")
        conn.execute("INSERT INTO marts.fct_indicator_values SELECT * FROM shuffled ORDER BY random()")
        conn.commit()
    assert assembly.build_quarter(built, q4).for_pillar(PILLAR).checksum() == checksum
    (first,) = publish(built, q4, [PILLAR], out_root=tmp_path)
    assert (first.version, first.status) == (1, "nieuw")
    assert set(first.files) == {"xlsx", "pdf", "csv", "parquet"}

    # --- the workbook, as a board member opens it
    wb = load_workbook(first.files["xlsx"])
    pillar_themes = [
        t
        for d, t in theme_of.items()
        if any(r["operationeel_doel"] == d and r["pijler"] == PILLAR for r in cat.values())
    ]
    assert wb.sheetnames == ["Overzicht", "Grafiekdata", *pillar_themes, "Wijzigingen", "Toelichting"]
    assert wb["Grafiekdata"].sheet_state == "hidden"
    assert wb["Overzicht"]["A1"].value == "Monitor Dordt West – Leefbaar en veilig"
    assert "4e kwartaal 2024" in wb["Overzicht"]["A2"].value and "versie 1" in wb["Overzicht"]["A2"].value

    ws = wb["Misdrijven"]
    assert ws.freeze_panes == "D7"
    assert ws.print_title_rows == "$6:$6"
    assert ws.page_setup.orientation == "landscape"
    assert [c.value for c in ws[6]][:5] == ["Indicator", "Eenheid", "Gebied", "Periode", "Cijfer"]
    rows = table_rows(ws)
    total = name["pol_misdrijven_per_10k"]
    # 2024: Dordrecht 15 crimes / 3000 inhabitants, Dordt West 3 / 1500, Oud-Krispijn 2 / 1000,
    # Nieuw-Krispijn 1 / 500, Crabbehof 1 / 400 (Zuidhoven), all × 10.000
    expected = {"Dordt West": 20.0, "Oud-Krispijn": 20.0, "Nieuw-Krispijn": 20.0, "Crabbehof": 25.0, "Dordrecht": 50.0}
    for area, value in expected.items():
        cell = rows[(total, area)][4]
        assert cell.value == value, area
        assert cell.number_format == "#,##0.0"
        assert rows[(total, area)][3].value == "2024"
    assert rows[(total, "Wielwijk")][4].value == "."  # no inhabitants in the hand-made population
    # gap to Dordrecht and the Dordrecht column
    assert rows[(total, "Crabbehof")][9].value == 50.0 and rows[(total, "Crabbehof")][10].value == -25.0

    # persons: 1 young suspect in Dordt West (Oud-Krispijn), 2 in Dordrecht: suppressed, marked x;
    # Nieuw-Krispijn has 0 of 200 young inhabitants: published; Crabbehof has no young inhabitants
    young = table_rows(wb["Jongeren en politie"])
    jong = name["pol_verdachten_jong_per_1k"]
    assert [young[(jong, a)][4].value for a in ("Dordt West", "Oud-Krispijn", "Nieuw-Krispijn", "Crabbehof", "Dordrecht")] == [
        "x", "x", 0.0, ".", "x",
    ]  # fmt: skip
    assert young[(jong, "Dordt West")][4].font.i  # the mark is shown in italics
    assert young[(jong, "Dordt West")][8].value == "x"  # change since baseline would reveal it
    assert young[(jong, "Dordt West")][12].value == "x"
    # a share of 14 incidents (denominator < 100) is not published
    overlast = table_rows(wb["Overlast"])
    assert overlast[(name["pol_aandeel_overlast_jeugd"], "Dordrecht")][4].value == "x"
    # event counts are published exactly: 1 E33 report in Dordt West, 2 in Dordrecht
    e33 = table_rows(wb["Onbegrepen gedrag (E33)"])
    assert e33[(name["pol_e33_meldingen"], "Dordt West")][4].value == 1
    assert e33[(name["pol_e33_meldingen"], "Dordrecht")][4].value == 2
    assert e33[(name["pol_e33_meldingen"], "Dordrecht")][4].number_format == "#,##0"

    notes = {r[1].value: r for r in wb["Toelichting"].iter_rows(min_row=6) if r[1].value}
    for code in ("pol_misdrijven_per_10k", "pol_verdachten_jong_per_1k"):
        assert notes[name[code]][2].value == cat[code]["definitie"]
        assert notes[name[code]][11].value == programme.disclosure_classes()[cat[code]["onthullingsklasse"]].rule
    with zipfile.ZipFile(first.files["xlsx"]) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 5

    # --- the same numbers for analysts
    with open(first.files["csv"], encoding="utf-8") as fh:
        flat = {(r["indicator_code"], r["gebiedscode"]): r for r in csv.DictReader(fh)}
    assert flat[("pol_misdrijven_per_10k", CH)]["waarde"] == "25.0"
    assert flat[("pol_verdachten_jong_per_1k", DW)]["onderdrukt"] == "True"
    assert flat[("pol_verdachten_jong_per_1k", DW)]["waarde"] == ""
    import pyarrow.parquet as pq

    table = pq.read_table(first.files["parquet"]).to_pylist()
    assert len(table) == len(flat) and all(r["kwartaal"] == "2024-Q4" for r in table)

    # --- the PDF, rendered as a reader sees it
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(first.files["pdf"]))
    assert len(pdf) >= 2 + len(pillar_themes)
    texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    assert "Monitor Dordt West – Leefbaar en veilig" in texts[0] and "2024-Q4" in texts[0]
    misdrijven = next(t for t in texts if "Misdrijven" in t.splitlines()[1:2])  # below the running footer
    assert "Totaal misdrijven" in misdrijven and "25,0" in misdrijven
    image = pdf[texts.index(misdrijven)].render(scale=1).to_pil().convert("L")
    assert image.size[0] > image.size[1]  # landscape A4
    colours = image.getcolors(maxcolors=1 << 16)
    assert colours and len(colours) > 20  # table and charts drawn, not a blank page
    pdf.close()

    # --- re-running reproduces: same version, byte-identical files
    (again,) = publish(built, q4, [PILLAR], out_root=tmp_path)
    assert (again.version, again.status, again.checksum) == (1, "gereproduceerd", first.checksum)
    assert {f: sha(p) for f, p in again.files.items()} == {f: sha(p) for f, p in first.files.items()}
    assert query(built, "SELECT count(*) FROM mdw_meta.publicatie") == [(1,)]

    # --- a correction: February without the street robbery in Zuidhoven (Crabbehof, not Dordt West)
    politie(landing, "POL_misdrijven_202402.csv", MISDRIJVEN_HEADER, handmade.MISDRIJVEN[2][1:])
    assert pipeline.run(built, landing).ok

    # the next quarter shows the revision of the published 2024 figures
    (q1,) = publish(built, Quarter.parse("2025-Q1"), [PILLAR], out_root=tmp_path)
    wb = load_workbook(q1.files["xlsx"])
    rows = table_rows(wb["Misdrijven"])
    assert rows[(total, "Crabbehof")][4].value == 0.0
    assert rows[(total, "Crabbehof")][15].value == "herzien"
    assert rows[(total, "Dordrecht")][4].value == 46.7  # 14 / 3000 × 10.000
    assert rows[(total, "Dordt West")][15].value == "geen nieuw cijfer"
    assert rows[(total, "Wielwijk")][15].value == "geen cijfer"  # no inhabitants, then or now
    changes = {(r[0].value, r[1].value): r for r in wb["Wijzigingen"].iter_rows(min_row=6) if r[0].value}
    assert changes[(total, "Crabbehof")][3].value == 25.0 and changes[(total, "Crabbehof")][4].value == 0.0
    assert changes[(total, "Crabbehof")][5].value == "herzien (correctielevering)"

    # re-running the published quarter now makes version 2, saying what changed; version 1 stays
    (second,) = publish(built, q4, [PILLAR], out_root=tmp_path)
    assert (second.version, second.status) == (2, "nieuwe versie")
    assert {
        "indicator_code": "pol_misdrijven_per_10k",
        "gebiedscode": GM,
        "periode_code": "2024",
        "was": 50.0,
        "nu": 46.7,
    } in second.changes
    assert sha(first.files["xlsx"]) == again.file_checksums["xlsx"]  # the frozen v1 is untouched
    register = query(
        built,
        "SELECT kwartaal, versie, jsonb_array_length(wijzigingen) > 0 FROM mdw_meta.publicatie ORDER BY publicatie_id",
    )
    assert register == [("2024-Q4", 1, False), ("2025-Q1", 1, False), ("2024-Q4", 2, True)]
    stored = query(
        built,
        "SELECT formaat, sha256 FROM mdw_meta.publicatie_bestand b JOIN mdw_meta.publicatie p USING (publicatie_id) WHERE kwartaal = '2024-Q4' AND versie = 1",
    )
    assert dict((f, s.strip()) for f, s in stored) == first.file_checksums
