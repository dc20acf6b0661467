"""OCD's Excel deliveries: surveys (sheet Tabel, header in row 4, unpublishable empty cells) and
kerncijfers (sheet Kerncijfers, long format)."""

from __future__ import annotations

import pytest

from monitor_dordt_west.ingestion import load as ingest
from monitor_dordt_west.ingestion import raw_tables
from tests.conftest import query
from tests.deliveries import KERNCIJFERS_HEADER, SURVEY_HEADER, ocd_xlsx

GOOD = [
    [
        "VM_VEILIGHEID_BUURT",
        "Rapportcijfer veiligheid buurt",
        "GM0505",
        "Dordrecht",
        7.3,
        "rapportcijfer",
        1850,
        7.2,
        7.4,
        None,
    ],
    [
        "VM_VEILIGHEID_BUURT",
        "Rapportcijfer veiligheid buurt",
        "WK050503",
        "Oud-Krispijn",
        6.7,
        "rapportcijfer",
        210,
        6.5,
        6.9,
        None,
    ],
    [
        "VM_SOCIALE_OVERLAST",
        "Veel sociale overlast",
        "WK050504",
        "Nieuw-Krispijn",
        None,
        "%",
        18,
        None,
        None,
        "te weinig respondenten",
    ],
    ["VM_SOCIALE_OVERLAST", "Veel sociale overlast", "GM0505", "Dordrecht", 14, "%", 1850, 12.5, 15.5, None],
]


def load(tgt, landing):
    raw_tables.ensure_schema(tgt)
    return ingest.ingest_partner("ocd", tgt, landing)


def test_survey_workbook_is_loaded_with_excel_row_numbers(fresh_db, landing):
    ocd_xlsx(landing, "OCD_veiligheidsmonitor_2023.xlsx", SURVEY_HEADER, GOOD)
    _, rejected = load(fresh_db, landing)
    assert not rejected, [r.message for r in rejected]
    rows = query(
        fresh_db,
        "SELECT _line, indicator, gebiedscode, waarde, respondenten, ondergrens, opmerking "
        "FROM raw_ocd.veiligheidsmonitor ORDER BY _line",
    )
    assert [
        (r[0], r[1], r[2], None if r[3] is None else float(r[3]), r[4], None if r[5] is None else float(r[5]), r[6])
        for r in rows
    ] == [
        (5, "VM_VEILIGHEID_BUURT", "GM0505", 7.3, 1850, 7.2, None),
        (6, "VM_VEILIGHEID_BUURT", "WK050503", 6.7, 210, 6.5, None),
        (7, "VM_SOCIALE_OVERLAST", "WK050504", None, 18, None, "te weinig respondenten"),
        (8, "VM_SOCIALE_OVERLAST", "GM0505", 14.0, 1850, 12.5, None),
    ]


BAD = {
    "percentage above 100": (
        [["VM_SOCIALE_OVERLAST", "x", "WK050503", "Oud-Krispijn", 114, "%", 200, None, None, None]],
        "kolom Waarde: 1 regel(s) niet zoals verwacht (een percentage van 0 tot en met 100) — regel 9: '114'",
    ),
    "report mark above 10": (
        [["VM_VEILIGHEID_BUURT", "x", "WK050504", "Nieuw-Krispijn", 11.2, "rapportcijfer", 200, 11, 11.4, None]],
        "(een rapportcijfer van 1 tot en met 10) — regel 9: '11.2'",
    ),
    "interval not around the value": (
        [["VM_VEILIGHEID_BUURT", "x", "WK050504", "Nieuw-Krispijn", 6.1, "rapportcijfer", 200, 6.4, 6.8, None]],
        "kolom Ondergrens: 1 regel(s) niet zoals verwacht (een betrouwbaarheidsinterval rond de waarde",
    ),
    "unknown OCD code": (
        [["VM_ONBEKEND", "x", "WK050504", "Nieuw-Krispijn", 6.1, "rapportcijfer", 200, None, None, None]],
        "kolom Indicator: 1 regel(s) niet zoals verwacht (een OCD-indicatorcode die in de indicatorkaart staat",
    ),
    "empty value without reason": (
        [["VM_SOCIALE_OVERLAST", "x", "WK050507", "Wielwijk", None, "%", 12, None, None, None]],
        "(een waarde, of een lege cel met de reden in Opmerking) — regel 9",
    ),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_survey_values_are_refused(fresh_db, landing, case):
    rows, expected = BAD[case]
    ocd_xlsx(landing, "OCD_veiligheidsmonitor_2023.xlsx", SURVEY_HEADER, [*GOOD, *rows])
    _, rejected = load(fresh_db, landing)
    assert len(rejected) == 1 and expected in rejected[0].message, rejected[0].message
    assert query(fresh_db, "SELECT count(*) FROM raw_ocd.veiligheidsmonitor") == [(0,)]


def test_workbook_without_the_agreed_sheet_is_refused(fresh_db, landing):
    ocd_xlsx(landing, "OCD_gezondheidsmonitor_2022.xlsx", SURVEY_HEADER, GOOD, sheet="Blad1")
    _, rejected = load(fresh_db, landing)
    assert "OCD_gezondheidsmonitor_2022.xlsx: werkblad 'Tabel' ontbreekt (gevonden: Blad1)" in rejected[0].message


def test_header_not_in_row_4_is_refused(fresh_db, landing):
    ocd_xlsx(landing, "OCD_woonmonitor_2022.xlsx", SURVEY_HEADER, GOOD, title_rows=0)
    _, rejected = load(fresh_db, landing)
    assert "werkblad Tabel: de kopregel staat in rij 1; afgesproken is rij 4" in rejected[0].message


def test_csv_renamed_to_xlsx_is_refused(fresh_db, landing):
    path = landing / "ocd" / "OCD_kerncijfers_2023.xlsx"
    path.parent.mkdir(parents=True)
    path.write_text("Indicator;Waarde\nKC_CITOSCORE;535,15\n")
    _, rejected = load(fresh_db, landing)
    assert "geen geldig Excel-bestand (.xlsx)" in rejected[0].message


def test_kerncijfers_in_long_format_are_loaded(fresh_db, landing):
    ocd_xlsx(
        landing,
        "OCD_kerncijfers_2023.xlsx",
        KERNCIJFERS_HEADER,
        [
            ["KC_CITOSCORE", "Gemiddelde eindtoetsscore", "WK050507", "2022/2023", 532.64, None, None, "DUO"],
            ["KC_ARBEIDSPARTICIPATIE", "Netto arbeidsparticipatie", "GM0505", "2023", 67, 52000, 77600, "CBS"],
        ],
        sheet="Kerncijfers",
        title_rows=0,
    )
    _, rejected = load(fresh_db, landing)
    assert not rejected, [r.message for r in rejected]
    assert query(
        fresh_db, "SELECT _line, periode, waarde::float, teller::float FROM raw_ocd.kerncijfers ORDER BY 1"
    ) == [(2, "2022/2023", 532.64, None), (3, "2023", 67.0, 52000.0)]


@pytest.mark.slow  # builds a warehouse (quick subset: -m 'not slow')
def test_ocd_values_reach_the_fact_table_and_progress(fresh_db, landing):
    from monitor_dordt_west.orchestration import pipeline

    ocd_xlsx(landing, "OCD_veiligheidsmonitor_2023.xlsx", SURVEY_HEADER, GOOD)
    ocd_xlsx(
        landing,
        "OCD_kerncijfers_2023.xlsx",
        KERNCIJFERS_HEADER,
        [
            ["KC_CITOSCORE", "Gemiddelde eindtoetsscore", "WK050507", "2022/2023", 532.64, None, None, "DUO"],
            ["KC_ARBEIDSPARTICIPATIE", "Netto arbeidsparticipatie", "GM0505", "2023-01-01", 67, 52000, 77600, "CBS"],
        ],
        sheet="Kerncijfers",
        title_rows=0,
    )
    assert pipeline.run(fresh_db, landing).ok
    rows = query(
        fresh_db,
        "SELECT indicator_code, gebiedscode, periode_code, waarde::float, teller::float, "
        "respondenten, ondergrens::float, status FROM marts.fct_indicator_values ORDER BY 1, 2",
    )
    assert rows == [
        ("arbeidsparticipatie", "GM0505", "2023", 67.0, 52000.0, None, None, "definitief"),
        ("citoscore", "WK050507", "2023", 532.64, None, None, None, "definitief"),
        ("vm_sociale_overlast", "GM0505", "2023", 14.0, None, 1850, 12.5, "definitief"),
        ("vm_sociale_overlast", "WK050504", "2023", None, None, 18, None, "definitief"),  # not publishable
        ("vm_veiligheid_buurt", "GM0505", "2023", 7.3, None, 1850, 7.2, "definitief"),
        ("vm_veiligheid_buurt", "WK050503", "2023", 6.7, None, 210, 6.5, "definitief"),
    ]
    # Oud-Krispijn's 2023 baseline is 6,7 (Bijlage 3, 2023): the path is still at the baseline, 6.7 >= 6.7
    status = dict(
        query(
            fresh_db,
            "SELECT gebiedscode || ' ' || indicator_code, status FROM marts.fct_indicator_voortgang "
            "WHERE periode_code = '2023'",
        )
    )
    assert status["WK050503 vm_veiligheid_buurt"] == "op koers"
    assert status["WK050504 vm_sociale_overlast"] == "geen data"
