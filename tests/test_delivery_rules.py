"""The delivery rules a partner and an operator rely on (README, "Delivery rules"), on a real warehouse.

Identity of a delivery is (dataset, period, content); re-deliveries change nothing and say which
delivery they match; a delivery never replaces a later period; an older file does not silently win;
a delivery that differs too much from the previous one is held for review; an operator releases a
held delivery; files still being written are left for the next run.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from monitor_dordt_west.ingestion import load as ingest
from monitor_dordt_west.ingestion import raw_tables
from tests.conftest import query
from tests.deliveries import (
    INCIDENTEN_HEADER,
    MINIMA_HEADER,
    MISDRIJVEN_HEADER,
    VRIJWILLIGERS_HEADER,
    blik,
    make_bsn,
    politie,
    sdd,
)

A, B = make_bsn(201), make_bsn(202)


def load(tgt, landing, partner):
    raw_tables.ensure_schema(tgt)
    return ingest.ingest_partner(partner, tgt, landing)


def minima(landing, quarter: str, rows: list[tuple[str, str]]):
    """rows: (bsn, toekenningsdatum)."""
    return sdd(
        landing,
        f"SDD_minimaregelingen_2024{quarter}.csv",
        MINIMA_HEADER,
        [[bsn, "persoonlijk minimabudget", when, "150,00", "BU05050300"] for bsn, when in rows],
    )


def ledger(tgt):
    return query(
        tgt, "SELECT delivery_id, period, status, superseded_by, times_received FROM mdw_meta.load_ledger ORDER BY 1"
    )


def at(path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def test_a_superseded_year_to_date_file_sent_again_changes_nothing(fresh_db, landing):
    """Seen in the campaign: an identical copy of the Q1 file replaced the Q2 (year-to-date) delivery."""
    q1 = minima(landing, "Q1", [(A, "2024-02-01")])
    q1_bytes = q1.read_bytes()
    (first,), _ = load(fresh_db, landing, "sdd")
    minima(landing, "Q2", [(A, "2024-02-01"), (B, "2024-05-01")])
    (second,), _ = load(fresh_db, landing, "sdd")
    assert second.replaced == [first.delivery_id]
    q1.write_bytes(q1_bytes)
    (again,), rejected = load(fresh_db, landing, "sdd")
    assert not rejected and again.status == "unchanged"
    assert again.message == (
        f"SDD_minimaregelingen_2024Q1.csv: byte-identiek aan levering {first.delivery_id} (een levering die al is "
        f"vervangen door levering {second.delivery_id}); niets gewijzigd"
    )
    assert ledger(fresh_db) == [
        (first.delivery_id, "2024-Q1", "superseded", second.delivery_id, 2),
        (second.delivery_id, "2024-Q2", "loaded", None, 1),
    ]
    assert query(fresh_db, "SELECT count(*) FROM raw_sdd.minimaregelingen") == [(2,)]
    assert not list((landing / "sdd").iterdir())


def test_an_older_year_to_date_file_with_new_content_is_refused(fresh_db, landing):
    minima(landing, "Q2", [(A, "2024-02-01"), (B, "2024-05-01")])
    (q2,), _ = load(fresh_db, landing, "sdd")
    minima(landing, "Q1", [(A, "2024-03-01")])
    _, (refused,) = load(fresh_db, landing, "sdd")
    assert refused.problems == [
        "SDD_minimaregelingen_2024Q1.csv: een stand t/m 31-03-2024 (periode 2024-Q1) vervangt niet de actieve, "
        f"latere stand t/m 30-06-2024 (levering {q2.delivery_id}, periode 2024-Q2); een correctie levert u als "
        "nieuwe versie van de laatste periode"
    ]
    assert query(fresh_db, "SELECT count(*) FROM raw_sdd.minimaregelingen") == [(2,)]


def test_identical_bytes_for_another_period_are_a_delivery_of_that_period(fresh_db, landing):
    """Seen in the campaign: such a file was skipped as a re-delivery, and its period had no data."""
    rows = [["V1", "Wielwijk", "1", "2023-09-01", ""]]
    q1 = blik(landing, "BLIK_vrijwilligers_2024-Q1.csv", VRIJWILLIGERS_HEADER, rows)
    content = q1.read_bytes()
    (_first,), _ = load(fresh_db, landing, "blik")
    (landing / "blik" / "BLIK_vrijwilligers_2024-Q2.csv").write_bytes(content)
    (second,), rejected = load(fresh_db, landing, "blik")
    assert not rejected and second.status == "loaded" and second.period == "2024-Q2" and not second.replaced
    assert query(
        fresh_db, "SELECT period, status FROM mdw_meta.load_ledger l JOIN raw_blik.vrijwilligers r "
        "ON r._delivery_id = l.delivery_id ORDER BY 1"
    ) == [("2024-Q1", "loaded"), ("2024-Q2", "loaded")]  # fmt: skip


def test_a_correction_older_than_the_active_delivery_is_held_and_an_operator_releases_it(fresh_db, landing):
    """Seen in the campaign: a correction that arrived before its original was replaced by the original."""
    original = [["I1", "05-01-2024", "E33", "overlast verward persoon", "BU05050300"]]
    correction = [["I1", "05-01-2024", "E33", "overlast verward persoon", "BU05050401"]]
    # the correction (made on 12 February) arrives first, the original (made on 3 February) after it
    path = politie(landing, "POL_incidenten_202401.csv", INCIDENTEN_HEADER, correction)
    at(path, datetime(2024, 2, 12, 9, 0, tzinfo=UTC))
    (loaded,), _ = load(fresh_db, landing, "politie")
    path = politie(landing, "POL_incidenten_202401.csv", INCIDENTEN_HEADER, original)
    at(path, datetime(2024, 2, 3, 9, 0, tzinfo=UTC))
    outcomes, (held,) = load(fresh_db, landing, "politie")
    assert [o.status for o in outcomes] == ["held"] and held.held
    assert held.problems == [
        "POL_incidenten_202401.csv: aangehouden — het bestand is ouder (03-02-2024 10:00:00) dan de actieve "
        f"levering {loaded.delivery_id} die het zou vervangen (12-02-2024 10:00:00); een oudere versie vervangt een "
        "nieuwere niet vanzelf. Is dit toch de juiste versie, dan geeft een beheerder haar vrij: ./mdw release <levering>"
    ]
    assert query(fresh_db, "SELECT buurtcode FROM raw_politie.incidenten") == [("BU05050401",)]  # the correction stays
    # the same bytes again: still held, counted as received
    again_path = politie(landing, "POL_incidenten_202401.csv", INCIDENTEN_HEADER, original)
    at(again_path, datetime(2024, 2, 3, 9, 0, tzinfo=UTC))
    outcomes, (still,) = load(fresh_db, landing, "politie")
    assert outcomes[0].status == "held" and still.delivery_id == held.delivery_id
    assert still.problems[0] == f"byte-identiek aan de eerder aangehouden levering {held.delivery_id}"
    # the operator decides the original is right after all
    dest = ingest.release(fresh_db, held.delivery_id, by="beheerder")
    assert dest == landing / "politie" / "POL_incidenten_202401.csv"
    (released,), rejected = load(fresh_db, landing, "politie")
    assert not rejected and released.status == "loaded" and released.replaced == [loaded.delivery_id]
    assert query(fresh_db, "SELECT buurtcode FROM raw_politie.incidenten") == [("BU05050300",)]
    assert [(r[2], r[4]) for r in ledger(fresh_db)] == [("superseded", 1), ("released", 2), ("loaded", 1)]
    reason = query(fresh_db, "SELECT reason FROM mdw_meta.load_ledger WHERE delivery_id = %s", (held.delivery_id,))
    assert reason[0][0].endswith("UTC.") and "Vrijgegeven door beheerder op " in reason[0][0]


def test_a_delivery_far_from_the_previous_one_is_held_for_review_and_can_be_released(fresh_db, landing):
    def crimes(month: int, n: int):
        return [
            [f"PL1700-2024{month:02d}{i:04d}", f"05-{month:02d}-2024", "", "A20", "Woninginbraak", ""] for i in range(n)
        ]

    politie(landing, "POL_misdrijven_202401.csv", MISDRIJVEN_HEADER, crimes(1, 120))
    (_jan,), _ = load(fresh_db, landing, "politie")
    politie(landing, "POL_misdrijven_202402.csv", MISDRIJVEN_HEADER, crimes(2, 100))  # within a factor 2: loaded
    (feb,), _ = load(fresh_db, landing, "politie")
    assert feb.status == "loaded"
    politie(landing, "POL_misdrijven_202403.csv", MISDRIJVEN_HEADER, crimes(3, 201))  # 201 > 2 x 100: held
    _, (held,) = load(fresh_db, landing, "politie")
    assert held.problems == [
        "POL_misdrijven_202403.csv: aangehouden ter beoordeling — regels 201 (201 per maand) tegen 100 (100 per "
        f"maand) in levering {feb.delivery_id} (periode 2024-02); dat is meer dan een factor 2 verschil. Klopt de "
        f"levering, dan geeft een beheerder haar vrij: ./mdw release {held.delivery_id}"
    ]
    assert query(fresh_db, "SELECT count(*) FROM raw_politie.misdrijven") == [(220,)]
    ingest.release(fresh_db, held.delivery_id, by="beheerder")
    (mar,), rejected = load(fresh_db, landing, "politie")
    assert not rejected and mar.status == "loaded" and mar.rows == 201
    assert query(fresh_db, "SELECT count(*) FROM raw_politie.misdrijven") == [(421,)]


def test_a_correction_far_from_the_delivery_it_replaces_is_held(fresh_db, landing):
    """A correction is compared with the delivery it would replace (the same period)."""
    rows = [[f"PL1700-2024{i:06d}", "05-01-2024", "", "A20", "Woninginbraak", ""] for i in range(150)]
    politie(landing, "POL_misdrijven_202401.csv", MISDRIJVEN_HEADER, rows)
    (jan,), _ = load(fresh_db, landing, "politie")
    politie(landing, "POL_misdrijven_202401.csv", MISDRIJVEN_HEADER, rows[:70])  # 70 < 150 / 2
    _, (held,) = load(fresh_db, landing, "politie")
    assert held.problems[0].startswith(
        f"POL_misdrijven_202401.csv: aangehouden ter beoordeling — regels 70 (70 per maand) tegen 150 (150 per maand) "
        f"in levering {jan.delivery_id} (periode 2024-01)"
    )
    assert query(fresh_db, "SELECT count(*) FROM raw_politie.misdrijven") == [(150,)]


def test_a_quoted_field_with_the_separator_inside_is_one_field(fresh_db, landing):
    politie(landing, "POL_misdrijven_202401.csv", MISDRIJVEN_HEADER, [
        ["PL1700-2024000001", "05-01-2024", "", "A20", '"Diefstal; uit ""woning"""', "BU05050300"],
        ["PL1700-2024000002", "06-01-2024", "", "A20", "Woninginbraak", "BU05050300"],
    ])  # fmt: skip
    (outcome,), rejected = load(fresh_db, landing, "politie")
    assert not rejected and outcome.rows == 2
    assert query(fresh_db, "SELECT _line, omschrijving FROM raw_politie.misdrijven ORDER BY 1") == [
        (2, 'Diefstal; uit "woning"'),
        (3, "Woninginbraak"),
    ]


def test_a_file_still_being_written_is_left_for_the_next_run(fresh_db, landing, monkeypatch):
    monkeypatch.setenv("MDW_SETTLE_SECONDS", "30")
    path = politie(
        landing, "POL_incidenten_202401.csv", INCIDENTEN_HEADER, [["I1", "05-01-2024", "E33", "burenruzie", ""]]
    )
    outcomes, rejected = load(fresh_db, landing, "politie")
    assert outcomes == [] and rejected == [] and path.exists()
    assert query(fresh_db, "SELECT count(*) FROM mdw_meta.load_ledger") == [(0,)]
    settled = path.stat().st_mtime - 31
    os.utime(path, (settled, settled))
    (outcome,), _ = load(fresh_db, landing, "politie")
    assert outcome.status == "loaded" and not path.exists()


def test_an_upload_in_progress_with_a_dot_name_is_not_touched(fresh_db, landing):
    (landing / "politie").mkdir(parents=True)
    part = landing / "politie" / ".POL_incidenten_202401.csv.part"
    part.write_bytes(b"Incidentnummer;Meldingsdatum")
    at(part, datetime(2024, 2, 1, tzinfo=UTC))
    assert load(fresh_db, landing, "politie") == ([], [])
    assert part.read_bytes() == b"Incidentnummer;Meldingsdatum"


def test_the_server_log_never_holds_a_line_of_a_refused_file(fresh_db, landing, mdw_home):
    """PostgreSQL logs a failing COPY line in its CONTEXT; the embedded server logs tersely."""
    secret = "Kerkstraat 12 geheim"  # a BSN would be refused before COPY by the BSN scan; this reaches COPY
    politie(landing, "POL_misdrijven_202401.csv", MISDRIJVEN_HEADER, [
        ["PL1700-2024000001", "05-01-2024", "", "A20", "Woninginbraak", "BU05050300", secret],  # one field too many
    ])  # fmt: skip
    _, (refused,) = load(fresh_db, landing, "politie")
    assert refused.problems == [
        "POL_misdrijven_202401.csv, regel 2: meer velden dan kolommen in de kopregel (scheidingsteken in een waarde "
        "zonder aanhalingstekens?)"
    ]
    log = (mdw_home / "pgdata" / "log").read_text(errors="replace")
    assert "extra data after last expected column" in log  # the error is logged ...
    assert secret not in log and "Woninginbraak" not in log  # ... without the line


def test_no_message_repeats_a_bsn_like_number():
    """The last safety net: whatever a finding quotes, a 9-digit number passing the 11-proef is masked."""
    bsn = make_bsn(404)
    refused = ingest.DeliveryRejected(
        "X.csv", [f"kolom Omschrijving: 1 regel(s) — regel 2: '{bsn}'", "regel 123456789"]
    )
    assert bsn not in refused.message
    assert refused.problems == [
        "kolom Omschrijving: 1 regel(s) — regel 2: '<BSN-achtig getal, niet herhaald>'",
        "regel 123456789",  # fails the 11-proef: not BSN-like, kept
    ]


def test_an_entry_outside_the_partner_folders_is_reported(fresh_db, landing):
    from monitor_dordt_west.orchestration import pipeline

    (landing / "POL_misdrijven_202401.csv").write_text("x")
    (landing / "ggd").mkdir()
    result = pipeline.run(fresh_db, landing, build=False)
    assert result.not_processed == [
        "POL_misdrijven_202401.csv: staat niet in een partnermap (politie, ocd, sdd, blik) en wordt niet verwerkt",
        "ggd: staat niet in een partnermap (politie, ocd, sdd, blik) en wordt niet verwerkt",
    ]


def test_an_unexpected_error_on_one_file_fails_that_file_only_and_logs_no_text(fresh_db, landing, monkeypatch):
    """A bug or fault nobody foresaw: the file stays, the others go on, and the log has the frames only."""
    politie(landing, "POL_incidenten_202401.csv", INCIDENTEN_HEADER, [["I1", "05-01-2024", "E33", "burenruzie", ""]])
    politie(landing, "POL_incidenten_202402.csv", INCIDENTEN_HEADER, [["I2", "05-02-2024", "E33", "burenruzie", ""]])
    real = ingest.ingest_file
    value = "Kerk" + "straat 12"  # as read from a file (the log's source lines show code, not this text)

    def failing_on_january(path, *args):
        if path.name.endswith("202401.csv"):
            raise ValueError(value)
        return real(path, *args)

    monkeypatch.setattr(ingest, "ingest_file", failing_on_january)
    import io
    import logging

    logged = io.StringIO()
    handler = logging.StreamHandler(logged)
    logging.getLogger("monitor_dordt_west.ingestion.load").addHandler(handler)
    try:
        outcomes, rejected = load(fresh_db, landing, "politie")
    finally:
        logging.getLogger("monitor_dordt_west.ingestion.load").removeHandler(handler)
    assert not rejected and sorted(o.status for o in outcomes) == ["failed", "loaded"]
    failed = next(o for o in outcomes if o.status == "failed")
    assert failed.message == "POL_incidenten_202401.csv: onverwachte fout (ValueError); het bestand blijft staan"
    assert (landing / "politie" / "POL_incidenten_202401.csv").exists()
    assert "Kerkstraat" not in logged.getvalue() and "failing_on_january" in logged.getvalue()  # where, not what
