"""BLIK (Buurtwerk) deliveries: its own wijk names, quoted CSV, ISO timestamps, cross-field rules."""

from __future__ import annotations

import pytest

from monitor_dordt_west import programme
from monitor_dordt_west.ingestion import load as ingest
from monitor_dordt_west.ingestion import raw_tables
from tests.conftest import query
from tests.deliveries import REGISTRATIES_HEADER, VRIJWILLIGERS_HEADER, blik

GOOD = [
    ["1", "2024-01-07T14:05:00", "korte vraag", "1", "financiën", "Oud Krispijn", "K1", "", ""],
    ["2", "2024-02-01T09:00:00", "collectief dossier", "4", "sociaal netwerk", "Stedelijk", "", "12", ""],
    [
        "3",
        "2024-03-31T23:59:59",
        "doorverwijzing",
        "3",
        "huisvesting",
        "Crabbehof-Zuidhoven",
        "K2",
        "",
        "Sociaal Wijkteam",
    ],
]


def load(tgt, landing):
    raw_tables.ensure_schema(tgt)
    return ingest.ingest_partner("blik", tgt, landing)


def test_good_blik_delivery_is_loaded(fresh_db, landing):
    blik(landing, "BLIK_registraties_2024-Q1.csv", REGISTRATIES_HEADER, GOOD)
    blik(
        landing,
        "BLIK_vrijwilligers_2024-Q1.csv",
        VRIJWILLIGERS_HEADER,
        [["V1", "Wielwijk", "2", "2023-05-01", ""], ["V2", "Stedelijk", "5", "2022-01-01", "2024-02-29"]],
    )
    _, rejected = load(fresh_db, landing)
    assert not rejected, [r.message for r in rejected]
    rows = query(
        fresh_db,
        "SELECT registratie_id, datum_tijd::text, wijk, aantal_deelnemers FROM raw_blik.registraties ORDER BY 1",
    )
    assert rows == [
        (1, "2024-01-07 14:05:00", "Oud Krispijn", None),
        (2, "2024-02-01 09:00:00", "Stedelijk", 12),
        (3, "2024-03-31 23:59:59", "Crabbehof-Zuidhoven", None),
    ]


BAD = {
    "unknown wijk": (
        ["4", "2024-01-08T10:00:00", "korte vraag", "1", "taal", "Krispijn", "K3", "", ""],
        "kolom wijk: 1 regel(s) niet zoals verwacht (een BLIK-wijknaam uit de afgesproken lijst",
    ),
    "negative count": (
        ["4", "2024-01-08T10:00:00", "collectief dossier", "4", "taal", "Staart", "", "-3", ""],
        "kolom aantal_deelnemers: 1 regel(s) niet zoals verwacht (een getal minstens 0 en hoogstens 2500) — regel 5",
    ),
    "count on a short question": (
        ["4", "2024-01-08T10:00:00", "korte vraag", "1", "taal", "Staart", "K3", "2", ""],
        "kolom aantal_deelnemers: 1 regel(s) niet zoals verwacht (een aantal bij soort 'collectief dossier'",
    ),
    "programmalijn 6": (
        ["4", "2024-01-08T10:00:00", "korte vraag", "6", "taal", "Staart", "K3", "", ""],
        "kolom programmalijn: 1 regel(s) niet zoals verwacht (een getal minstens 1 en hoogstens 5)",
    ),
    "timestamp outside the quarter": (
        ["4", "2024-04-01T00:00:00", "korte vraag", "1", "taal", "Staart", "K3", "", ""],
        "kolom datum_tijd: 1 regel(s) niet zoals verwacht (een datum van 01-01-2024 t/m 31-03-2024",
    ),
    "Dutch date instead of ISO": (
        ["4", "08-01-2024 10:00", "korte vraag", "1", "taal", "Staart", "K3", "", ""],
        "kolom datum_tijd: 1 regel(s) niet zoals verwacht (een tijdstip in het formaat jjjj-mm-ddTuu:mm:ss) — regel 5",
    ),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_blik_rows_are_refused(fresh_db, landing, case):
    row, expected = BAD[case]
    blik(landing, "BLIK_registraties_2024-Q1.csv", REGISTRATIES_HEADER, [*GOOD, row])
    _, rejected = load(fresh_db, landing)
    assert len(rejected) == 1 and expected in rejected[0].message, rejected[0].message
    assert "regel 5:" not in rejected[0].message  # a person-level file: positions, never values
    assert query(fresh_db, "SELECT count(*) FROM raw_blik.registraties") == [(0,)]


@pytest.mark.slow  # builds a warehouse (quick subset: -m 'not slow')
def test_blik_indicators_per_wijk_and_quarter(fresh_db, landing):
    """Hand-made Q1 2024: clients K1 (Oud Krispijn, twice), K2 (Crabbehof-Zuidhoven), K3 (Wielwijk);
    a collective dossier with 12 participants city-wide (Stedelijk: Dordrecht only); volunteer V1
    in Wielwijk and Oud Krispijn, V2 city-wide."""
    from monitor_dordt_west.orchestration import pipeline
    from tests import handmade

    blik(
        landing,
        "BLIK_registraties_2024-Q1.csv",
        REGISTRATIES_HEADER,
        [
            *GOOD,
            ["4", "2024-02-10T11:00:00", "individueel dossier", "3", "financiën", "Oud Krispijn", "K1", "", ""],
            ["5", "2024-03-01T10:30:00", "korte vraag", "1", "taal", "Wielwijk", "K3", "", ""],
        ],
    )
    blik(
        landing,
        "BLIK_vrijwilligers_2024-Q1.csv",
        VRIJWILLIGERS_HEADER,
        [
            ["V1", "Wielwijk", "2", "2023-05-01", ""],
            ["V1", "Oud Krispijn", "3", "2023-05-01", ""],
            ["V2", "Stedelijk", "5", "2022-01-01", "2024-02-29"],
        ],
    )
    assert pipeline.run(fresh_db, landing).ok
    values = {k[:2]: v[0] for k, v in handmade.fact_values(fresh_db).items() if k[2] == "2024-Q1"}
    GM = programme.MUNICIPALITY
    OK, _, WW, CH = programme.FOCUS_WIJKEN  # Oud-Krispijn, Nieuw-Krispijn, Wielwijk, Crabbehof
    assert {
        k: values[k] for k in [("blik_bereik", GM), ("blik_bereik", OK), ("blik_bereik", WW), ("blik_bereik", CH)]
    } == {("blik_bereik", GM): 3, ("blik_bereik", OK): 1, ("blik_bereik", WW): 1, ("blik_bereik", CH): 1}
    assert values[("blik_korte_vragen", GM)] == 2 and values[("blik_korte_vragen", OK)] == 1
    assert values[("blik_individuele_dossiers", OK)] == 1 and values[("blik_individuele_dossiers", GM)] == 1
    assert values[("blik_collectieve_dossiers", GM)] == 1 and values[("blik_collectieve_dossiers", OK)] == 0
    assert values[("blik_deelnemers_collectief", GM)] == 12 and values[("blik_deelnemers_collectief", OK)] == 0
    assert values[("blik_doorverwijzingen", CH)] == 1 and values[("blik_doorverwijzingen", GM)] == 1
    assert values[("blik_vrijwilligers", GM)] == 2 and values[("blik_vrijwilligers", WW)] == 1
    assert values[("blik_vrijwilligers", OK)] == 1
    # BLIK has no buurt: no values for buurten or for Dordt West (Crabbehof-Zuidhoven includes Zuidhoven)
    levels = query(
        fresh_db,
        "SELECT DISTINCT a.niveau FROM marts.fct_indicator_values f JOIN marts.dim_area a "
        "USING (gebiedscode) WHERE f.indicator_code LIKE 'blik%%' ORDER BY 1",
    )
    assert levels == [("gemeente",), ("wijk",)]
    assert query(
        fresh_db,
        "SELECT gebiedscode, registraties FROM marts.fct_buurtwerk_registraties "
        "WHERE doorverwezen_naar = 'Sociaal Wijkteam'",
    ) == [(CH, 1)]
