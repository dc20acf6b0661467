"""The sample deliveries: every agreed file, deterministic, accepted by the pipeline as they are,
and no BSN anywhere in the warehouse or the archive afterwards (the demo warehouse's scan)."""

from __future__ import annotations

import csv
import hashlib
from datetime import date

import pytest

from mdw_dev.samples import core
from monitor_dordt_west import config
from monitor_dordt_west.ingestion import registry
from monitor_dordt_west.orchestration import pipeline
from tests.conftest import query
from tests.test_sdd_privacy import bsn_like_files, bsn_like_values


def digest(folder) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_generator_is_deterministic_and_writes_every_agreed_file(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    core.generate(a, seed=7, first_year=2024, today=date(2024, 7, 1))
    core.generate(b, seed=7, first_year=2024, today=date(2024, 7, 1))
    files_a = digest(a)
    files_b = digest(b)
    assert files_a == files_b  # byte for byte, workbooks included (tests/test_idempotence.py: mtimes too)
    for ds in registry.DATASETS:  # every agreed delivery is present
        assert any(ds.match(name.split("/")[1]) for name in files_a), ds.example


@pytest.mark.slow  # builds a warehouse (quick subset: -m 'not slow')
def test_pipeline_accepts_the_sample_and_the_warehouse_holds_no_bsn(fresh_db, tmp_path, monkeypatch):
    monkeypatch.setenv("MDW_PSEUDONYM_KEY", "ef" * 32)
    from monitor_dordt_west.ingestion import pseudonym

    pseudonym.key.cache_clear()
    landing = tmp_path / "landing"
    counts = core.generate(landing, seed=11, first_year=2024, today=date(2024, 7, 1))
    result = pipeline.run(fresh_db, landing)
    assert result.ok, [r.message for r in result.rejected][:3]
    assert len([o for o in result.outcomes if o.status == "loaded"]) == len(counts)
    for ds in registry.DATASETS:
        assert query(fresh_db, f"SELECT count(*) > 0 FROM {ds.raw_table}") == [(True,)], ds.id
    assert bsn_like_values(fresh_db) == []
    assert bsn_like_files(config.paths().archive) == []
    pseudonym.key.cache_clear()


def test_second_round_corrects_one_month_and_redelivers_one_file_identically(fresh_db, tmp_path, monkeypatch):
    from monitor_dordt_west.ingestion import load, raw_tables

    monkeypatch.setenv("MDW_PSEUDONYM_KEY", "ef" * 32)
    first, second = tmp_path / "first", tmp_path / "second"
    kwargs = dict(seed=5, first_year=2024, today=date(2024, 4, 1))  # Q1 2024 only
    core.generate(first, **kwargs)
    info = core.generate_second_round(second, **kwargs)
    raw_tables.ensure_schema(fresh_db)
    for partner in ("politie", "sdd"):
        assert not load.ingest_partner(partner, fresh_db, first)[1]
    before = query(fresh_db, "SELECT count(*) FROM raw_politie.misdrijven WHERE registratiedatum >= '2024-03-01'")[0][0]
    outcomes = load.ingest_partner("politie", fresh_db, second)[0] + load.ingest_partner("sdd", fresh_db, second)[0]
    assert {o.file_name: o.status for o in outcomes} == {info["correctie"]: "loaded", info["identiek"]: "unchanged"}
    after = query(fresh_db, "SELECT count(*) FROM raw_politie.misdrijven WHERE registratiedatum >= '2024-03-01'")[0][0]
    assert after == before - 3 + 2
    numbers = {r for (r,) in query(fresh_db, "SELECT registratienummer FROM raw_politie.misdrijven")}
    assert numbers.isdisjoint(info["ingetrokken"]) and set(info["toegevoegd"]) <= numbers
    assert query(
        fresh_db,
        "SELECT status, count(*) FROM mdw_meta.load_ledger WHERE file_name = %s GROUP BY 1 ORDER BY 1",
        (info["correctie"],),
    ) == [("loaded", 1), ("superseded", 1)]
    assert query(
        fresh_db, "SELECT times_received FROM mdw_meta.load_ledger WHERE file_name = %s", (info["identiek"],)
    ) == [(2,)]


def test_sample_command_line(tmp_path, capsys):
    from monitor_dordt_west import cli

    assert cli.main(["sample", "--bad", "--out", str(tmp_path / "bad")]) == 0
    assert cli.main(["sample", "--second-round", "--out", str(tmp_path / "r2"), "--today", "2022-04-01"]) == 0
    assert cli.main(["sample", "--out", str(tmp_path / "r1"), "--today", "2022-04-01"]) == 0
    out = capsys.readouterr().out
    assert "27 foute leveringen" in out and "correctie POL_misdrijven_202203.csv" in out
    assert (tmp_path / "r2" / "politie" / "POL_misdrijven_202203.csv").exists()


def test_national_scale_has_the_volumes_of_the_netherlands(tmp_path):
    from mdw_dev.samples import national

    counts = national.generate(tmp_path, months=1)
    assert counts["POL_misdrijven_202301.csv"] == 800_000 // 12
    assert counts["POL_incidenten_202301.csv"] == 720_000 // 12
    assert counts["SDD_uitkeringen_202301.csv"] == 400_000
    with open(tmp_path / "ocd" / "OCD_bevolking_2023.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len({r["buurtcode"] for r in rows}) == 342 * 41
    assert 17_900_000 <= sum(int(r["inwoners"]) for r in rows) <= 18_100_000
