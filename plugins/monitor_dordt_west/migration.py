"""The owner's migration: the warehouse's roles, the registers of every stage and every grant.

Idempotent; run by the owner (``mdw migrate``; every ``./mdw`` command that touches the warehouse,
docker-compose's ``airflow-init`` and the tests run it first; the Airflow tasks never do: they
have no owner connection). It composes what each stage declares: the roles and grants of the
platform (``warehouse.roles``, ``warehouse/sql``), the raw schemas of the agreed files
(``ingestion.registry``), the pseudonym key generations (``ingestion.key_rotation``) and the raw
tables, created as the loader (``ingestion.raw_tables``).
"""

from __future__ import annotations

import logging

from monitor_dordt_west.ingestion import key_rotation, raw_tables, registry
from monitor_dordt_west.warehouse import roles
from monitor_dordt_west.warehouse.connection import PgTarget, as_role, connect, run_sql_file
from monitor_dordt_west.warehouse.credentials import COMPONENT_ROLES, LOADER, TRANSFORMER, role_name

log = logging.getLogger(__name__)

MIGRATION_LOCK = "mdw_meta.migrate"
REGISTERS = ("meta.sql", "warehouse_build.sql", "publication.sql")


class MigrationError(RuntimeError):
    """The warehouse could not be migrated (an operator's matter, e.g. a role without CREATEROLE)."""


def migrate(owner: PgTarget) -> None:
    """Create or update the roles, the registers and every grant, in this order."""
    from psycopg import errors, sql

    raw_schemas = sorted({ds.raw_schema for ds in registry.DATASETS})
    with connect(owner) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (MIGRATION_LOCK,))
        try:
            roles.ensure_roles(conn)
        except errors.InsufficientPrivilege as exc:
            raise MigrationError(
                f"{owner.user} may not create the warehouse roles (mdw_loader, ...): give it CREATEROLE, "
                "or let a DBA create them (README, Roles)"
            ) from exc
        dbname = conn.execute("SELECT current_database()").fetchone()[0]
        db = sql.Identifier(dbname)
        if conn.execute("SELECT pg_has_role(current_user, datdba, 'USAGE') FROM pg_database "
                        "WHERE datname = current_database()").fetchone()[0]:  # fmt: skip
            conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(db))
            conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, roles.role_list(COMPONENT_ROLES)))
            conn.execute(
                sql.SQL("GRANT TEMPORARY ON DATABASE {} TO {}").format(db, roles.role_list((LOADER, TRANSFORMER)))
            )
            conn.execute(sql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(db, roles.role_list((TRANSFORMER,))))
        else:
            log.warning("%s does not own database %s: database-level grants left as they are", owner.user, dbname)
        conn.commit()
    for name in REGISTERS:
        run_sql_file(owner, name)
    with connect(owner) as conn:  # the key generations (the loader checks its chain against them)
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (key_rotation.LOCK,))
        conn.execute(key_rotation.DDL)
        conn.commit()
    run_sql_file(owner, "grants.sql")
    with connect(owner) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (MIGRATION_LOCK,))
        roles.grant_raw_schemas(conn, raw_schemas)
        roles.hand_over_to_components(conn, raw_schemas)  # after the grants: a new owner needs CREATE
        conn.commit()
    raw_tables.ensure_schema(as_role(owner, LOADER))  # the raw tables, owned by the loader
    log.info("warehouse %s migrated: roles %s", owner.display_uri, ", ".join(role_name(r) for r in COMPONENT_ROLES))
