"""The bad-input catalogue: one crafted file per case, refused (or held back) with its exact message.

Every case runs against one warehouse that already holds a good delivery of every dataset and a
built dbt project. For each case: the message is exactly the one written here (worked out from the
agreements and the rules in the registry, not copied from output), nothing of the file is loaded,
the file is in quarantine (mode 0600, with its reason, also 0600) and not in the landing folder,
and the warehouse is as it was: the set of loaded deliveries, the row count of every raw table and
a checksum of every relation in ``marts``.
"""

from __future__ import annotations

import os
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from monitor_dordt_west import config
from monitor_dordt_west.ingestion import load, registry
from monitor_dordt_west.orchestration import pipeline
from monitor_dordt_west.warehouse import connection
from tests.conftest import query
from tests.deliveries import (
    INCIDENTEN_HEADER,
    KERNCIJFERS_HEADER,
    MINIMA_HEADER,
    MISDRIJVEN_HEADER,
    REGISTRATIES_HEADER,
    SCHULDHULP_HEADER,
    SURVEY_HEADER,
    UITKERINGEN_HEADER,
    VERDACHTEN_HEADER,
    VRIJWILLIGERS_HEADER,
    blik,
    make_bsn,
    ocd_xlsx,
    politie,
    sdd,
)

QUOTE_PROBLEM = (
    'aanhalingsteken (") midden in een veld, of een veld tussen aanhalingstekens dat op deze regel niet wordt '
    'gesloten; afgesproken is: een veld staat helemaal tussen "..." (een " erin verdubbeld) of bevat geen ", '
    "en een regel is één record"
)
BSN_A, BSN_B = make_bsn(101), make_bsn(102)
BASELINE_MTIME = datetime(2024, 2, 10, 6, 0, tzinfo=UTC).timestamp()  # 10-02-2024 07:00:00 in Dordrecht


def crime(n: int, reg: str = "05-02-2024", pleeg: str = "", klasse: str = "A20", oms: str = "Woninginbraak",
          buurt: str = "BU05050300") -> list[str]:  # fmt: skip
    return [f"PL1700-2024{n:06d}", reg, pleeg, klasse, oms, buurt]


def uitkering(bsn: str = BSN_A, peil: str = "2024-02-29", ingang: str = "2020-01-01", huishouden: str = "alleenstaand",
              born: str = "1980", buurt: str = "BU05050300") -> list[str]:  # fmt: skip
    return [bsn, peil, "PW", ingang, huishouden, born, buurt]


def registratie(rid: str = "5", when: str = "2024-04-10T10:00:00", soort: str = "korte vraag", wijk: str = "Staart",
                client: str = "K9", deelnemers: str = "") -> list[str]:  # fmt: skip
    return [rid, when, soort, "1", "taal", wijk, client, deelnemers, ""]


SURVEY_ROW = [
    "VM_VEILIGHEID_BUURT",
    "Veiligheid in de buurt",
    "GM0505",
    "Dordrecht",
    7.3,
    "rapportcijfer",
    850,
    7.2,
    7.4,
]


# --------------------------------------------------------------------------- the warehouse before every case


def write_baseline(landing: Path) -> None:
    politie(landing, "POL_misdrijven_202401.csv", MISDRIJVEN_HEADER, [
        crime(i, reg=f"{1 + i % 28:02d}-01-2024") for i in range(1, 151)  # 150 crimes: enough to compare volumes
    ])  # fmt: skip
    politie(landing, "POL_verdachten_202401.csv", VERDACHTEN_HEADER, [
        ["PL1700-2024000001", "V1", "2005", "BU05050300", "02-01-2024"],
    ])  # fmt: skip
    politie(landing, "POL_incidenten_202401.csv", INCIDENTEN_HEADER, [
        ["I1", "05-01-2024", "E33", "overlast verward persoon", "BU05050300"],
    ])  # fmt: skip
    ocd = landing / "ocd"
    ocd.mkdir(parents=True, exist_ok=True)
    (ocd / "OCD_bevolking_2024.csv").write_text(
        "buurtcode,peildatum,leeftijd,inwoners\nBU05050300,2024-01-01,10,300\nBU05050300,2024-01-01,30,700\n",
        encoding="utf-8",
    )
    (ocd / "OCD_huishoudens_2024.csv").write_text(
        "buurtcode,peildatum,huishoudens,huishoudens_laag_inkomen\nBU05050300,2024-01-01,500,100\n", encoding="utf-8"
    )
    sdd(landing, "SDD_uitkeringen_202401.csv", UITKERINGEN_HEADER, [uitkering(peil="2024-01-31")])
    sdd(landing, "SDD_schuldhulp_202401.csv", SCHULDHULP_HEADER,
        [[BSN_B, "SH0000001", "schuldsanering", "2023-05-01", "", "BU05050300"]])  # fmt: skip
    sdd(landing, "SDD_minimaregelingen_2024Q2.csv", MINIMA_HEADER,
        [[BSN_A, "bijzondere bijstand", "2024-05-02", "100,00", "BU05050300"]])  # fmt: skip
    blik(landing, "BLIK_registraties_2024-Q1.csv", REGISTRATIES_HEADER,
         [registratie("1", "2024-01-07T14:05:00", wijk="Oud Krispijn", client="K1")])  # fmt: skip
    blik(landing, "BLIK_vrijwilligers_2024-Q1.csv", VRIJWILLIGERS_HEADER, [["V1", "Wielwijk", "1", "2023-09-01", ""]])
    for path in landing.rglob("*.*"):
        os.utime(path, (BASELINE_MTIME, BASELINE_MTIME))


@pytest.fixture(scope="module")
def wh(pg_server, tmp_path_factory):
    """A warehouse with a good delivery of every dataset and the dbt project built on it."""
    from monitor_dordt_west import migration

    tgt = pg_server.with_dbname(f"t_{uuid.uuid4().hex[:10]}")
    connection.ensure_database(tgt)
    migration.migrate(tgt)
    before = os.environ.get("MDW_WAREHOUSE_URI")
    os.environ["MDW_WAREHOUSE_URI"] = tgt.uri()
    landing = tmp_path_factory.mktemp("baseline")
    write_baseline(landing)
    result = pipeline.run(tgt, landing, build=True)
    assert not result.rejected, [r.message for r in result.rejected]
    assert [o.status for o in result.outcomes] == ["loaded"] * 10
    ids = dict(query(tgt, "SELECT file_name, delivery_id FROM mdw_meta.load_ledger"))
    yield tgt, ids
    if before is None:
        os.environ.pop("MDW_WAREHOUSE_URI", None)
    else:
        os.environ["MDW_WAREHOUSE_URI"] = before
    connection.drop_database(tgt)


def state(tgt) -> dict:
    """What a refused delivery must not change."""
    loaded = query(tgt, "SELECT delivery_id, dataset, period, sha256 FROM mdw_meta.load_ledger WHERE status = 'loaded'")
    counts = {ds.id: query(tgt, f"SELECT count(*) FROM {ds.raw_table}")[0][0] for ds in registry.DATASETS}
    marts = {
        name: query(tgt, f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM marts.{name} t")[0][
            0
        ]
        for (name,) in query(tgt, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'")
    }
    return {"loaded": sorted(loaded), "raw": counts, "marts": marts}


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    partner: str
    name: str
    write: Callable[[Path], None]  # writes the file into <landing>/<partner>/<name>
    problems: Callable[[dict], list[str]]  # the exact problems, given the baseline's delivery ids
    held: bool = False


def _politie(name: str, rows: list[list[str]], header: list[str] = MISDRIJVEN_HEADER, **kw) -> Callable[[Path], None]:
    return lambda landing: politie(landing, name, header, rows, **kw)


def _bytes(partner: str, name: str, data: bytes) -> Callable[[Path], None]:
    def write(landing: Path) -> None:
        (landing / partner).mkdir(parents=True, exist_ok=True)
        (landing / partner / name).write_bytes(data)

    return write


def _sdd(name: str, header: list[str], rows: list[list[str]], **kw) -> Callable[[Path], None]:
    return lambda landing: sdd(landing, name, header, rows, **kw)


def _blik(name: str, header: list[str], rows: list[list[str]]) -> Callable[[Path], None]:
    return lambda landing: blik(landing, name, header, rows)


def _xlsx(name: str, header: list[str], rows: list[list], **kw) -> Callable[[Path], None]:
    return lambda landing: ocd_xlsx(landing, name, header, rows, **kw)


def _ocd_csv(name: str, text: str) -> Callable[[Path], None]:
    return _bytes("ocd", name, text.encode("utf-8"))


def _fixed(*problems: str) -> Callable[[dict], list[str]]:
    return lambda ids: list(problems)


TODAY = date.today()
F = "POL_misdrijven_202402.csv"
POL_HEADER = ";".join(MISDRIJVEN_HEADER)
LONG = "POL_misdrijven_202402" + "x" * 226 + ".csv"  # 251 characters


def _hidden_sheet(landing: Path) -> None:
    import openpyxl

    path = landing / "ocd" / "OCD_woonmonitor_2023.xlsx"
    ocd_xlsx(landing, path.name, SURVEY_HEADER, [])
    wb = openpyxl.load_workbook(path)
    ws = wb["Tabel"]
    ws.append(["WM_TEVREDEN_WONING", "Tevreden met de woning", "GM0505", "Dordrecht", 80, "%", 900, 78, 82, None])
    extra = wb.create_sheet("BSN")
    extra.append([make_bsn(7)])
    extra.sheet_state = "hidden"
    wb.save(path)


def _formula(landing: Path) -> None:
    row = [*SURVEY_ROW[:4], "=7+0.3", *SURVEY_ROW[5:], None]
    ocd_xlsx(landing, "OCD_veiligheidsmonitor_2022.xlsx", SURVEY_HEADER, [row])


def _macro(landing: Path) -> None:
    path = ocd_xlsx(landing, "OCD_gezondheidsmonitor_2022.xlsx", SURVEY_HEADER, [[*SURVEY_ROW, None]])
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")


def _symlink(landing: Path) -> None:
    outside = landing.parent / "outside.csv"
    outside.write_bytes(f"{POL_HEADER}\r\n".encode())
    outside.chmod(0o644)
    (landing / "politie").mkdir(parents=True, exist_ok=True)
    (landing / "politie" / F).symlink_to(outside)


def _directory(landing: Path) -> None:
    (landing / "politie" / F).mkdir(parents=True)
    (landing / "politie" / F / "inhoud.csv").write_text("x")


def _older_correction(landing: Path) -> None:
    path = politie(landing, "POL_incidenten_202401.csv", INCIDENTEN_HEADER, [
        ["I1", "05-01-2024", "E33", "overlast verward persoon", "BU05050401"],
    ])  # fmt: skip
    older = datetime(2024, 2, 5, 6, 0, tzinfo=UTC).timestamp()  # 05-02-2024 07:00:00 in Dordrecht
    os.utime(path, (older, older))


SURVEY = [*SURVEY_HEADER]
CASES: dict[str, Case] = {
    # --- file names and periods
    "name matches no agreement": Case("politie", "Export_politie.xlsx", _bytes("politie", "Export_politie.xlsx", b"x"), _fixed(
        "bestandsnaam 'Export_politie.xlsx' komt niet overeen met een afgesproken levering van politie; afgesproken: "
        "POL_misdrijven_JJJJMM.csv, POL_verdachten_JJJJMM.csv, POL_incidenten_JJJJMM.csv")),
    "name off the pattern": Case("politie", "POL_misdrijven_2024-02.csv", _politie("POL_misdrijven_2024-02.csv", [crime(1)]), _fixed(
        "bestandsnaam 'POL_misdrijven_2024-02.csv' volgt het afgesproken patroon niet; verwacht POL_misdrijven_JJJJMM.csv")),
    "month 13": Case("politie", "POL_misdrijven_202413.csv", _politie("POL_misdrijven_202413.csv", [crime(1)]), _fixed(
        "bestandsnaam 'POL_misdrijven_202413.csv': maand 13 bestaat niet; verwacht POL_misdrijven_JJJJMM.csv")),
    "a BSN-like number in the name is masked": Case("politie", "lijst_123456782.csv", _bytes("politie", "lijst_123456782.csv", b"x"), _fixed(
        "bestandsnaam 'lijst_#########.csv' komt niet overeen met een afgesproken levering van politie; afgesproken: "
        "POL_misdrijven_JJJJMM.csv, POL_verdachten_JJJJMM.csv, POL_incidenten_JJJJMM.csv")),
    "name of 251 characters": Case("politie", LONG, _politie(LONG, [crime(1)]), _fixed(
        f"bestandsnaam '{LONG[:119]}…' is 251 tekens lang; een afgesproken naam heeft er hoogstens 32")),
    "period not begun": Case("politie", "POL_misdrijven_203001.csv", _politie("POL_misdrijven_203001.csv", [crime(1, "05-01-2030")]), _fixed(
        f"periode 2030-01 is nog niet begonnen (vandaag is {TODAY:%d-%m-%Y}); een levering voor een toekomstige "
        "periode wordt niet aangenomen — is het jaar of de maand in de bestandsnaam juist?")),
    "period before the programme's calendar": Case("politie", "POL_misdrijven_201001.csv", _politie("POL_misdrijven_201001.csv", [crime(1, "05-01-2010")]), _fixed(
        "periode 2010-01 ligt voor de kalender van het programma (vanaf 2015); is het jaar in de bestandsnaam juist?")),
    "survey of the year 1850": Case("ocd", "OCD_veiligheidsmonitor_1850.xlsx", _xlsx("OCD_veiligheidsmonitor_1850.xlsx", SURVEY, [[*SURVEY_ROW, None]]), _fixed(
        "periode 1850 ligt voor de kalender van het programma (vanaf 2015); is het jaar in de bestandsnaam juist?")),
    # --- entries that are not regular files
    "symbolic link": Case("politie", F, _symlink, _fixed(
        f"{F}: is een symbolische koppeling, geen gewoon bestand; alleen gewone bestanden worden gelezen "
        "(de inhoud is niet gelezen en niet gevolgd)")),
    "folder": Case("politie", F, _directory, _fixed(
        f"{F}: is een map, geen gewoon bestand; alleen gewone bestanden worden gelezen "
        "(de inhoud is niet gelezen en niet gevolgd)")),
    # --- structure: encoding, BOM, line ends, separator, header, quoting, truncation
    "empty file": Case("politie", F, _bytes("politie", F, b""), _fixed(f"{F}: het bestand is leeg (0 bytes)")),
    "UTF-8 instead of Windows-1252": Case("politie", F, _politie(F, [crime(1, oms="Straatroof café")], encoding="utf-8"), _fixed(
        f"{F}: het bestand is UTF-8 gecodeerd; afgesproken is Windows-1252")),
    "BOM in a police file": Case("politie", F, _bytes("politie", F, b"\xef\xbb\xbf" + f"{POL_HEADER}\r\n{';'.join(crime(1))}\r\n".encode()), _fixed(
        f"{F}: het bestand begint met een UTF-8 BOM; afgesproken is Windows-1252")),
    "no BOM in an SDD file": Case("sdd", "SDD_schuldhulp_202402.csv", _sdd("SDD_schuldhulp_202402.csv", SCHULDHULP_HEADER,
        [[BSN_B, "SH0000002", "schuldsanering", "2023-05-01", "", "BU05050300"]], bom=False), _fixed(
        "SDD_schuldhulp_202402.csv: verwacht UTF-8 met BOM; het bestand begint niet met een BOM")),
    "LF line ends where CRLF is agreed": Case("politie", "POL_incidenten_202402.csv", _politie("POL_incidenten_202402.csv",
        [["I9", "05-02-2024", "E33", "overlast verward persoon", ""]], INCIDENTEN_HEADER, newline="\n"), _fixed(
        "POL_incidenten_202402.csv, regel 1: regeleinde is LF (\\n); afgesproken is CRLF (\\r\\n)")),
    "CR-only line ends (police)": Case("politie", F, _politie(F, [crime(1)], newline="\r"), _fixed(
        f"{F}: regels eindigen op CR (\\r) zonder LF; afgesproken is CRLF (\\r\\n)")),
    "CR-only line ends (SDD)": Case("sdd", "SDD_uitkeringen_202402.csv", _bytes("sdd", "SDD_uitkeringen_202402.csv",
        b"\xef\xbb\xbf" + ("\r".join(";".join(r) for r in [UITKERINGEN_HEADER, uitkering()]) + "\r").encode()), _fixed(
        "SDD_uitkeringen_202402.csv: regels eindigen op CR (\\r) zonder LF; afgesproken is LF (\\n) of CRLF (\\r\\n)")),
    "CR-only line ends (BLIK)": Case("blik", "BLIK_registraties_2024-Q2.csv", _bytes("blik", "BLIK_registraties_2024-Q2.csv",
        ("\r".join(",".join(f'"{v}"' for v in r) for r in [REGISTRATIES_HEADER, registratie()]) + "\r").encode()), _fixed(
        "BLIK_registraties_2024-Q2.csv: regels eindigen op CR (\\r) zonder LF; afgesproken is LF (\\n) of CRLF (\\r\\n)")),
    "wrong separator": Case("politie", F, _politie(F, [crime(1)], sep=","), _fixed(
        f"{F}, regel 1 (kopregel): scheidingsteken ',' gevonden; afgesproken is ';'. Verwachte kopregel: "
        "Registratienummer;Registratiedatum;Pleegdatum;Maatschappelijke klasse;Omschrijving;Buurtcode")),
    "missing column": Case("politie", F, _politie(F, [crime(1)[:4] + crime(1)[5:]], [h for h in MISDRIJVEN_HEADER if h != "Omschrijving"]), _fixed(
        f"{F}, regel 1 (kopregel): kolom(men) ontbreken: Omschrijving")),
    "extra column BSN": Case("politie", F, _politie(F, [[*crime(1), "x"]], [*MISDRIJVEN_HEADER, "BSN"]), _fixed(
        f"{F}, regel 1 (kopregel): niet afgesproken kolom(men): BSN — extra kolommen kunnen persoonsgegevens bevatten "
        "en worden niet aangenomen")),
    "extra column named with a BSN-like number (masked)": Case("politie", F, _politie(F, [[*crime(1), "x"]],
        [*MISDRIJVEN_HEADER, BSN_B]), _fixed(
        f"{F}, regel 1 (kopregel): niet afgesproken kolom(men): ######### — extra kolommen "
        "kunnen persoonsgegevens bevatten en worden niet aangenomen")),
    "10.000 extra columns (the message stays short)": Case("politie", F, _politie(F, [[*crime(1), *["x"] * 10_000]],
        [*MISDRIJVEN_HEADER, *(f"k{i}" for i in range(10_000))]), _fixed(
        f"{F}, regel 1 (kopregel): niet afgesproken kolom(men): k0, k1, k2, k3, k4, k5, k6, k7, k8, k9 en nog 9990 "
        "— extra kolommen kunnen persoonsgegevens bevatten en worden niet aangenomen")),
    "SDD file without its header row": Case("sdd", "SDD_uitkeringen_202402.csv", _bytes("sdd", "SDD_uitkeringen_202402.csv",
        b"\xef\xbb\xbf" + f"{';'.join(uitkering())}\r\n{';'.join(uitkering(BSN_B))}\r\n".encode()), _fixed(
        "SDD_uitkeringen_202402.csv, regel 1 (kopregel): kolom(men) ontbreken: BSN, Peildatum, Regeling, Ingangsdatum, "
        "Huishoudtype, Geboortejaar, Buurtcode",
        "SDD_uitkeringen_202402.csv, regel 1 (kopregel): niet afgesproken kolom(men) op positie 1, 2, 3, 4, 5, 6, 7 "
        "(namen niet herhaald: ontbreekt de kopregel?) — extra kolommen kunnen persoonsgegevens bevatten en worden "
        "niet aangenomen")),
    "stray quote inside an unquoted field": Case("politie", F, _politie(F, [crime(1, oms='Straat"roof'), crime(2)]), _fixed(
        f"{F}, regel 2: {QUOTE_PROBLEM}")),
    "quote opening a field that never closes on its line (two crimes merged)": Case("politie", F, _politie(F, [
        crime(1, oms='"Diefstal'), crime(2, oms='fiets"')]), _fixed(f"{F}, regel 2: {QUOTE_PROBLEM}")),
    "unterminated quoted field (BLIK)": Case("blik", "BLIK_registraties_2024-Q2.csv", _bytes("blik", "BLIK_registraties_2024-Q2.csv",
        (",".join(f'"{v}"' for v in REGISTRATIES_HEADER) + '\n"5","2024-04-10T10:00:00","korte vraag,"1","taal","Staart","K9","",""\n').encode()), _fixed(
        f"BLIK_registraties_2024-Q2.csv, regel 2: {QUOTE_PROBLEM}")),
    "truncated file": Case("politie", F, _bytes("politie", F, f"{POL_HEADER}\r\n{';'.join(crime(1))}".encode()), _fixed(
        f"{F}, regel 2: de laatste regel eindigt niet met een regeleinde — het bestand lijkt afgebroken "
        "(onvolledig verstuurd?)")),
    "header only": Case("politie", F, _politie(F, []), _fixed(
        f"{F}, bestand: alleen een kopregel, geen gegevens; verwacht minstens één gegevensregel onder de kopregel")),
    # --- values: types, closed lists, bounds, cross-column rules
    "impossible date": Case("politie", F, _politie(F, [crime(1, "31-02-2024")]), _fixed(
        f"{F}, kolom Registratiedatum: 1 regel(s) niet zoals verwacht (een geldige datum in het formaat dd-mm-jjjj) "
        "— regel 2: '31-02-2024'")),
    "date outside the period": Case("politie", F, _politie(F, [crime(1, "01-03-2024")]), _fixed(
        f"{F}, kolom Registratiedatum: 1 regel(s) niet zoals verwacht (een datum van 01-02-2024 t/m 29-02-2024 "
        "(periode 2024-02)) — regel 2: '01-03-2024'")),
    "unknown buurt": Case("politie", F, _politie(F, [crime(1, buurt="BU05059999")]), _fixed(
        f"{F}, kolom Buurtcode: 1 regel(s) niet zoals verwacht (een bestaande CBS-buurtcode van Dordrecht "
        "(BU0505wwbb)) — regel 2: 'BU05059999'")),
    "crime committed after its registration": Case("politie", F, _politie(F, [crime(1, pleeg="06-02-2024")]), _fixed(
        f"{F}, kolom Pleegdatum: 1 regel(s) niet zoals verwacht (een pleegdatum niet na de registratiedatum) — "
        "regel 2: '06-02-2024'")),
    "crime committed in 1850": Case("politie", F, _politie(F, [crime(1, pleeg="01-01-1850")]), _fixed(
        f"{F}, kolom Pleegdatum: 1 regel(s) niet zoals verwacht (een datum van 01-01-1900 t/m 29-02-2024 (niet na "
        "het einde van de periode of de dag van ontvangst)) — regel 2: '01-01-1850'")),
    "crime committed in 2099": Case("politie", F, _politie(F, [crime(1, pleeg="01-01-2099")]), _fixed(
        f"{F}, kolom Pleegdatum: 1 regel(s) niet zoals verwacht (een datum van 01-01-1900 t/m 29-02-2024 (niet na "
        "het einde van de periode of de dag van ontvangst)) — regel 2: '01-01-2099'",
        f"{F}, kolom Pleegdatum: 1 regel(s) niet zoals verwacht (een pleegdatum niet na de registratiedatum) — "
        "regel 2: '01-01-2099'")),
    "suspect born after the registration (person-level: no value)": Case("politie", "POL_verdachten_202402.csv", _politie(
        "POL_verdachten_202402.csv", [["PL1700-2024000200", "V9", "2030", "BU05050300", "05-02-2024"]], VERDACHTEN_HEADER), _fixed(
        "POL_verdachten_202402.csv, kolom Geboortejaar: 1 regel(s) niet zoals verwacht (een geboortejaar niet na "
        "het jaar van registratie) — regel 2")),
    "duplicate key in the file": Case("politie", F, _politie(F, [crime(1), crime(1)]), _fixed(
        f"{F}, kolom Registratienummer: 2 regel(s) niet zoals verwacht (een unieke sleutel: elke waarde komt één keer "
        "voor in de levering) — regel 2: 'PL1700-2024000001'; regel 3: 'PL1700-2024000001'")),
    "crime already loaded in another month": Case("politie", F, _politie(F, [crime(200), crime(5)]), lambda ids: [
        f"{F}, kolom Registratienummer: 1 regel(s) met een sleutel die al in een andere actieve levering staat "
        "(verwacht: elke sleutel één keer in alle leveringen van POL_misdrijven_JJJJMM.csv) — regel 3 (ook in "
        f"levering {ids['POL_misdrijven_202401.csv']}, periode 2024-01)"]),
    "suspect already loaded in another month": Case("politie", "POL_verdachten_202402.csv", _politie(
        "POL_verdachten_202402.csv", [["PL1700-2024000001", "V1", "2005", "BU05050300", "05-02-2024"]], VERDACHTEN_HEADER), lambda ids: [
        "POL_verdachten_202402.csv, kolom Registratienummer + Verdachtennummer: 1 regel(s) met een sleutel die al in "
        "een andere actieve levering staat (verwacht: elke sleutel één keer in alle leveringen van "
        f"POL_verdachten_JJJJMM.csv) — regel 2 (ook in levering {ids['POL_verdachten_202401.csv']}, periode 2024-01)"]),
    "a BSN in a police description": Case("politie", F, _politie(F, [crime(1), crime(2, oms=f"aangifte door {BSN_A}")]),
        _fixed(f"{F}, regel 3, kolom Omschrijving: een getal dat eruitziet als een BSN (9 cijfers die aan de 11-proef "
               "voldoen) waar de afspraak geen BSN heeft; de waarde wordt niet herhaald")),
    "a BSN as a suspect number": Case("politie", "POL_verdachten_202402.csv", _politie("POL_verdachten_202402.csv",
        [["PL1700-2024000201", BSN_B, "1990", "BU05050300", "05-02-2024"]], VERDACHTEN_HEADER), _fixed(
        "POL_verdachten_202402.csv, regel 2, kolom Verdachtennummer: een getal dat eruitziet als een BSN (9 cijfers "
        "die aan de 11-proef voldoen) waar de afspraak geen BSN heeft; de waarde wordt niet herhaald")),
    "a BSN as a trajectory number (SDD, not the BSN column)": Case("sdd", "SDD_schuldhulp_202402.csv", _sdd(
        "SDD_schuldhulp_202402.csv", SCHULDHULP_HEADER, [[BSN_B, BSN_A, "budgetbeheer", "2024-02-01", "", "BU05050300"]]),
        _fixed("SDD_schuldhulp_202402.csv, regel 2, kolom Trajectnummer: een getal dat eruitziet als een BSN (9 "
               "cijfers die aan de 11-proef voldoen) waar de afspraak geen BSN heeft; de waarde wordt niet herhaald")),
    "a BSN as a BLIK client number (quoted)": Case("blik", "BLIK_registraties_2024-Q2.csv", _blik(
        "BLIK_registraties_2024-Q2.csv", REGISTRATIES_HEADER, [registratie(client=BSN_A)]), _fixed(
        "BLIK_registraties_2024-Q2.csv, regel 2, kolom client_ref: een getal dat eruitziet als een BSN (9 cijfers die "
        "aan de 11-proef voldoen) waar de afspraak geen BSN heeft; de waarde wordt niet herhaald")),
    "a BSN in a survey remark": Case("ocd", "OCD_woonmonitor_2022.xlsx", _xlsx("OCD_woonmonitor_2022.xlsx", SURVEY,
        [[*SURVEY_ROW, f"navraag bij {BSN_B}"]]), _fixed(
        "OCD_woonmonitor_2022.xlsx, werkblad Tabel, rij 5, kolom Opmerking: een getal dat eruitziet als een BSN (9 "
        "cijfers die aan de 11-proef voldoen) waar de afspraak geen BSN heeft; de waarde wordt niet herhaald")),
    "invalid BSN (11-proef)": Case("sdd", "SDD_uitkeringen_202402.csv", _sdd("SDD_uitkeringen_202402.csv", UITKERINGEN_HEADER,
        [uitkering(), uitkering(BSN_A[:-1] + str((int(BSN_A[-1]) + 1) % 10))]), _fixed(
        "SDD_uitkeringen_202402.csv, regel 3, kolom BSN: geen geldig BSN (verwacht 9 cijfers die aan de 11-proef "
        "voldoen; de waarde wordt niet herhaald)")),
    "BSN of 8 digits": Case("sdd", "SDD_uitkeringen_202402.csv", _sdd("SDD_uitkeringen_202402.csv", UITKERINGEN_HEADER,
        [uitkering(BSN_A[1:])]), _fixed(
        "SDD_uitkeringen_202402.csv, regel 2, kolom BSN: geen geldig BSN (verwacht 9 cijfers die aan de 11-proef "
        "voldoen; de waarde wordt niet herhaald)")),
    "a BSN in Huishoudtype (no value repeated)": Case("sdd", "SDD_uitkeringen_202402.csv", _sdd("SDD_uitkeringen_202402.csv",
        UITKERINGEN_HEADER, [uitkering(huishouden=BSN_B)]), _fixed(
        "SDD_uitkeringen_202402.csv, regel 2, kolom Huishoudtype: een getal dat eruitziet als een BSN (9 cijfers die "
        "aan de 11-proef voldoen) waar de afspraak geen BSN heeft; de waarde wordt niet herhaald")),
    "an unknown Huishoudtype (no value repeated)": Case("sdd", "SDD_uitkeringen_202402.csv", _sdd("SDD_uitkeringen_202402.csv",
        UITKERINGEN_HEADER, [uitkering(huishouden="eenpersoons")]), _fixed(
        "SDD_uitkeringen_202402.csv, kolom Huishoudtype: 1 regel(s) niet zoals verwacht (een van: alleenstaand, "
        "alleenstaande ouder, paar zonder kinderen, paar met kinderen, overig) — regel 2")),
    "benefit starting after the peildatum": Case("sdd", "SDD_uitkeringen_202402.csv", _sdd("SDD_uitkeringen_202402.csv",
        UITKERINGEN_HEADER, [uitkering(ingang="2024-03-15")]), _fixed(
        "SDD_uitkeringen_202402.csv, kolom Ingangsdatum: 1 regel(s) niet zoals verwacht (een datum van 01-01-1900 "
        "t/m 29-02-2024 (niet na het einde van de periode of de dag van ontvangst)) — regel 2",
        "SDD_uitkeringen_202402.csv, kolom Ingangsdatum: 1 regel(s) niet zoals verwacht (een ingangsdatum niet na de "
        "peildatum) — regel 2")),
    "recipient born after the peildatum": Case("sdd", "SDD_uitkeringen_202402.csv", _sdd("SDD_uitkeringen_202402.csv",
        UITKERINGEN_HEADER, [uitkering(born="2031")]), _fixed(
        "SDD_uitkeringen_202402.csv, kolom Geboortejaar: 1 regel(s) niet zoals verwacht (een geboortejaar niet na het "
        "jaar van de peildatum) — regel 2")),
    "debt help ending before it started": Case("sdd", "SDD_schuldhulp_202402.csv", _sdd("SDD_schuldhulp_202402.csv",
        SCHULDHULP_HEADER, [[BSN_B, "SH0000002", "budgetbeheer", "2024-02-10", "2024-02-01", "BU05050300"]]), _fixed(
        "SDD_schuldhulp_202402.csv, kolom Einddatum: 1 regel(s) niet zoals verwacht (een einddatum niet voor de "
        "startdatum) — regel 2")),
    "amount with a decimal point": Case("sdd", "SDD_minimaregelingen_2023Q1.csv", _sdd("SDD_minimaregelingen_2023Q1.csv",
        MINIMA_HEADER, [[BSN_A, "bijzondere bijstand", "2023-02-15", "1,234.56", "BU05050300"]]), _fixed(
        "SDD_minimaregelingen_2023Q1.csv, kolom Bedrag: 1 regel(s) niet zoals verwacht (een bedrag met decimale komma "
        "(1.234,56)) — regel 2")),
    "negative amount": Case("sdd", "SDD_minimaregelingen_2023Q1.csv", _sdd("SDD_minimaregelingen_2023Q1.csv",
        MINIMA_HEADER, [[BSN_A, "bijzondere bijstand", "2023-02-15", "-5,00", "BU05050300"]]), _fixed(
        "SDD_minimaregelingen_2023Q1.csv, kolom Bedrag: 1 regel(s) niet zoals verwacht (een getal minstens 0 en "
        "hoogstens 100000) — regel 2")),
    "amount of a quarter million": Case("sdd", "SDD_minimaregelingen_2023Q1.csv", _sdd("SDD_minimaregelingen_2023Q1.csv",
        MINIMA_HEADER, [[BSN_A, "bijzondere bijstand", "2023-02-15", "250.000,00", "BU05050300"]]), _fixed(
        "SDD_minimaregelingen_2023Q1.csv, kolom Bedrag: 1 regel(s) niet zoals verwacht (een getal minstens 0 en "
        "hoogstens 100000) — regel 2")),
    "grant outside the year to date": Case("sdd", "SDD_minimaregelingen_2023Q1.csv", _sdd("SDD_minimaregelingen_2023Q1.csv",
        MINIMA_HEADER, [[BSN_A, "bijzondere bijstand", "2023-05-02", "100,00", "BU05050300"]]), _fixed(
        "SDD_minimaregelingen_2023Q1.csv, kolom Toekenningsdatum: 1 regel(s) niet zoals verwacht (een datum van "
        "01-01-2023 t/m 31-03-2023 (periode 2023-Q1)) — regel 2")),
    "year-to-date file older than the active one": Case("sdd", "SDD_minimaregelingen_2024Q1.csv", _sdd(
        "SDD_minimaregelingen_2024Q1.csv", MINIMA_HEADER, [[BSN_A, "bijzondere bijstand", "2024-02-15", "100,00", "BU05050300"]]), lambda ids: [
        "SDD_minimaregelingen_2024Q1.csv: een stand t/m 31-03-2024 (periode 2024-Q1) vervangt niet de actieve, "
        f"latere stand t/m 30-06-2024 (levering {ids['SDD_minimaregelingen_2024Q2.csv']}, periode 2024-Q2); een "
        "correctie levert u als nieuwe versie van de laatste periode"]),
    "survey percentage of 114": Case("ocd", "OCD_veiligheidsmonitor_2022.xlsx", _xlsx("OCD_veiligheidsmonitor_2022.xlsx", SURVEY,
        [["VM_SOCIALE_OVERLAST", "Veel sociale overlast", "GM0505", "Dordrecht", 114, "%", 850, None, None, None]]), _fixed(
        "OCD_veiligheidsmonitor_2022.xlsx, kolom Waarde: 1 regel(s) niet zoals verwacht (een percentage van 0 tot en "
        "met 100) — regel 5: '114'")),
    "survey with 250.000 respondents": Case("ocd", "OCD_veiligheidsmonitor_2022.xlsx", _xlsx("OCD_veiligheidsmonitor_2022.xlsx", SURVEY,
        [[*SURVEY_ROW[:6], 250000, *SURVEY_ROW[7:], None]]), _fixed(
        "OCD_veiligheidsmonitor_2022.xlsx, kolom N: 1 regel(s) niet zoals verwacht (een getal minstens 0 en hoogstens "
        "100000) — regel 5: '250000'")),
    "unknown OCD indicator": Case("ocd", "OCD_gezondheidsmonitor_2022.xlsx", _xlsx("OCD_gezondheidsmonitor_2022.xlsx", SURVEY,
        [["GM_ONBEKEND", *SURVEY_ROW[1:], None]]), _fixed(
        "OCD_gezondheidsmonitor_2022.xlsx, kolom Indicator: 1 regel(s) niet zoals verwacht (een OCD-indicatorcode die "
        "in de indicatorkaart staat (seed ocd_indicatorcodes)) — regel 5: 'GM_ONBEKEND'")),
    "survey header in row 1": Case("ocd", "OCD_gezondheidsmonitor_2022.xlsx", _xlsx("OCD_gezondheidsmonitor_2022.xlsx", SURVEY,
        [[*SURVEY_ROW, None]], title_rows=0), _fixed(
        "OCD_gezondheidsmonitor_2022.xlsx, werkblad Tabel: de kopregel staat in rij 1; afgesproken is rij 4")),
    "survey sheet named Blad1": Case("ocd", "OCD_woonmonitor_2022.xlsx", _xlsx("OCD_woonmonitor_2022.xlsx", SURVEY,
        [[*SURVEY_ROW, None]], sheet="Blad1"), _fixed("OCD_woonmonitor_2022.xlsx: werkblad 'Tabel' ontbreekt (gevonden: Blad1)")),
    "hidden sheet with a BSN": Case("ocd", "OCD_woonmonitor_2023.xlsx", _hidden_sheet, _fixed(
        "OCD_woonmonitor_2023.xlsx: 1 keer een getal dat eruitziet als een BSN (9 cijfers die aan de 11-proef "
        "voldoen) buiten het afgesproken werkblad of de afgesproken kolommen (werkblad 'BSN', cel A1); de waarde "
        "wordt niet herhaald",
        "OCD_woonmonitor_2023.xlsx: de werkmap heeft 2 bladen ('Tabel' (werkblad), 'BSN' (werkblad, verborgen)); "
        "afgesproken is één werkblad 'Tabel'",
        "OCD_woonmonitor_2023.xlsx: werkblad 'BSN' is verborgen; afgesproken is één zichtbaar werkblad 'Tabel'")),
    "formula without a value": Case("ocd", "OCD_veiligheidsmonitor_2022.xlsx", _formula, _fixed(
        "OCD_veiligheidsmonitor_2022.xlsx, werkblad Tabel: 1 formule(s) zonder opgeslagen waarde (cel E5); afgesproken "
        "zijn waarden (Excel-getallen) — sla de werkmap in Excel op na herberekening, of lever de waarden in plaats van "
        "de formules")),
    "macros in an .xlsx": Case("ocd", "OCD_gezondheidsmonitor_2022.xlsx", _macro, _fixed(
        "OCD_gezondheidsmonitor_2022.xlsx: de werkmap bevat macro's (xl/vbaProject.bin); afgesproken is een werkmap "
        "zonder macro's (.xlsx)")),
    "20.000 inhabitants of one age in one buurt": Case("ocd", "OCD_bevolking_2023.csv", _ocd_csv("OCD_bevolking_2023.csv",
        "buurtcode,peildatum,leeftijd,inwoners\nBU05050300,2023-01-01,10,20000\n"), _fixed(
        "OCD_bevolking_2023.csv, kolom inwoners: 1 regel(s) niet zoals verwacht (een getal minstens 0 en hoogstens "
        "10000) — regel 2: '20000'")),
    "more low-income households than households": Case("ocd", "OCD_huishoudens_2023.csv", _ocd_csv("OCD_huishoudens_2023.csv",
        "buurtcode,peildatum,huishoudens,huishoudens_laag_inkomen\nBU05050300,2023-01-01,500,600\n"), _fixed(
        "OCD_huishoudens_2023.csv, kolom huishoudens_laag_inkomen: 1 regel(s) niet zoals verwacht (niet meer "
        "huishoudens met een laag inkomen dan huishoudens) — regel 2: '600'")),
    "teller above noemer of a share": Case("ocd", "OCD_kerncijfers_2023.xlsx", _xlsx("OCD_kerncijfers_2023.xlsx", KERNCIJFERS_HEADER,
        [["KC_WERKLOOSHEID", "Werkloosheid", "GM0505", "2023", 7.8, 900, 800, "CBS"]], sheet="Kerncijfers", title_rows=0), _fixed(
        "OCD_kerncijfers_2023.xlsx, kolom Teller: 1 regel(s) niet zoals verwacht (een teller niet groter dan de noemer "
        "(de indicator is een aandeel)) — regel 2: '900'")),
    "share above 100 %": Case("ocd", "OCD_kerncijfers_2023.xlsx", _xlsx("OCD_kerncijfers_2023.xlsx", KERNCIJFERS_HEADER,
        [["KC_WERKLOOSHEID", "Werkloosheid", "GM0505", "2023", 107.8, None, None, "CBS"]], sheet="Kerncijfers", title_rows=0), _fixed(
        "OCD_kerncijfers_2023.xlsx, kolom Waarde: 1 regel(s) niet zoals verwacht (een percentage van 0 tot en met 100 "
        "(de indicator is een aandeel)) — regel 2: '107.8'")),
    "kerncijfer for 2099": Case("ocd", "OCD_kerncijfers_2023.xlsx", _xlsx("OCD_kerncijfers_2023.xlsx", KERNCIJFERS_HEADER,
        [["KC_CITOSCORE", "Citoscore", "GM0505", "2099", 535, None, None, "DUO"]], sheet="Kerncijfers", title_rows=0), _fixed(
        "OCD_kerncijfers_2023.xlsx, kolom Periode: 1 regel(s) niet zoals verwacht (een periode van 2015 tot en met dit "
        "jaar (jjjj/jjjj: twee opeenvolgende jaren)) — regel 2: '2099'")),
    "unknown BLIK wijk (person-level: no value)": Case("blik", "BLIK_registraties_2024-Q2.csv", _blik("BLIK_registraties_2024-Q2.csv",
        REGISTRATIES_HEADER, [registratie(wijk="Krispijn")]), _fixed(
        "BLIK_registraties_2024-Q2.csv, kolom wijk: 1 regel(s) niet zoals verwacht (een BLIK-wijknaam uit de "
        "afgesproken lijst: Binnenstad, Noordflank, Oud Krispijn, Nieuw Krispijn, Reeland, Staart, Wielwijk, "
        "Crabbehof-Zuidhoven, Sterrenburg, Dubbeldam, Stadspolders, Stedelijk) — regel 2")),
    "999999999 participants": Case("blik", "BLIK_registraties_2024-Q2.csv", _blik("BLIK_registraties_2024-Q2.csv",
        REGISTRATIES_HEADER, [registratie(soort="collectief dossier", client="", deelnemers="999999999")]), _fixed(
        "BLIK_registraties_2024-Q2.csv, kolom aantal_deelnemers: 1 regel(s) niet zoals verwacht (een getal minstens 0 "
        "en hoogstens 2500) — regel 2")),
    "registration already loaded in another quarter": Case("blik", "BLIK_registraties_2024-Q2.csv", _blik(
        "BLIK_registraties_2024-Q2.csv", REGISTRATIES_HEADER, [registratie(rid="1")]), lambda ids: [
        "BLIK_registraties_2024-Q2.csv, kolom registratie_id: 1 regel(s) met een sleutel die al in een andere actieve "
        "levering staat (verwacht: elke sleutel één keer in alle leveringen van BLIK_registraties_JJJJ-Qn.csv) — "
        f"regel 2 (ook in levering {ids['BLIK_registraties_2024-Q1.csv']}, periode 2024-Q1)"]),
    "volunteer starting after the quarter": Case("blik", "BLIK_vrijwilligers_2024-Q2.csv", _blik("BLIK_vrijwilligers_2024-Q2.csv",
        VRIJWILLIGERS_HEADER, [["V2", "Wielwijk", "1", "2024-08-01", ""]]), _fixed(
        "BLIK_vrijwilligers_2024-Q2.csv, kolom startdatum: 1 regel(s) niet zoals verwacht (een datum van 01-01-1900 "
        "t/m 30-06-2024 (niet na het einde van de periode of de dag van ontvangst)) — regel 2")),
    "volunteer ending before starting": Case("blik", "BLIK_vrijwilligers_2024-Q2.csv", _blik("BLIK_vrijwilligers_2024-Q2.csv",
        VRIJWILLIGERS_HEADER, [["V2", "Wielwijk", "1", "2024-05-01", "2024-04-01"]]), _fixed(
        "BLIK_vrijwilligers_2024-Q2.csv, kolom einddatum: 1 regel(s) niet zoals verwacht (een einddatum niet voor de "
        "startdatum) — regel 2")),
    # --- held back for review
    "a tenth of last month's crimes": Case("politie", F, _politie(F, [crime(200 + i) for i in range(10)]), lambda ids: [
        f"{F}: aangehouden ter beoordeling — regels 10 (10 per maand) tegen 150 (150 per maand) in levering "
        f"{ids['POL_misdrijven_202401.csv']} (periode 2024-01); dat is meer dan een factor 2 verschil. Klopt de "
        f"levering, dan geeft een beheerder haar vrij: ./mdw release {ids['__held__']}"], held=True),
    "a correction older than the delivery it would replace": Case("politie", "POL_incidenten_202401.csv", _older_correction, lambda ids: [
        "POL_incidenten_202401.csv: aangehouden — het bestand is ouder (05-02-2024 07:00:00) dan de actieve levering "
        f"{ids['POL_incidenten_202401.csv']} die het zou vervangen (10-02-2024 07:00:00); een oudere versie vervangt "
        "een nieuwere niet vanzelf. Is dit toch de juiste versie, dan geeft een beheerder haar vrij: "
        "./mdw release <levering>"], held=True),
}  # fmt: skip


def test_the_catalogue_covers_at_least_40_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case_id", list(CASES), ids=list(CASES))
def test_bad_input_is_refused_with_its_message_and_changes_nothing(wh, tmp_path, case_id):
    tgt, ids = wh
    case = CASES[case_id]
    landing = tmp_path / "landing"
    case.write(landing)
    before = state(tgt)
    outside = landing.parent / "outside.csv"
    outside_before = (outside.read_bytes(), outside.stat().st_mode) if outside.exists() else None

    outcomes, rejected = load.ingest_partner(case.partner, tgt, landing)

    assert [o.status for o in outcomes] == ["held" if case.held else "quarantined"], [o.message for o in outcomes]
    (refusal,) = rejected
    assert refusal.held is case.held
    assert refusal.problems == case.problems({**ids, "__held__": refusal.delivery_id})
    verb = "aangehouden ter beoordeling" if case.held else "geweigerd en in quarantaine gezet"
    assert refusal.message.splitlines()[0] == (
        f"Levering {registry.display_name(case.name)} (levering {refusal.delivery_id}) is {verb}; er is niets van geladen."
    )
    assert state(tgt) == before, "nothing of a refused file reaches the warehouse"
    status, reason, stored = query(
        tgt, "SELECT status, reason, stored_as FROM mdw_meta.load_ledger WHERE delivery_id = %s", (refusal.delivery_id,)
    )[0]
    assert status == ("held" if case.held else "quarantined") and reason == refusal.message
    stored = Path(stored)
    assert stored.parent == config.paths().quarantine / case.partner and len(stored.name) <= 8 + 2 + 120
    assert stored.is_symlink() or stored.stat().st_mode & 0o077 == 0
    assert (stored.parent.stat().st_mode & 0o777) == 0o700
    reason_file = stored.with_name(stored.name + ".reden.txt")
    assert reason_file.read_text(encoding="utf-8") == refusal.message + "\n"
    assert reason_file.stat().st_mode & 0o077 == 0
    assert not any((landing / case.partner).iterdir()), "the file left the landing folder"
    if outside_before is not None:  # a symbolic link was neither followed nor changed what it points to
        assert (outside.read_bytes(), outside.stat().st_mode) == outside_before
    for bsn in (BSN_A, BSN_B, make_bsn(7)):
        assert bsn not in refusal.message
