"""File modes of what may hold personal data or secrets: the owner only (folders 0700, files 0600) —
secrets, archive, quarantine (also on a repeated receipt of a refused file), logs, the Airflow
metadata DB; and leftovers of interrupted loads are removed by the next run, but not those of a load
that is still running."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from monitor_dordt_west import config
from monitor_dordt_west.ingestion import load, pseudonym, raw_tables
from monitor_dordt_west.orchestration import airflow_env
from monitor_dordt_west.warehouse import connection, credentials
from monitor_dordt_west.warehouse.connection import connect
from tests.conftest import query
from tests.deliveries import UITKERINGEN_HEADER, make_bsn, sdd


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("MDW_PSEUDONYM_KEY", "cd" * 32)
    pseudonym.key.cache_clear()
    yield
    pseudonym.key.cache_clear()


def uitkering(bsn: str, peil: str = "2024-01-31") -> list[str]:
    return [bsn, peil, "PW", "2021-05-01", "alleenstaand", "1990", "BU05050300"]


def test_local_secrets_are_the_owners_only(tmp_path, monkeypatch):
    monkeypatch.setenv("MDW_HOME", str(tmp_path))
    monkeypatch.delenv("MDW_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("AIRFLOW_CTX_DAG_ID", raising=False)
    pseudonym.key.cache_clear()
    try:
        pseudonym.key()
    finally:
        pseudonym.key.cache_clear()
    assert mode(tmp_path / "secrets") == 0o700
    assert mode(tmp_path / "secrets" / "pseudonym.key") == 0o600
    # made readable by someone (or an older version): the next Airflow command makes it private again
    (tmp_path / "secrets").chmod(0o755)
    (tmp_path / "secrets" / "pseudonym.key").chmod(0o644)
    (tmp_path / "logs").mkdir(mode=0o755)
    (tmp_path / "logs" / "ingest_sdd.log").write_text("x")
    (tmp_path / "logs" / "ingest_sdd.log").chmod(0o644)
    airflow_env.private_home()
    assert mode(tmp_path / "secrets") == 0o700
    assert mode(tmp_path / "secrets" / "pseudonym.key") == 0o600
    assert mode(tmp_path / "logs") == 0o700 and mode(tmp_path / "logs" / "ingest_sdd.log") == 0o600
    assert mode(tmp_path / "airflow") == 0o700


def test_archive_and_quarantine_are_the_owners_only_also_on_a_repeated_receipt(fresh_db, landing, key):
    raw_tables.ensure_schema(fresh_db)
    archive, quarantine = config.paths().archive / "sdd", config.paths().quarantine / "sdd"
    for folder in (archive, quarantine):  # left world-readable by an earlier version
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o755)
    sdd(landing, "SDD_uitkeringen_202401.csv", UITKERINGEN_HEADER, [uitkering(make_bsn(1))])
    load.ingest_partner("sdd", fresh_db, landing)
    ((stored,),) = query(fresh_db, "SELECT stored_as FROM mdw_meta.load_ledger WHERE status = 'loaded'")
    assert mode(archive) == 0o700
    for path in Path(stored).parent.glob(Path(stored).name + "*"):
        assert mode(path) == 0o600, path

    refused = [uitkering(make_bsn(2), "2024-02-29"), uitkering("123456789", "2024-02-29")]
    sdd(landing, "SDD_uitkeringen_202402.csv", UITKERINGEN_HEADER, refused)
    load.ingest_partner("sdd", fresh_db, landing)
    ((qstored,),) = query(fresh_db, "SELECT stored_as FROM mdw_meta.load_ledger WHERE status = 'quarantined'")
    qfile, reason = Path(qstored), Path(qstored + ".reden.txt")
    assert mode(quarantine) == 0o700 and mode(qfile) == 0o600 and mode(reason) == 0o600
    # someone made them readable; the partner sends the same file again
    for path, m in ((quarantine, 0o755), (qfile, 0o644), (reason, 0o644)):
        path.chmod(m)
    again = sdd(landing, "SDD_uitkeringen_202402.csv", UITKERINGEN_HEADER, refused)
    again.chmod(0o644)
    _, rejected = load.ingest_partner("sdd", fresh_db, landing)
    assert "byte-identiek aan de eerder geweigerde levering" in rejected[0].message
    assert query(fresh_db, "SELECT times_received FROM mdw_meta.load_ledger WHERE status = 'quarantined'") == [(2,)]
    assert mode(quarantine) == 0o700 and mode(qfile) == 0o600 and mode(reason) == 0o600


def test_leftovers_of_interrupted_loads_are_removed_but_not_those_of_a_running_load(fresh_db, landing, key):
    raw_tables.ensure_schema(fresh_db)
    archive = config.paths().archive / "sdd"
    archive.mkdir(parents=True, exist_ok=True, mode=0o700)
    with connect(fresh_db) as conn:
        ids = [
            conn.execute(
                "INSERT INTO mdw_meta.load_ledger (partner, dataset, file_name, sha256, size_bytes, period, status) "
                "VALUES ('sdd', %s, %s, 'x', 1, %s, %s) RETURNING delivery_id",
                (ds, name, period, status),
            ).fetchone()[0]
            for ds, name, period, status in (
                ("sdd.uitkeringen", "SDD_uitkeringen_202403.csv", "2024-03", "loading"),  # killed
                ("sdd.uitkeringen", "SDD_uitkeringen_202404.csv", "2024-04", "aborted"),  # aborted, tmp left
                ("sdd.schuldhulp", "SDD_schuldhulp_202403.csv", "2024-03", "loading"),  # still running
            )
        ]
        conn.commit()
    with connect(connection.as_role(fresh_db, credentials.LOADER)) as conn:  # the loads' work tables
        for delivery_id, ds in zip(ids, ("uitkeringen", "uitkeringen", "schuldhulp"), strict=True):
            conn.execute(f"CREATE TABLE loading.{ds}__d{delivery_id} (x text)")
        conn.commit()
    names = ["SDD_uitkeringen_202403.csv", "SDD_uitkeringen_202404.csv", "SDD_schuldhulp_202403.csv"]
    tmps = [archive / f"{d:08d}__{n}.tmp" for d, n in zip(ids, names, strict=True)]
    for tmp in tmps:
        tmp.write_text("pseudonymised rows")
    unrelated = archive / "notes.tmp"  # not a load's name: left alone
    unrelated.write_text("x")
    with connect(fresh_db) as running:  # a load of schuldhulp holds its dataset's lock
        running.execute("SELECT pg_advisory_lock(hashtext('sdd.schuldhulp'))")
        running.commit()
        load.ingest_partner("sdd", fresh_db, landing)  # an empty landing folder: only the sweep
        assert [t.exists() for t in tmps] == [False, False, True]
        assert unrelated.exists()
        tables = query(fresh_db, "SELECT tablename FROM pg_tables WHERE schemaname = 'loading' ORDER BY 1")
        assert tables == [(f"schuldhulp__d{ids[2]}",)]
        statuses = query(fresh_db, "SELECT status FROM mdw_meta.load_ledger ORDER BY delivery_id")
        assert statuses == [("aborted",), ("aborted",), ("loading",)]
        running.execute("SELECT pg_advisory_unlock(hashtext('sdd.schuldhulp'))")
        running.commit()
    load.ingest_partner("sdd", fresh_db, landing)  # the load is gone: now its leftovers go too
    assert not tmps[2].exists()
    assert query(fresh_db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'loading'") == [(0,)]
    unrelated.unlink()  # the session's archive is shared with other tests


def test_airflow_metadata_db_and_logs_are_the_owners_only(fresh_db, airflow_home, tmp_path):
    airflow_env.ensure_metadata_db(fresh_db)
    db = airflow_home / "airflow.db"
    assert mode(airflow_home) == 0o700 and mode(db) == 0o600
    db.chmod(0o644)  # made by an earlier version
    log_file = config.paths().home / "logs" / "mode_test.log"
    log_file.parent.mkdir(exist_ok=True)
    log_file.write_text("old")
    log_file.chmod(0o644)
    assert airflow_env.run_dag_logged(["version"], fresh_db, log_file) == 0
    assert mode(db) == 0o600 and mode(log_file) == 0o600 and mode(log_file.parent) == 0o700
    for folder, _dirs, files in os.walk(airflow_home):
        assert mode(Path(folder)) & 0o077 == 0, folder
        for f in files:
            assert mode(Path(folder) / f) & 0o077 == 0, Path(folder) / f
    # what the Airflow processes write themselves: under umask 077
    probe = airflow_env.run_airflow(
        ["config", "get-value", "logging", "file_task_handler_new_file_permissions"], fresh_db, capture=True
    )
    assert probe.stdout.strip() == "0o600"
