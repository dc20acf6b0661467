"""Shared fixtures: a real embedded PostgreSQL for the whole session, one database per test.

The tests never touch the developer's own warehouse: MDW_HOME points at a temporary folder,
the embedded server of the test session listens on a free port, and MDW_WAREHOUSE_URI names
the test's own database.
"""

from __future__ import annotations

import os
import secrets
import socket
import uuid
from pathlib import Path

import pytest

os.environ.pop("MDW_WAREHOUSE_URI", None)
os.environ.pop("AIRFLOW_CONN_MDW_WAREHOUSE", None)
os.environ.setdefault("DO_NOT_TRACK", "1")
# tests write a delivery and load it at once: no settle period (tests of the settle rule set their own)
os.environ["MDW_SETTLE_SECONDS"] = "0"
# the roles belong to the session's servers, whatever MDW_HOME a test sets: their passwords are
# configured as in docker-compose (tests/test_roles.py tries the generated secrets files)
for _role in ("SUPERUSER", "OWNER", "LOADER", "TRANSFORMER", "PUBLISHER", "ANALYST"):
    os.environ.setdefault(f"MDW_PG_PASSWORD_{_role}", secrets.token_urlsafe(18))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def mdw_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("mdw_home")
    os.environ["MDW_HOME"] = str(home)
    os.environ["MDW_PG_PORT"] = str(_free_port())
    return home


@pytest.fixture(scope="session")
def pg_server(mdw_home):
    from monitor_dordt_west.warehouse.connection import EmbeddedPostgres, PgTarget

    external = os.environ.get("MDW_TEST_WAREHOUSE_URI")
    if external:
        yield PgTarget.from_uri(external)
        return
    server = EmbeddedPostgres(mdw_home / "pgdata", int(os.environ["MDW_PG_PORT"]), dbname="postgres")
    tgt = server.ensure_running()
    yield tgt
    server.stop()


@pytest.fixture
def fresh_db(pg_server, monkeypatch):
    """A new warehouse database for one test, migrated (roles, registers, raw tables) and owned by
    mdw_owner; the package's one setting points at it (as the owner)."""
    from monitor_dordt_west import migration
    from monitor_dordt_west.warehouse import connection

    tgt = pg_server.with_dbname(f"t_{uuid.uuid4().hex[:10]}")
    connection.ensure_database(tgt)
    migration.migrate(tgt)  # the owner's migration: roles, registers, grants (as mdw migrate)
    monkeypatch.setenv("MDW_WAREHOUSE_URI", tgt.uri())
    yield tgt
    _drop(tgt)


def _build_template(pg_server, tmp_path_factory, name: str, write) -> object:
    """A warehouse database loaded and built once per session, from the hand-made deliveries that
    ``write`` puts in a landing folder: the template the clones of ``handmade_db`` and
    ``full_year_db`` are made of. Its archive and quarantine are its own (no test writes there)."""
    from monitor_dordt_west import migration
    from monitor_dordt_west.orchestration import pipeline
    from monitor_dordt_west.warehouse import connection

    tgt = pg_server.with_dbname(f"tpl_{name}")
    connection.drop_database(tgt)
    connection.ensure_database(tgt)
    migration.migrate(tgt)
    root = tmp_path_factory.mktemp(f"tpl_{name}")
    landing = root / "landing"
    landing.mkdir()
    write(landing)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MDW_WAREHOUSE_URI", tgt.uri())
        mp.setenv("MDW_LANDING_DIR", str(landing))
        mp.setenv("MDW_ARCHIVE_DIR", str(root / "archive"))
        mp.setenv("MDW_QUARANTINE_DIR", str(root / "quarantine"))
        result = pipeline.run(tgt, landing)
    assert result.ok, [r.message for r in result.rejected]
    assert result.build is not None and result.build.published, result.build
    _close_sessions(pg_server, tgt.dbname)  # a template takes no connections (GX's pool kept some)
    return tgt


def _close_sessions(pg_server, dbname: str) -> None:
    from monitor_dordt_west.warehouse import connection

    with connection.connect(pg_server.with_dbname("postgres"), autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (dbname,),
        )


def _clone(pg_server, template, tmp_path: Path, monkeypatch):
    """A new database copied from ``template`` (``CREATE DATABASE ... TEMPLATE``: a second, not a
    load and a dbt build), migrated again (database-level grants are not copied), with an archive
    and quarantine of its own so that its deliveries never overwrite the template's originals."""
    from psycopg import sql

    from monitor_dordt_west import migration
    from monitor_dordt_west.warehouse import connection

    tgt = pg_server.with_dbname(f"t_{uuid.uuid4().hex[:10]}")
    with connection.connect(pg_server.with_dbname("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(tgt.dbname), sql.Identifier(template.dbname)
            )
        )
    migration.migrate(tgt)
    monkeypatch.setenv("MDW_WAREHOUSE_URI", tgt.uri())
    monkeypatch.setenv("MDW_ARCHIVE_DIR", str(tmp_path / "archive"))
    monkeypatch.setenv("MDW_QUARANTINE_DIR", str(tmp_path / "quarantine"))
    yield tgt
    _drop(tgt)


@pytest.fixture(scope="session")
def handmade_template(pg_server, tmp_path_factory):
    from tests import handmade

    return _build_template(pg_server, tmp_path_factory, "handmade", handmade.write_landing)


@pytest.fixture(scope="session")
def full_year_template(pg_server, tmp_path_factory):
    from tests import handmade

    return _build_template(pg_server, tmp_path_factory, "full_year", handmade.write_full_year)


@pytest.fixture
def handmade_db(pg_server, handmade_template, tmp_path, monkeypatch):
    """A warehouse with the hand-made deliveries (``handmade.write_landing``) loaded and built, all
    its own (a copy of the session's template)."""
    yield from _clone(pg_server, handmade_template, tmp_path, monkeypatch)


@pytest.fixture
def full_year_db(pg_server, full_year_template, tmp_path, monkeypatch):
    """A warehouse with the hand-made full year (``handmade.write_full_year``) loaded and built."""
    yield from _clone(pg_server, full_year_template, tmp_path, monkeypatch)


def _drop(tgt) -> None:
    """Drop a test's database. ``WITH (FORCE)`` may not terminate a backend that is still
    authenticating (a test that tries a wrong password, a killed child's connection): such a
    backend is gone within moments, so try again a few times."""
    import time

    from psycopg import errors

    from monitor_dordt_west.warehouse import connection

    for attempt in range(10):
        try:
            connection.drop_database(tgt)
            return
        except errors.InsufficientPrivilege:
            if attempt == 9:
                raise
            time.sleep(0.5)


@pytest.fixture
def landing(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    monkeypatch.setenv("MDW_LANDING_DIR", str(folder))
    return folder


def query(tgt, sql: str, params=()):
    from monitor_dordt_west.warehouse.connection import connect

    with connect(tgt) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture
def airflow_metadata(fresh_db, airflow_home, monkeypatch):
    """A PostgreSQL metadata database of this test's own in the embedded server (the components
    create and migrate it): runs of an earlier test on this worker would make a DAG's schedule
    not due, and show among this test's runs. Dropped after the test's components stopped."""
    from monitor_dordt_west.orchestration import components

    name = f"airflow_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv(components.METADATA_DATABASE_ENV, name)
    yield name
    components.stop()
    _drop(fresh_db.with_dbname(name))


@pytest.fixture(scope="session")
def dbt_manifest(mdw_home) -> Path:
    """The manifest cosmos renders the build DAG from (``mdw manifest``)."""
    from monitor_dordt_west.warehouse import dbt

    return dbt.build_manifest()


@pytest.fixture(scope="session")
def airflow_home(mdw_home) -> Path:
    home = mdw_home / "airflow"
    os.environ.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "AIRFLOW__COSMOS__CACHE_DIR": str(mdw_home / "cosmos_cache"),
        }
    )
    return home


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Marks the slow tests; in parallel runs (pytest-xdist, ``--dist loadgroup``) the tests of one
    template run on one worker, so that each template is built once per run, not once per worker."""
    for item in items:
        # the quick subset (-m "not slow") leaves out what builds a warehouse or runs Airflow
        if item.get_closest_marker("e2e") or {"airflow_home", "handmade_db", "full_year_db"} & set(
            getattr(item, "fixturenames", ())
        ):
            item.add_marker(pytest.mark.slow)
        for template in ("full_year", "handmade"):
            if f"{template}_db" in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.xdist_group(template))
                break
