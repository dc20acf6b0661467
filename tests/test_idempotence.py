"""Reproducible sample deliveries and an idempotent demo: the generator writes the same bytes and
modification times for the same seed and date (workbooks included), and a second ``mdw demo`` /
``mdw run`` changes nothing in the ledger, the raw tables or the marts (real PostgreSQL, real dbt)."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from mdw_dev.samples import bad, core, demo
from mdw_dev.samples import files as sample_files
from monitor_dordt_west.orchestration import pipeline
from tests.conftest import query

TZ = sample_files.TZ


def files(folder: Path) -> dict[str, tuple[str, int]]:
    """relative path -> (sha256, mtime in ns) of every file under ``folder``."""
    return {
        p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, TZ)


def at(y: int, m: int, d: int, hour: int = 6) -> datetime:
    return datetime(y, m, d, hour, tzinfo=TZ)


def test_same_seed_and_date_give_the_same_bytes_and_mtimes(tmp_path):
    today = date(2024, 4, 5)  # Q1 2024; the latest files are due after today and are dated the day before
    kwargs = dict(seed=7, first_year=2024, today=today)
    a, b = tmp_path / "a", tmp_path / "b"
    core.generate(a, **kwargs)
    core.generate(b, **kwargs)
    first = files(a)
    assert any(name.endswith(".xlsx") for name in first)
    assert first == files(b)  # every file, workbooks included: same sha256 and the same mtime

    # the mtime is the agreed delivery moment, never later than the day before today
    limit = at(2024, 4, 4, 0)
    assert all(mtime(a / name) <= limit for name in first)
    assert mtime(a / "politie/POL_misdrijven_202401.csv") == at(2024, 2, 10)
    assert mtime(a / "politie/POL_incidenten_202402.csv") == at(2024, 3, 10)
    assert mtime(a / "sdd/SDD_uitkeringen_202401.csv") == at(2024, 2, 15)
    assert mtime(a / "sdd/SDD_schuldhulp_202402.csv") == at(2024, 3, 15)
    assert mtime(a / "ocd/OCD_bevolking_2024.csv") == at(2024, 3, 1)
    assert mtime(a / "ocd/OCD_huishoudens_2024.csv") == at(2024, 3, 1)
    assert mtime(a / "ocd/OCD_gezondheidsmonitor_2020.xlsx") == at(2021, 3, 1)
    assert mtime(a / "ocd/OCD_kerncijfers_2023.xlsx") == at(2024, 3, 1)
    for due_after_today in ("politie/POL_misdrijven_202403.csv", "sdd/SDD_minimaregelingen_2024Q1.csv"):
        assert mtime(a / due_after_today) == limit  # due 10 and 15 April
    assert mtime(a / "blik/BLIK_registraties_2024-Q1.csv") == limit  # due 7 April
    # a workbook carries its delivery moment inside, not the clock
    with zipfile.ZipFile(a / "ocd/OCD_kerncijfers_2023.xlsx") as wb:
        assert {i.date_time for i in wb.infolist()} == {(2024, 3, 1, 6, 0, 0)}
        assert b'<dcterms:modified xsi:type="dcterms:W3CDTF">2024-03-01T05:00:00Z' in wb.read("docProps/core.xml")

    # the second round: the same bytes each time, one day newer than the file it corrects/re-delivers
    r1, r2 = tmp_path / "r1", tmp_path / "r2"
    info = core.generate_second_round(r1, **kwargs)
    core.generate_second_round(r2, **kwargs)
    assert files(r1) == files(r2)
    for partner, name in (("politie", info["correctie"]), ("sdd", info["identiek"])):
        assert mtime(r1 / partner / name) == mtime(a / partner / name) + sample_files.SECOND_ROUND_DELAY
        assert mtime(r1 / partner / name) <= at(2024, 4, 5, 0)
    assert files(r1)[f"sdd/{info['identiek']}"][0] == first[f"sdd/{info['identiek']}"][0]

    # the bad deliveries too (their workbooks and mtimes)
    bad1, bad2 = tmp_path / "bad1", tmp_path / "bad2"
    bad.generate(bad1)
    bad.generate(bad2)
    deliveries = {k: v for k, v in files(bad1).items() if "/" in k}  # not verwachte_meldingen.csv
    assert any(k.endswith(".xlsx") for k in deliveries)
    assert deliveries == {k: v for k, v in files(bad2).items() if "/" in k}


CHECKSUM = "SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')), count(*) FROM {} AS t"


def checksums(tgt, schema_like: str) -> dict[str, tuple[str, int]]:
    """relation -> (md5 over its rows as text, in order, and the row count), for every table,
    partition and view in the schemas matching ``schema_like``."""
    relations = query(
        tgt,
        "SELECT format('%%I.%%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname LIKE %s AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 1",
        (schema_like,),
    )
    return {rel: query(tgt, CHECKSUM.format(rel))[0] for (rel,) in relations}


def state(tgt) -> dict[str, dict]:
    return {
        "ledger": checksums(tgt, "mdw\\_meta"),  # load_ledger, every column, and the deliveries view
        "raw": checksums(tgt, "raw\\_%"),
        "marts": checksums(tgt, "marts"),
    }


@pytest.mark.slow  # builds a warehouse (quick subset: -m 'not slow')
def test_a_second_demo_delivers_nothing_and_changes_nothing(fresh_db, landing, monkeypatch):
    monkeypatch.setenv("MDW_PSEUDONYM_KEY", "ab" * 32)
    from monitor_dordt_west.ingestion import pseudonym

    pseudonym.key.cache_clear()
    kwargs = dict(seed=3, first_year=2024, today=date(2024, 4, 1))  # Q1 2024: a few minutes of dbt at most

    # the first demo: no ledger yet, the whole sample set is delivered
    first = demo.deliver_unreceived(fresh_db, landing, **kwargs)
    assert first.received == [] and first.waiting == [] and len(first.delivered) == first.generated > 20
    assert not list(landing.parent.glob(".landing-voorbeeld-*"))  # the staging folder is gone
    run = pipeline.run(fresh_db, landing, build=True)
    assert run.ok, [r.message for r in run.rejected][:3]
    assert sorted(o.status for o in run.outcomes) == ["loaded"] * len(first.delivered)
    before = state(fresh_db)
    assert before["raw"] and before["marts"] and before["ledger"]["mdw_meta.load_ledger"][1] == len(first.delivered)

    # the second demo: generates the same set, delivers none of it, and the run changes nothing
    second = demo.deliver_unreceived(fresh_db, landing, **kwargs)
    assert second.delivered == [] and second.waiting == []
    assert sorted(second.received) == sorted(first.delivered)
    assert not [p for p in landing.rglob("*") if p.is_file()]
    again = pipeline.run(fresh_db, landing, build=True)
    assert again.ok and again.outcomes == []
    after = state(fresh_db)
    assert after["ledger"] == before["ledger"]
    assert after["raw"] == before["raw"]
    assert after["marts"] == before["marts"]
    pseudonym.key.cache_clear()
