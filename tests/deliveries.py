"""Write partner files exactly as agreed (or deliberately not) for the tests."""

from __future__ import annotations

from pathlib import Path

MISDRIJVEN_HEADER = [
    "Registratienummer",
    "Registratiedatum",
    "Pleegdatum",
    "Maatschappelijke klasse",
    "Omschrijving",
    "Buurtcode",
]
VERDACHTEN_HEADER = ["Registratienummer", "Verdachtennummer", "Geboortejaar", "Woonbuurtcode", "Registratiedatum"]
INCIDENTEN_HEADER = ["Incidentnummer", "Meldingsdatum", "Incidentcode", "Categorie", "Buurtcode"]


def politie(
    folder: Path,
    name: str,
    header: list[str],
    rows: list[list[str]],
    *,
    sep: str = ";",
    encoding: str = "cp1252",
    newline: str = "\r\n",
) -> Path:
    path = folder / "politie" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = newline.join(sep.join(r) for r in [header, *rows]) + newline
    path.write_bytes(text.encode(encoding))
    return path


def ocd_bevolking(folder: Path, year: int, rows: list[tuple[str, int, int]]) -> Path:
    """rows: (buurtcode, leeftijd, inwoners); peildatum 1 January."""
    path = folder / "ocd" / f"OCD_bevolking_{year}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["buurtcode,peildatum,leeftijd,inwoners"] + [f"{b},{year}-01-01,{a},{n}" for b, a, n in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


UITKERINGEN_HEADER = ["BSN", "Peildatum", "Regeling", "Ingangsdatum", "Huishoudtype", "Geboortejaar", "Buurtcode"]
SCHULDHULP_HEADER = ["BSN", "Trajectnummer", "Soort", "Startdatum", "Einddatum", "Buurtcode"]
MINIMA_HEADER = ["BSN", "Regeling", "Toekenningsdatum", "Bedrag", "Buurtcode"]


def make_bsn(n: int) -> str:
    """A made-up BSN that passes the 11-proef (computed, so no BSN-like literal sits in the repo)."""
    from monitor_dordt_west.ingestion.pseudonym import synthetic_bsn

    return synthetic_bsn(n)


def sdd(folder: Path, name: str, header: list[str], rows: list[list[str]], *, bom: bool = True) -> Path:
    """SDD format: UTF-8 with BOM, ';', ISO dates, decimal comma."""
    path = folder / "sdd" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\r\n".join(";".join(r) for r in [header, *rows]) + "\r\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


REGISTRATIES_HEADER = [
    "registratie_id",
    "datum_tijd",
    "soort",
    "programmalijn",
    "domein",
    "wijk",
    "client_ref",
    "aantal_deelnemers",
    "doorverwezen_naar",
]
VRIJWILLIGERS_HEADER = ["vrijwilliger_ref", "wijk", "programmalijn", "startdatum", "einddatum"]


def blik(folder: Path, name: str, header: list[str], rows: list[list[str]]) -> Path:
    """BLIK format: ',' separated, UTF-8 without BOM, every field quoted, ISO timestamps."""
    path = folder / "blik" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(f'"{v}"' for v in r) for r in [header, *rows]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SURVEY_HEADER = [
    "Indicator",
    "Omschrijving",
    "Gebiedscode",
    "Gebied",
    "Waarde",
    "Eenheid",
    "N",
    "Ondergrens",
    "Bovengrens",
    "Opmerking",
]
KERNCIJFERS_HEADER = ["Indicator", "Omschrijving", "Gebiedscode", "Periode", "Waarde", "Teller", "Noemer", "Bron"]


def ocd_xlsx(
    folder: Path, name: str, header: list[str], rows: list[list], *, sheet: str = "Tabel", title_rows: int = 3
) -> Path:
    """OCD's Excel format: title, source line and a blank row above the header (surveys), numbers as numbers."""
    import openpyxl

    path = folder / "ocd" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title_rows:
        ws.append([f"{name} — uitkomsten per gebied"])
        ws.append(["Bron: Onderzoekcentrum Drechtsteden"])
        ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path
