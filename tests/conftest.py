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
    connection.drop_database(tgt)


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
