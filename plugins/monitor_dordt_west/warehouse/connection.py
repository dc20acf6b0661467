"""The warehouse connection: which PostgreSQL (an external one, one setting away, or the embedded
one) and as which role. The one door to the warehouse for the rest of the package: it also offers
the PostgreSQL primitives of ``postgres`` (``PgTarget``, ``connect``, ...)."""

from __future__ import annotations

import os

from monitor_dordt_west import config
from monitor_dordt_west.warehouse import credentials
from monitor_dordt_west.warehouse.embedded import EmbeddedPostgres
from monitor_dordt_west.warehouse.postgres import (
    PgTarget,
    connect,
    drop_database,
    ensure_database,
    hand_over,
    run_sql_file,
)

__all__ = [
    "EmbeddedPostgres",
    "PgTarget",
    "as_role",
    "conn_id",
    "connect",
    "drop_database",
    "ensure_database",
    "hand_over",
    "run_sql_file",
    "settings",
    "target",
]


def _airflow_connection_uri(conn_id: str) -> str | None:
    env_uri = os.environ.get("AIRFLOW_CONN_" + conn_id.upper())
    if env_uri:
        return env_uri
    if not os.environ.get("AIRFLOW_CTX_DAG_ID"):
        return None  # not inside an Airflow task: do not touch Airflow's metadata
    try:
        from airflow.sdk import Connection

        return Connection.get(conn_id).get_uri()
    except Exception:  # noqa: BLE001 - no such connection: derived below
        return None


def conn_id(role: str = credentials.OWNER) -> str:
    """The Airflow connection of a role: ``mdw_warehouse`` (owner), ``mdw_warehouse_<role>``."""
    return config.WAREHOUSE_CONN_ID if role == credentials.OWNER else f"{config.WAREHOUSE_CONN_ID}_{role}"


def _configured_uri(role: str) -> str | None:
    suffix = "" if role == credentials.OWNER else "_" + role.upper()
    uri = os.environ.get("MDW_WAREHOUSE_URI" + suffix) or _airflow_connection_uri(conn_id(role))
    return uri.replace("postgres://", "postgresql://", 1) if uri else None


def target(role: str = credentials.OWNER) -> PgTarget:
    """The warehouse as ``role`` (:mod:`credentials`: owner, loader, transformer, publisher, analyst).

    The role's own URI (``MDW_WAREHOUSE_URI_<ROLE>`` or the Airflow connection ``mdw_warehouse_<role>``)
    when configured; otherwise the owner's server and database (``MDW_WAREHOUSE_URI``, the
    connection ``mdw_warehouse``, or the embedded PostgreSQL) as ``mdw_<role>`` with its password."""
    uri = _configured_uri(role)
    if uri:
        return PgTarget.from_uri(uri)
    owner_uri = _configured_uri(credentials.OWNER)
    if owner_uri:
        owner = PgTarget.from_uri(owner_uri)
    else:
        owner = EmbeddedPostgres(config.paths().pgdata, config.embedded_port()).ensure_running()
    return owner if role == credentials.OWNER else as_role(owner, role)


def settings(role: str) -> PgTarget:
    """The server, database and user ``role`` connects with, as configured (as :func:`target`
    resolves them), without its password and without starting or reaching the warehouse."""
    uri = _configured_uri(role)
    if uri:
        tgt = PgTarget.from_uri(uri)
        return PgTarget(tgt.host, tgt.port, tgt.user, "", tgt.dbname)
    owner_uri = _configured_uri(credentials.OWNER)
    if owner_uri:
        owner = PgTarget.from_uri(owner_uri)
        host, port, dbname = owner.host, owner.port, owner.dbname
    else:
        host, port, dbname = EmbeddedPostgres.HOST, config.embedded_port(), config.EMBEDDED_DATABASE
    return PgTarget(host, port, credentials.role_name(role), "", dbname)


def as_role(tgt: PgTarget, role: str) -> PgTarget:
    """``tgt``'s server and database as ``role``: the role's configured URI if there is one, else
    ``mdw_<role>`` with its password (``MDW_PG_PASSWORD_<ROLE>`` or ``$MDW_HOME/secrets``)."""
    name = credentials.role_name(role)
    if tgt.user == name:
        return tgt
    uri = _configured_uri(role) if role != credentials.OWNER else None
    if uri:
        return PgTarget.from_uri(uri)
    return PgTarget(tgt.host, tgt.port, name, credentials.password(role), tgt.dbname)
