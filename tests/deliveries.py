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
