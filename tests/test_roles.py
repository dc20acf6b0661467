"""Least privilege on the embedded server: each role may do its job and nothing else, on a built
warehouse and again after a rebuild; no connection without a password; a build whose relations
the analyst could read at person level is not swapped in; the publication register gives no
suppressed value away. Real PostgreSQL, real dbt, the hand-made deliveries of tests/handmade.py."""

from __future__ import annotations

import hashlib
import hmac
import re
import stat

import psycopg
import pytest

from monitor_dordt_west.ingestion import registry
from monitor_dordt_west.publication import register
from monitor_dordt_west.publication.publish import publish
from monitor_dordt_west.quarters import Quarter
from monitor_dordt_west.warehouse import builds, connection, credentials
from tests import handmade
from tests.conftest import query

PILLAR = "Leefbaar en veilig"
# what the analyst may read, written out (README, Roles): the marts, the reference tables and
# these relations of the registers
ANALYST_META = {"publicatie", "publicatie_bestand", "publicatie_cel", "publicaties", "herkomst"}


# per component role: what it may do, and what it may not (README, Roles and access)
ROLE_CHECKS = {
    credentials.LOADER: (
        [
            "SELECT count(*) FROM mdw_meta.load_ledger",
            "SELECT count(*) FROM raw_politie.misdrijven",
            "CREATE TABLE loading.work (x int)",
        ],
        [
            "SELECT 1 FROM marts.fct_indicator_values",
            "SELECT 1 FROM staging.stg_politie__misdrijven",
            "SELECT 1 FROM mdw_meta.publicatie",
            "INSERT INTO marts.dim_area (gebiedscode) VALUES ('x')",
            "UPDATE mdw_meta.warehouse_build SET status = 'failed'",
            "CREATE SCHEMA mine",
        ],
    ),
    credentials.TRANSFORMER: (
        [
            "SELECT count(*) FROM raw_politie.misdrijven",
            "SELECT count(*) FROM mdw_meta.load_ledger",
            "SELECT count(*) FROM intermediate.int_politie__gebeurtenissen",
        ],
        [
            "UPDATE mdw_meta.load_ledger SET status = 'loaded'",
            "INSERT INTO mdw_meta.publicatie_cel (publicatie_id) VALUES (1)",
            "DELETE FROM raw_politie.misdrijven",
        ],
    ),
    credentials.PUBLISHER: (
        [
            "SELECT count(*) FROM marts.fct_indicator_values",
            "SELECT count(*) FROM mdw_meta.warehouse_build",
            "UPDATE mdw_meta.publicatie SET aangemaakt_door = aangemaakt_door",
        ],
        [
            "SELECT 1 FROM raw_politie.misdrijven",
            "SELECT 1 FROM staging.stg_sdd__uitkeringen",
            "SELECT 1 FROM intermediate.int_sdd__gebeurtenissen",
            "INSERT INTO mdw_meta.load_ledger (partner) VALUES ('x')",
            "DROP TABLE marts.dim_area",
        ],
    ),
}


def connect_as(tgt, role: str):
    return connection.connect(connection.as_role(tgt, role), autocommit=True)


def allowed(conn, statement: str) -> bool:
    """Whether the role may run the statement (run in a transaction that is rolled back)."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(statement)
        return True
    except psycopg.errors.InsufficientPrivilege:
        return False


def relations(tgt) -> list[tuple[str, str]]:
    return query(
        tgt,
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'v', 'm', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg\\_%%' ORDER BY 1, 2",
    )


def check_matrix(tgt) -> dict[str, int]:
    rels = relations(tgt)
    by_schema: dict[str, int] = {}
    for schema, _ in rels:
        by_schema[schema] = by_schema.get(schema, 0) + 1
    # the warehouse is complete: every raw table of the registry, the dbt schemas, the registers
    assert {f"raw_{p}" for p in registry.PARTNERS} <= set(by_schema)
    assert {"staging", "intermediate", "marts", "reference", "mdw_meta"} <= set(by_schema)
    assert by_schema["marts"] == 7 and by_schema["staging"] >= 15
    with connect_as(tgt, credentials.ANALYST) as conn:
        for schema, rel in rels:
            may = schema in ("marts", "reference") or (schema == "mdw_meta" and rel in ANALYST_META)
            assert allowed(conn, f'SELECT * FROM "{schema}"."{rel}" LIMIT 1') == may, (schema, rel, may)
        for statement in (
            "INSERT INTO mdw_meta.publicatie_cel (publicatie_id) VALUES (1)",
            "DELETE FROM marts.dim_area",
            "CREATE TABLE public.mine (x int)",
            "CREATE TABLE marts.mine (x int)",
            "CREATE SCHEMA mine",
            "CREATE TEMP TABLE mine (x int)",
        ):
            assert not allowed(conn, statement), statement
    for role, (may, may_not) in ROLE_CHECKS.items():
        with connect_as(tgt, role) as conn:
            for statement in may:
                assert allowed(conn, statement), (role, statement)
            for statement in may_not:
                assert not allowed(conn, statement), (role, statement)
    with connection.connect(tgt) as conn:
        from monitor_dordt_west.warehouse import roles

        assert roles.analyst_violations(conn) == []
    return by_schema


def test_each_role_may_do_its_job_and_nothing_else_also_after_a_rebuild(full_year_db):
    fresh_db = full_year_db  # loaded and built from handmade.write_full_year
    publish(fresh_db, Quarter.parse("2024-Q4"), [PILLAR])
    check_matrix(fresh_db)
    rebuilt = builds.build(fresh_db, "test: rebuild")
    assert rebuilt.published, rebuilt.message
    counts = check_matrix(fresh_db)
    print(f"relations checked per schema: {counts}")

    # the publication register: a suppressed cell shows no value, and its fingerprint is keyed
    with connect_as(fresh_db, credentials.ANALYST) as conn:
        cells = conn.execute(
            "SELECT indicator_code, onderdrukt, waarde, teller, vingerafdruk FROM mdw_meta.publicatie_cel"
        ).fetchall()
    suppressed = [c for c in cells if c[1]]
    assert suppressed and all(c[2] is None and c[3] is None for c in suppressed)
    assert all(re.fullmatch(r"[0-9a-f]{64}", c[4]) for c in cells)
    # without the key a small count cannot be found by trying: no plain hash of any small cell matches
    guesses = {
        hashlib.sha256(f"{v!r}|{n!r}|{d!r}|None".encode()).hexdigest()
        for v in [*range(0, 50), *(float(x) for x in range(0, 50))]
        for n in [None, *range(0, 50), *(float(x) for x in range(0, 50))]
        for d in [None, *range(0, 200, 1)]
    }
    assert not guesses & {c[4] for c in cells}
    # with the key it is the cell's numbers: what the next publication compares
    key = credentials.fingerprint_key()
    assert all(len(c[4]) == len(hmac.new(key, b"x", hashlib.sha256).hexdigest()) for c in cells)


def test_plain_fingerprints_of_an_older_register_are_keyed(full_year_db):
    fresh_db = full_year_db  # loaded and built from handmade.write_full_year
    publish(fresh_db, Quarter.parse("2024-Q4"), [PILLAR])
    with connection.connect(fresh_db) as conn:  # as the register was before: value|numerator|...
        conn.execute("UPDATE mdw_meta.publicatie_cel SET vingerafdruk = '3|3|None|None' WHERE onderdrukt")
        conn.commit()
    register.ensure_register(connection.as_role(fresh_db, credentials.PUBLISHER))
    expected = hmac.new(credentials.fingerprint_key(), b"3|3|None|None", hashlib.sha256).hexdigest()
    fingerprints = {f for (f,) in query(fresh_db, "SELECT vingerafdruk FROM mdw_meta.publicatie_cel WHERE onderdrukt")}
    assert fingerprints == {expected}


def test_a_build_the_analyst_could_read_at_person_level_is_not_swapped_in(handmade_db):
    fresh_db = handmade_db
    before = handmade.checksums(fresh_db)
    # a grant by mistake: everything the transformer creates from now on is readable by the analyst
    with connection.connect(fresh_db, autocommit=True) as conn:
        conn.execute("ALTER DEFAULT PRIVILEGES FOR ROLE mdw_transformer GRANT SELECT ON TABLES TO mdw_analyst")
    refused = builds.build(fresh_db, "test")
    assert refused.status == "failed"
    assert "de analist zou persoonsgegevens of niet-vrijgegeven relaties kunnen lezen" in refused.message
    # a relation with pseudonyms, and one with registration numbers, are named with their columns
    assert "intermediate__build.int_sdd__gebeurtenissen is leesbaar voor mdw_analyst en heeft persoonsgegevens" in (
        refused.message
    )
    assert "intermediate__build.int_politie__gebeurtenissen is leesbaar voor mdw_analyst" in refused.message
    assert handmade.checksums(fresh_db) == before  # the live schemas are as they were
    with connect_as(fresh_db, credentials.ANALYST) as conn:
        assert not allowed(conn, "SELECT 1 FROM intermediate.int_sdd__gebeurtenissen")
    with connection.connect(fresh_db, autocommit=True) as conn:
        conn.execute("ALTER DEFAULT PRIVILEGES FOR ROLE mdw_transformer REVOKE SELECT ON TABLES FROM mdw_analyst")
    assert builds.build(fresh_db, "test").published


@pytest.mark.parametrize("role", credentials.ROLES)
def test_no_connection_without_the_right_password(fresh_db, role):
    tgt = connection.as_role(fresh_db, role)
    assert tgt.password
    for password in (None, "wrong-" + tgt.password[:3]):
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(host=tgt.host, port=tgt.port, user=tgt.user, password=password, dbname=tgt.dbname)
    with connection.connect(tgt) as conn:  # and with it, it connects
        assert conn.execute("SELECT current_user").fetchone() == (tgt.user,)


def test_superuser_is_not_used_and_secrets_are_private(fresh_db):
    assert fresh_db.user == "mdw_owner"
    attrs = query(
        fresh_db,
        "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles "
        # mdw_airflow, the Airflow metadata database's own role, exists once a test started Airflow
        "WHERE rolname LIKE 'mdw\\_%%' AND rolname <> 'mdw_airflow' ORDER BY 1",
    )
    assert attrs == [
        ("mdw_analyst", False, False, False, False),
        ("mdw_loader", False, False, False, False),
        ("mdw_owner", False, True, True, False),
        ("mdw_publisher", False, False, False, False),
        ("mdw_transformer", False, False, False, False),
    ]
    assert query(
        fresh_db,
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = 'mdw_airflow'",
    ) in ([], [(False, False, False, False)])
    # the passwords are nowhere in the database, only SCRAM verifiers (readable by the superuser only)
    with connection.connect(fresh_db) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT rolpassword FROM pg_authid")


def test_a_new_embedded_server_has_passwords_only_and_keeps_them_private(tmp_path, monkeypatch):
    """From scratch, as ./mdw demo starts it: generated passwords in $MDW_HOME/secrets (0600 in
    0700), pg_hba.conf with scram-sha-256 only, no connection without a password."""
    import socket

    from monitor_dordt_west import migration

    for role in (credentials.SUPERUSER, *credentials.ROLES):
        monkeypatch.delenv(credentials.env_var(role), raising=False)
    monkeypatch.setenv("MDW_HOME", str(tmp_path / "home"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = connection.EmbeddedPostgres(tmp_path / "home" / "pgdata", port)
    try:
        owner = server.ensure_running()
        migration.migrate(owner)
        assert owner.user == "mdw_owner" and owner.dbname == "monitor"
        folder = credentials.secrets_dir()
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        files = sorted(f.name for f in folder.glob("pg_*.password"))
        assert files == [f"pg_{r}.password" for r in sorted(("superuser", *credentials.ROLES))]
        assert all(stat.S_IMODE((folder / f).stat().st_mode) == 0o600 for f in files)
        hba = [
            line.split()
            for line in (tmp_path / "home" / "pgdata" / "pg_hba.conf").read_text().splitlines()
            if line and not line.startswith("#")
        ]
        assert {line[-1] for line in hba} == {"scram-sha-256"} and {line[0] for line in hba} == {"local", "host"}
        for role in ("superuser", *credentials.ROLES):
            user = credentials.role_name(role)
            with pytest.raises(psycopg.OperationalError, match="password"):
                psycopg.connect(host="127.0.0.1", port=port, user=user, dbname="monitor")
            with pytest.raises(psycopg.OperationalError, match="password"):
                psycopg.connect(host=str(server.pgdata), port=port, user=user, dbname="monitor")
        analyst = connection.as_role(owner, credentials.ANALYST)
        with connection.connect(analyst) as conn:
            assert conn.execute("SELECT count(*) FROM mdw_meta.publicatie").fetchone() == (0,)
        # a restart keeps it so, and nothing changes (the owner's password is verified, not reset)
        server.stop()
        assert server.ensure_running() == owner
    finally:
        server.stop()
