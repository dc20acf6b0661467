"""Pseudonym key management: no key created on the fly in production, key chains, and the rotation.

Hand-worked values: a person's pseudonym is HMAC-SHA256(k1, bsn) before the rotation and
HMAC-SHA256(k2, HMAC-SHA256(k1, bsn)) (hex, as ASCII) after it, in every month, old and new.
"""

from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path

import pytest

from monitor_dordt_west import cli
from monitor_dordt_west.ingestion import errors, key_rotation, ledger, pseudonym, raw_tables, registry
from monitor_dordt_west.ingestion import load as ingest
from tests.conftest import query
from tests.deliveries import MINIMA_HEADER, UITKERINGEN_HEADER, make_bsn, sdd

A, B, C = make_bsn(11), make_bsn(12), make_bsn(13)
K1, K2, K3 = bytes.fromhex("a1" * 32), bytes.fromhex("b2" * 32), bytes.fromhex("c3" * 32)
_real_undo, _real_commit = key_rotation._undo, key_rotation._commit  # put back after a simulated kill
KEY_VARS = ("MDW_PSEUDONYM_KEY", "MDW_PSEUDONYM_KEY_FILE", "AIRFLOW_CONN_MDW_PSEUDONYM_KEY", "AIRFLOW_CTX_DAG_ID")


def h(k: bytes, text: str) -> str:
    return hmac.new(k, text.encode("ascii"), hashlib.sha256).hexdigest()


@pytest.fixture(autouse=True)
def own_home(tmp_path, monkeypatch):
    """Each test its own MDW_HOME (archive, secrets) and no key configured until the test says so."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("MDW_HOME", str(home))
    for var in (*KEY_VARS, "MDW_ENV"):
        monkeypatch.delenv(var, raising=False)
    pseudonym.key.cache_clear()
    yield home
    pseudonym.key.cache_clear()


def use_key_file(tmp_path, monkeypatch, *keys: bytes) -> Path:
    path = tmp_path / "keys" / "pseudonym.key"
    path.parent.mkdir(mode=0o700, exist_ok=True)
    path.write_text(pseudonym.format_chain(keys) + "\n")
    path.chmod(0o600)
    monkeypatch.setenv("MDW_PSEUDONYM_KEY_FILE", str(path))
    pseudonym.key.cache_clear()
    return path


def use_env_key(monkeypatch, *keys: bytes) -> None:
    monkeypatch.setenv("MDW_PSEUDONYM_KEY", pseudonym.format_chain(keys))
    pseudonym.key.cache_clear()


def uitkeringen(landing, month: int, bsns: list[str], name_suffix: str = "") -> Path:
    last = {1: 31, 2: 29, 3: 31, 4: 30}[month]
    rows = [[b, f"2024-{month:02d}-{last}", "PW", "2021-05-01", "alleenstaand", "1990", "BU05050300"] for b in bsns]
    return sdd(landing, f"SDD_uitkeringen_2024{month:02d}.csv", UITKERINGEN_HEADER, rows)


def load(tgt, landing):
    raw_tables.ensure_schema(tgt)
    outcomes, rejected = ingest.ingest_partner("sdd", tgt, landing)
    assert not rejected, [r.message for r in rejected]
    return outcomes


def raw_pseudonyms(tgt) -> list[tuple[str, str]]:
    rows = query(
        tgt,
        "SELECT l.period, u.persoon_pseudoniem FROM raw_sdd.uitkeringen u JOIN mdw_meta.load_ledger l ON l.delivery_id = u._delivery_id ORDER BY 1, 2",
    )
    rows += query(tgt, "SELECT 'minima', persoon_pseudoniem FROM raw_sdd.minimaregelingen ORDER BY 2")
    return rows


def archived(tgt) -> list[tuple[int, str, Path, str]]:
    rows = query(
        tgt,
        "SELECT delivery_id, status, stored_as, archive_sha256 FROM mdw_meta.load_ledger "
        "WHERE archive_sha256 IS NOT NULL ORDER BY delivery_id",
    )
    return [(d, s, Path(p), sha) for d, s, p, sha in rows]


def state(tgt, home: Path) -> dict:
    """Everything a rotation may change: raw rows, ledger, every file under the archive (bytes and mode)."""
    return {
        "raw": query(tgt, "SELECT * FROM raw_sdd.uitkeringen ORDER BY _delivery_id, _line")
        + query(tgt, "SELECT * FROM raw_sdd.minimaregelingen ORDER BY _delivery_id, _line"),
        "ledger": query(tgt, "SELECT * FROM mdw_meta.load_ledger ORDER BY delivery_id"),
        "rotations": query(tgt, "SELECT * FROM mdw_meta.pseudonym_key_rotation ORDER BY generation"),
        "archive": {
            str(p.relative_to(home)): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
            for p in sorted((home / "archive").rglob("*"))
            if p.is_file()
        },
    }


def rotate_killed_before_commit(tgt, monkeypatch, new_key: bytes) -> None:
    """A rotation killed between the switch of the archive copies and the commit: none of its own
    clean-up runs."""
    monkeypatch.setattr(key_rotation, "_undo", lambda copies, pending: None)
    monkeypatch.setattr(key_rotation, "_commit", lambda conn: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        key_rotation.rotate(tgt, by="test", new_key=new_key)
    monkeypatch.setattr(key_rotation, "_undo", _real_undo)
    monkeypatch.setattr(key_rotation, "_commit", _real_commit)


def test_one_pseudonym_per_person_across_a_rotation(fresh_db, landing, tmp_path, monkeypatch, own_home):
    key_file = use_key_file(tmp_path, monkeypatch, K1)
    uitkeringen(landing, 1, [A, B])
    load(fresh_db, landing)
    # a correction of January (A and C): the first delivery is superseded, its archive copy stays
    path = uitkeringen(landing, 1, [A, C])
    path.touch()
    uitkeringen(landing, 2, [A])
    sdd(
        landing,
        "SDD_minimaregelingen_2024Q1.csv",
        MINIMA_HEADER,
        [[A, "bijzondere bijstand", "2024-02-15", "100,00", "BU05050300"]],
    )
    load(fresh_db, landing)
    statuses = [s for _, s, _, _ in archived(fresh_db)]
    assert statuses == ["superseded", "loaded", "loaded", "loaded"]
    old = {b: h(K1, b) for b in (A, B, C)}
    assert {p for _, p in raw_pseudonyms(fresh_db)} == {old[A], old[C]}
    before = {d: p.read_text(encoding="utf-8") for d, _, p, _ in archived(fresh_db)}
    assert all(old[A] in text for text in before.values())

    result = key_rotation.rotate(fresh_db, by="test", new_key=K2)

    new = {b: h(K2, h(K1, b)) for b in (A, B, C)}
    assert result.generation == 1 and result.fingerprint == h(K2, "mdw-key-id")[:16]
    assert (result.raw_rows, result.pseudonyms, result.archive_files) == (4, 2, 4)
    # the raw tables: every pseudonym rewritten, none of the old ones left
    assert raw_pseudonyms(fresh_db) == [
        *sorted([("2024-01", new[A]), ("2024-01", new[C]), ("2024-02", new[A])]),
        ("minima", new[A]),
    ]
    stored = {p for _, p in raw_pseudonyms(fresh_db)}
    assert not stored & set(old.values())
    # the archive copies (the superseded one too): the same bytes with each pseudonym rotated, the
    # ledger's archive_sha256 their new checksum, mode 0600, nothing left beside them
    for delivery_id, _, copy, sha in archived(fresh_db):
        text = copy.read_text(encoding="utf-8")
        expected = before[delivery_id]
        for b in (A, B, C):
            expected = expected.replace(old[b], new[b])
        assert text == expected and not any(o in text for o in old.values())
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == sha
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    leftovers = [
        p.name for p in (own_home / "archive").rglob("*") if p.suffix in (".rotating", ".pre-rotation", ".tmp")
    ]
    assert leftovers == []
    # the key file holds the chain, oldest first (0600); the rotation ledger holds fingerprints only
    assert key_file.read_text().strip() == f"{K1.hex()},{K2.hex()}"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert not key_file.with_name("pseudonym.key.new").exists()
    rotations = query(
        fresh_db, "SELECT generation, key_fingerprint, rotated_by FROM mdw_meta.pseudonym_key_rotation ORDER BY 1"
    )
    assert rotations == [
        (0, h(K1, "mdw-key-id")[:16], "test (first key, recorded at the first rotation)"),
        (1, h(K2, "mdw-key-id")[:16], "test"),
    ]
    dump = repr(query(fresh_db, "SELECT * FROM mdw_meta.pseudonym_key_rotation"))
    assert K1.hex() not in dump and K2.hex() not in dump

    # a third month for the same person, loaded with the chain: the same pseudonym as in the first two
    uitkeringen(landing, 3, [A])
    load(fresh_db, landing)
    months = query(
        fresh_db,
        "SELECT l.period FROM raw_sdd.uitkeringen u JOIN mdw_meta.load_ledger l ON l.delivery_id = u._delivery_id "
        "WHERE u.persoon_pseudoniem = %s ORDER BY 1",
        (new[A],),
    )
    assert months == [("2024-01",), ("2024-02",), ("2024-03",)]
    assert pseudonym.pseudonymise(pseudonym.key(), A) == new[A]
    # longitudinal counting survives: two distinct persons in Q1, A counted once
    assert query(fresh_db, "SELECT count(DISTINCT persoon_pseudoniem) FROM raw_sdd.uitkeringen") == [(2,)]


def test_a_stale_or_wrong_chain_is_refused_and_nothing_is_loaded(fresh_db, landing, tmp_path, monkeypatch, capsys):
    use_env_key(monkeypatch, K1)
    uitkeringen(landing, 1, [A])
    load(fresh_db, landing)
    new_key_file = tmp_path / "new.key"
    new_key_file.write_text(K2.hex())
    chain_out = key_rotation.default_chain_out()
    # the key comes from the environment: the CLI writes the new chain to a file and says what to do
    assert cli.main(["rotate-pseudonym-key", "--yes", "--new-key-file", str(new_key_file)]) == 0
    printed = capsys.readouterr()
    assert "generation 1" in printed.out and "MDW_PSEUDONYM_KEY" in printed.out and "./mdw build" in printed.out
    assert K1.hex() not in printed.out + printed.err and K2.hex() not in printed.out + printed.err
    assert chain_out.read_text().strip() == f"{K1.hex()},{K2.hex()}"
    assert stat.S_IMODE(chain_out.stat().st_mode) == 0o600

    # the secret is not updated yet: ingestion refuses the stale chain before touching the file
    pseudonym.key.cache_clear()
    feb = uitkeringen(landing, 2, [A])
    ledger_before = query(fresh_db, "SELECT * FROM mdw_meta.load_ledger ORDER BY delivery_id")
    raw_before = query(fresh_db, "SELECT * FROM raw_sdd.uitkeringen")
    outcomes, rejected = ingest.ingest_partner("sdd", fresh_db, landing)
    assert not rejected and [o.status for o in outcomes] == ["failed"]
    message = outcomes[0].message
    assert "stale" in message and "generation 1" in message and "MDW_PSEUDONYM_KEY" in message
    assert f"The chain that fits this warehouse is in {chain_out}" in message
    assert K1.hex() not in message and K2.hex() not in message
    assert feb.exists()
    assert query(fresh_db, "SELECT * FROM mdw_meta.load_ledger ORDER BY delivery_id") == ledger_before
    assert query(fresh_db, "SELECT * FROM raw_sdd.uitkeringen") == raw_before

    # under the dataset's lock too (a rotation between the first check and the load): the load is
    # aborted as the platform's fault, the file stays, nothing is quarantined
    with pytest.raises(errors.InfrastructureError, match="stale"):
        ingest.ingest_file(feb, "sdd", fresh_db, ingest._LazyValidator(fresh_db))
    assert query(
        fresh_db,
        "SELECT status, reason LIKE 'infrastructuur: Pseudonym key%%' FROM mdw_meta.load_ledger ORDER BY delivery_id DESC LIMIT 1",
    ) == [("aborted", True)]
    assert feb.exists() and query(fresh_db, "SELECT * FROM raw_sdd.uitkeringen") == raw_before

    # a chain of the right length with another second key, and a two-key chain on a never-rotated
    # warehouse, are refused as well
    use_env_key(monkeypatch, K1, K3)
    outcomes, _ = ingest.ingest_partner("sdd", fresh_db, landing)
    assert outcomes[0].status == "failed" and "not the key of generation 1" in outcomes[0].message
    assert K3.hex() not in outcomes[0].message
    assert "never rotated" in key_rotation.chain_problem((K1, K2), [])

    # the updated secret: the file loads, with the same pseudonym as in January
    use_env_key(monkeypatch, K1, K2)
    load(fresh_db, landing)
    assert not feb.exists()
    assert {p for (p,) in query(fresh_db, "SELECT persoon_pseudoniem FROM raw_sdd.uitkeringen")} == {h(K2, h(K1, A))}


@pytest.mark.parametrize("fault", ["archive copy cannot be written", "commit fails"])
def test_an_interrupted_rotation_leaves_warehouse_and_archive_as_they_were(
    fresh_db, landing, tmp_path, monkeypatch, own_home, fault
):
    key_file = use_key_file(tmp_path, monkeypatch, K1)
    uitkeringen(landing, 1, [A, B])
    uitkeringen(landing, 2, [A])
    load(fresh_db, landing)
    before = state(fresh_db, own_home)
    assert len(before["archive"]) == 4  # two pseudonymised copies and their .sha256 files
    if fault == "archive copy cannot be written":
        # the last copy's temporary name is taken (root ignores file modes): fails after the first copy
        last = archived(fresh_db)[-1][2]
        blocker = last.with_name(last.name + key_rotation.TMP_SUFFIX)
        blocker.mkdir()
        with pytest.raises(OSError):
            key_rotation.rotate(fresh_db, by="test", new_key=K2)
        blocker.rmdir()
    else:

        def fail(conn):  # every copy has been switched in by now
            assert all(p.with_name(p.name + key_rotation.BACKUP_SUFFIX).exists() for _, _, p, _ in archived(fresh_db))
            raise RuntimeError("injected before commit")

        monkeypatch.setattr(key_rotation, "_commit", fail)
        with pytest.raises(RuntimeError, match="injected"):
            key_rotation.rotate(fresh_db, by="test", new_key=K2)
        monkeypatch.undo()
        monkeypatch.setenv("MDW_HOME", str(own_home))
        key_file = use_key_file(tmp_path, monkeypatch, K1)
    assert state(fresh_db, own_home) == before
    assert key_file.read_text().strip() == K1.hex() and not key_file.with_name("pseudonym.key.new").exists()
    # nothing stale left behind: ingestion with the old key still works, and a rotation now succeeds
    pseudonym.key.cache_clear()
    assert key_rotation.require_current_chain(fresh_db) == (K1,)
    result = key_rotation.rotate(fresh_db, by="test", new_key=K2)
    assert result.archive_files == 2
    assert {p for _, p in raw_pseudonyms(fresh_db)} == {h(K2, h(K1, A)), h(K2, h(K1, B))}


def test_a_rotation_killed_before_its_commit_is_reconciled_by_the_next(
    fresh_db, landing, tmp_path, monkeypatch, own_home
):
    from monitor_dordt_west.warehouse.connection import connect

    key_file = use_key_file(tmp_path, monkeypatch, K1)
    uitkeringen(landing, 1, [A, B])
    uitkeringen(landing, 2, [A])
    load(fresh_db, landing)
    before = state(fresh_db, own_home)
    # killed between the switch and the commit: nothing of the rotation's own clean-up runs
    rotate_killed_before_commit(fresh_db, monkeypatch, K2)
    after_kill = state(fresh_db, own_home)
    assert after_kill["raw"] == before["raw"] and after_kill["ledger"] == before["ledger"]  # rolled back
    assert after_kill["archive"] != before["archive"]  # but the files were switched
    assert key_file.read_text().strip() == K1.hex()  # the chain file was not moved into place
    with connect(fresh_db) as conn:
        assert key_rotation.reconcile_archive(conn) == 2
    assert state(fresh_db, own_home) == before
    # and a rotation reconciles first by itself: the next one gives the chained pseudonyms everywhere
    rotate_killed_before_commit(fresh_db, monkeypatch, K2)
    key_rotation.rotate(fresh_db, by="test", new_key=K3)
    assert key_file.read_text().strip() == f"{K1.hex()},{K3.hex()}"
    for _, _, copy, sha in archived(fresh_db):
        text = copy.read_text(encoding="utf-8")
        assert h(K3, h(K1, A)) in text and h(K2, h(K1, A)) not in text and h(K1, A) not in text
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == sha
    assert {p for _, p in raw_pseudonyms(fresh_db)} == {h(K3, h(K1, A)), h(K3, h(K1, B))}
    assert not [p for p in (own_home / "archive").rglob("*") if p.suffix in (".rotating", ".pre-rotation")]


def test_rotation_is_refused_while_a_load_is_in_progress(fresh_db, landing, tmp_path, monkeypatch):
    from monitor_dordt_west.warehouse.connection import connect

    use_key_file(tmp_path, monkeypatch, K1)
    uitkeringen(landing, 1, [A])
    load(fresh_db, landing)
    before = raw_pseudonyms(fresh_db)
    ds = next(d for d in registry.DATASETS if d.id == "sdd.uitkeringen")
    with connect(fresh_db) as other:  # a load running now holds the dataset's lock
        other.execute("SELECT pg_advisory_lock(hashtext(%s))", (ds.id,))
        with pytest.raises(key_rotation.RotationRefused, match="in progress"):
            key_rotation.rotate(fresh_db, by="test", new_key=K2)
    with connect(fresh_db) as conn:  # an unfinished load in the ledger
        ledger.register(
            conn, "sdd", ds, ds.match("SDD_uitkeringen_202402.csv"), "SDD_uitkeringen_202402.csv", "0" * 64, 1, None
        )
        conn.commit()
    with pytest.raises(key_rotation.RotationRefused, match="'loading'"):
        key_rotation.rotate(fresh_db, by="test", new_key=K2)
    assert raw_pseudonyms(fresh_db) == before
    assert query(fresh_db, "SELECT count(*) FROM mdw_meta.pseudonym_key_rotation") == [(0,)]  # no generation


def test_in_airflow_sdd_ingestion_refuses_to_start_without_a_configured_key(fresh_db, landing, monkeypatch, own_home):
    from monitor_dordt_west.orchestration import tasks

    monkeypatch.setenv("AIRFLOW_CTX_DAG_ID", "ingest_sdd")
    path = uitkeringen(landing, 1, [A])
    raw_tables.ensure_schema(fresh_db)
    with pytest.raises(RuntimeError) as failed:
        tasks.ingest_dataset("sdd", "sdd.uitkeringen")
    message = str(failed.value)
    assert message.startswith("Storing (niet de schuld van de partner)")
    for what in ("MDW_PSEUDONYM_KEY", "mdw_pseudonym_key", "MDW_PSEUDONYM_KEY_FILE", "inside an Airflow task"):
        assert what in message
    assert path.exists()  # still in the landing folder, for the retry once the key is configured
    assert query(fresh_db, "SELECT count(*) FROM mdw_meta.load_ledger") == [(0,)]  # nothing against the partner
    assert not (own_home / "quarantine").exists() or not list((own_home / "quarantine").rglob("*"))
    assert not (own_home / "secrets" / "pseudonym.key").exists()  # no key created on the fly
    # the same with MDW_ENV=production outside Airflow; an explicitly configured key file then loads it
    monkeypatch.delenv("AIRFLOW_CTX_DAG_ID")
    monkeypatch.setenv("MDW_ENV", "production")
    pseudonym.key.cache_clear()
    outcomes, _ = ingest.ingest_partner("sdd", fresh_db, landing)
    assert outcomes[0].status == "failed" and "MDW_ENV=production" in outcomes[0].message
    missing = own_home / "nowhere.key"
    monkeypatch.setenv("MDW_PSEUDONYM_KEY_FILE", str(missing))
    outcomes, _ = ingest.ingest_partner("sdd", fresh_db, landing)
    assert "never created" in outcomes[0].message and not missing.exists()
    missing.write_text(K1.hex())
    load(fresh_db, landing)
    assert query(fresh_db, "SELECT persoon_pseudoniem FROM raw_sdd.uitkeringen") == [(h(K1, A),)]


@pytest.mark.parametrize("value", ["ab" * 31, "ab" * 33, "zz" * 32, "ab" * 32 + ";" + "cd" * 32, "ab" * 32 + ","])
def test_a_key_that_is_not_32_bytes_of_hex_is_refused_without_repeating_it(monkeypatch, value):
    use_env_key(monkeypatch, K1)
    monkeypatch.setenv("MDW_PSEUDONYM_KEY", value)
    with pytest.raises(pseudonym.PseudonymKeyError) as refused:
        pseudonym.key()
    message = str(refused.value)
    assert "MDW_PSEUDONYM_KEY" in message and "64 hexadecimal characters" in message
    assert "ab" * 8 not in message and "zz" * 8 not in message


def test_outside_production_the_local_key_file_is_the_default(own_home):
    chain = pseudonym.resolve()
    path = own_home / "secrets" / "pseudonym.key"
    assert chain.source == "local" and chain.path == path and len(chain.keys) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert pseudonym.resolve().keys == chain.keys  # created once
    assert chain.keys[0].hex() not in repr(chain) and repr(chain.keys[0]) not in repr(chain)


@pytest.mark.e2e
def test_the_real_ingest_sdd_dag_loads_with_the_key_file_the_local_airflow_is_handed(
    fresh_db, landing, airflow_home, own_home
):
    """`airflow dags test ingest_sdd` (AIRFLOW_CTX_DAG_ID set in the task): the local Airflow is handed
    the local key file explicitly (``airflow_env``), so the demo loads. (A refusal fails the task,
    which Airflow retries after 5 minutes twice: tested above through ``tasks.ingest_dataset``.)"""
    from monitor_dordt_west.orchestration import airflow_env

    uitkeringen(landing, 1, [A])
    env = airflow_env.airflow_env(fresh_db)
    local = own_home / "secrets" / "pseudonym.key"
    assert env["MDW_PSEUDONYM_KEY_FILE"] == str(local) and stat.S_IMODE(local.stat().st_mode) == 0o600
    airflow_env.ensure_metadata_db(fresh_db)
    result = airflow_env.run_airflow(["dags", "test", "ingest_sdd"], fresh_db, check=False, capture=True)
    log = result.stdout + result.stderr
    assert result.returncode == 0 and "state=success" in log, log[-4000:]
    (k,) = pseudonym.parse_chain(local.read_text(), "test")
    assert query(fresh_db, "SELECT persoon_pseudoniem FROM raw_sdd.uitkeringen") == [(h(k, A),)]
    assert k.hex() not in log
