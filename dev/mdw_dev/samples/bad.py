"""A landing folder of bad deliveries: one file per kind of bad input the pipeline must refuse,
with the message (a fragment of it) it must give, in ``verwachte_meldingen.csv``.

Used by the tests and by operators to see the refusals as a partner would get them:
``./mdw sample --bad --out DIR`` then ``./mdw run --no-build --landing DIR``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from mdw_dev.samples import files
from mdw_dev.samples.base import write_politie
from monitor_dordt_west.ingestion.pseudonym import synthetic_bsn
from monitor_dordt_west.ingestion.registry import headers

POL_H = headers("politie.misdrijven")
INC_H = headers("politie.incidenten")
UIT_H = headers("sdd.uitkeringen")
SH_H = headers("sdd.schuldhulp")
MIN_H = headers("sdd.minimaregelingen")
SURVEY_H = headers("ocd.veiligheidsmonitor")
KC_H = headers("ocd.kerncijfers")
REG_H = headers("blik.registraties")


def _crime(month: int, n: int = 1, date: str | None = None, code: str = "A20", buurt: str = "BU05050300") -> list[str]:
    return [f"PL1700-2023{month:02d}{n:04d}", date or f"05-{month:02d}-2023", "", code, "Woninginbraak", buurt]


def _text(path: Path, text: str, encoding: str = "cp1252", newline: str = "\r\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\n", newline).encode(encoding))


def _sdd(path: Path, header: list[str], rows: list[list[str]], bom: bool = True) -> None:
    body = "\r\n".join(";".join(r) for r in [header, *rows]) + "\r\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + body.encode("utf-8"))


def _xlsx(path: Path, header: list[str], rows: list[list], sheet: str = "Tabel", title: bool = True) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([path.name])
        ws.append(["Bron: Onderzoekcentrum Drechtsteden"])
        ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    files.save_workbook(wb, path, files.moment_of("ocd", path.name))


def generate(out: Path) -> list[tuple[str, str]]:
    """Write the bad deliveries; return (file, expected message fragment) per file."""
    pol, sdd, ocd, blik = (out / p for p in ("politie", "sdd", "ocd", "blik"))
    cases: list[tuple[str, str]] = []

    def case(path: Path, expected: str) -> None:
        cases.append((f"{path.parent.name}/{path.name}", expected))

    header = ";".join(POL_H)
    p = pol / "POL_misdrijven_202301.csv"
    write_politie(p, POL_H, [_crime(1)])
    _text(p, p.read_text(encoding="cp1252").replace(";", ","))
    case(p, "scheidingsteken ',' gevonden; afgesproken is ';'")
    p = pol / "POL_misdrijven_202302.csv"
    _text(p, f"{header}\nPL1700-2023020001;05-02-2023;;B70;Straatroof café;\n", encoding="utf-8")
    case(p, "het bestand is UTF-8 gecodeerd; afgesproken is Windows-1252")
    p = pol / "POL_misdrijven_202303.csv"
    _text(p, f"{header}\nPL1700-2023030001;05-03-2023;;A20;Woning")
    case(p, "de laatste regel eindigt niet met een regeleinde")
    p = pol / "POL_misdrijven_202304.csv"
    _text(p, "")
    case(p, "het bestand is leeg (0 bytes)")
    p = pol / "POL_misdrijven_202305.csv"
    write_politie(p, POL_H, [])
    case(p, "alleen een kopregel, geen gegevens")
    p = pol / "POL_misdrijven_202306.csv"
    write_politie(p, [h for h in POL_H if h != "Omschrijving"], [[v for i, v in enumerate(_crime(6)) if i != 4]])
    case(p, "kolom(men) ontbreken: Omschrijving")
    p = pol / "POL_misdrijven_202307.csv"
    write_politie(p, [*POL_H, "BSN"], [[*_crime(7), "123456789"]])
    case(p, "niet afgesproken kolom(men): BSN")
    p = pol / "POL_misdrijven_202308.csv"
    write_politie(p, POL_H, [_crime(8), _crime(8)])
    case(p, "kolom Registratienummer: 2 regel(s) niet zoals verwacht (een unieke sleutel")
    p = pol / "POL_misdrijven_202309.csv"
    write_politie(p, POL_H, [_crime(9, buurt="BU05059999")])
    case(p, "kolom Buurtcode: 1 regel(s) niet zoals verwacht (een bestaande CBS-buurtcode van Dordrecht")
    p = pol / "POL_misdrijven_202310.csv"
    write_politie(p, POL_H, [_crime(10, date="31-02-2023")])
    case(p, "kolom Registratiedatum: 1 regel(s) niet zoals verwacht (een geldige datum in het formaat dd-mm-jjjj)")
    p = pol / "POL_misdrijven_202311.csv"
    write_politie(p, POL_H, [_crime(11, date="01-12-2023")])
    case(p, "een datum van 01-11-2023 t/m 30-11-2023 (periode 2023-11)")
    p = pol / "POL_misdrijven_2023-12.csv"
    write_politie(p, POL_H, [_crime(12)])
    case(p, "volgt het afgesproken patroon niet; verwacht POL_misdrijven_JJJJMM.csv")
    p = pol / "POL_incidenten_202301.csv"
    _text(p, ";".join(INC_H) + "\nI1;05-01-2023;E33;overlast verward persoon;\n", newline="\n")
    case(p, "regeleinde is LF (\\n); afgesproken is CRLF")

    good = synthetic_bsn(900_001)
    _sdd(
        sdd / "SDD_uitkeringen_202301.csv",
        UIT_H,
        [
            [good, "2023-01-31", "PW", "2020-01-01", "alleenstaand", "1980", "BU05050300"],
            ["123456789", "2023-01-31", "PW", "2020-01-01", "alleenstaand", "1980", "BU05050300"],
        ],
    )
    case(sdd / "SDD_uitkeringen_202301.csv", "regel 3, kolom BSN: geen geldig BSN")
    _sdd(
        sdd / "SDD_uitkeringen_202302.csv",
        UIT_H,
        [[good[1:], "2023-02-28", "PW", "2020-01-01", "alleenstaand", "1980", "BU05050300"]],
    )
    case(sdd / "SDD_uitkeringen_202302.csv", "regel 2, kolom BSN: geen geldig BSN")
    _sdd(
        sdd / "SDD_minimaregelingen_2023Q1.csv",
        MIN_H,
        [[good, "bijzondere bijstand", "2023-02-15", "1,234.56", "BU05050300"]],
    )
    case(
        sdd / "SDD_minimaregelingen_2023Q1.csv",
        "kolom Bedrag: 1 regel(s) niet zoals verwacht (een bedrag met decimale komma",
    )
    _sdd(
        sdd / "SDD_minimaregelingen_2023Q2.csv",
        MIN_H,
        [[good, "bijzondere bijstand", "2023-08-15", "100,00", "BU05050300"]],
    )
    case(sdd / "SDD_minimaregelingen_2023Q2.csv", "een datum van 01-01-2023 t/m 30-06-2023 (periode 2023-Q2)")
    _sdd(
        sdd / "SDD_schuldhulp_202301.csv",
        SH_H,
        [[good, "SH1", "schuldsanering", "2022-01-01", "", "BU05050300"]],
        bom=False,
    )
    case(sdd / "SDD_schuldhulp_202301.csv", "verwacht UTF-8 met BOM")

    row = [
        "VM_VEILIGHEID_BUURT",
        "Veiligheid in de buurt",
        "GM0505",
        "Dordrecht",
        7.3,
        "rapportcijfer",
        1850,
        7.2,
        7.4,
        None,
    ]
    _xlsx(ocd / "OCD_veiligheidsmonitor_2021.xlsx", SURVEY_H, [row], sheet="Blad1")
    case(ocd / "OCD_veiligheidsmonitor_2021.xlsx", "werkblad 'Tabel' ontbreekt")
    _xlsx(ocd / "OCD_gezondheidsmonitor_2021.xlsx", SURVEY_H, [row], title=False)
    case(ocd / "OCD_gezondheidsmonitor_2021.xlsx", "de kopregel staat in rij 1; afgesproken is rij 4")
    _xlsx(
        ocd / "OCD_veiligheidsmonitor_2019.xlsx",
        SURVEY_H,
        [["VM_SOCIALE_OVERLAST", "Veel sociale overlast", "GM0505", "Dordrecht", 114, "%", 1850, None, None, None]],
    )
    case(ocd / "OCD_veiligheidsmonitor_2019.xlsx", "(een percentage van 0 tot en met 100) — regel 5: '114'")
    _xlsx(ocd / "OCD_veiligheidsmonitor_2018.xlsx", SURVEY_H, [[*row[:4], 11.2, "rapportcijfer", 1850, 11, 11.4, None]])
    case(ocd / "OCD_veiligheidsmonitor_2018.xlsx", "(een rapportcijfer van 1 tot en met 10)")
    _xlsx(ocd / "OCD_veiligheidsmonitor_2017.xlsx", SURVEY_H, [[*row[:4], 7.3, "rapportcijfer", 1850, 7.5, 7.9, None]])
    case(ocd / "OCD_veiligheidsmonitor_2017.xlsx", "(een betrouwbaarheidsinterval rond de waarde")
    _xlsx(ocd / "OCD_gezondheidsmonitor_2019.xlsx", SURVEY_H, [["GM_ONBEKEND", *row[1:]]])
    case(ocd / "OCD_gezondheidsmonitor_2019.xlsx", "(een OCD-indicatorcode die in de indicatorkaart staat")
    _xlsx(
        ocd / "OCD_kerncijfers_2021.xlsx",
        KC_H,
        [["KC_CITOSCORE", "Citoscore", "GM0505", "2021", 535, None, None, "DUO"]],
        sheet="Tabel",
        title=False,
    )
    case(ocd / "OCD_kerncijfers_2021.xlsx", "werkblad 'Kerncijfers' ontbreekt")

    def reg(*values: str) -> list[str]:
        return list(values)

    for name, rows, expected in (
        (
            "BLIK_registraties_2023-Q1.csv",
            [reg("1", "2023-01-10T10:00:00", "korte vraag", "1", "taal", "Krispijn", "K1", "", "")],
            "kolom wijk: 1 regel(s) niet zoals verwacht (een BLIK-wijknaam uit de afgesproken lijst",
        ),
        (
            "BLIK_registraties_2023-Q2.csv",
            [reg("2", "2023-04-10T10:00:00", "collectief dossier", "4", "taal", "Staart", "", "-3", "")],
            "kolom aantal_deelnemers: 1 regel(s) niet zoals verwacht (een getal minstens 0 en hoogstens 2500)",
        ),
    ):
        path = blik / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
            w.writerow(REG_H)
            w.writerows(rows)
        case(path, expected)

    files.stamp_files(out / name for name, _ in cases)  # each at its period's delivery moment
    with (out / "verwachte_meldingen.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\n")
        w.writerow(["bestand", "verwachte_melding"])
        w.writerows(cases)
    return cases
