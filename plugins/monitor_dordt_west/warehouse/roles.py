"""Least privilege in the warehouse: the roles, the migration that creates them, and the check
that the analyst cannot read anything person-level.

=================  ====================================================================================
role               may
=================  ====================================================================================
mdw_owner          run the migrations (this module); owns the database, mdw_meta and loading; member
                   of the component roles (so it can set their default privileges and clean up)
mdw_loader         write the ledger, the ``loading`` schema and the raw schemas (it owns the raw tables)
mdw_transformer    read raw and the ledger; create and own the dbt schemas; write the build register
mdw_publisher      read marts, reference and the build register; write the publication register
mdw_analyst        read marts, reference, ``mdw_meta.herkomst`` and the publication register: nothing
                   person-level (no raw, loading, staging or intermediate relation, no ledger reasons)
=================  ====================================================================================

Passwords: :mod:`credentials` (``MDW_PG_PASSWORD_<ROLE>`` or ``$MDW_HOME/secrets``). The
migration sets each role's password as a SCRAM verifier, never as plain text in SQL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from monitor_dordt_west.ingestion import registry
from monitor_dordt_west.warehouse import credentials
from monitor_dordt_west.warehouse.connection import PgTarget, connect, run_sql_file
from monitor_dordt_west.warehouse.credentials import ANALYST, COMPONENT_ROLES, LOADER, PUBLISHER, TRANSFORMER, role_name

log = logging.getLogger(__name__)

MIGRATION_LOCK = "mdw_meta.migrate"
# what the analyst and the publisher may read of the dbt schemas (dbt's grants config grants
# SELECT on the relations; the build's swap grants USAGE on the schema)
DBT_SCHEMA_READERS: dict[str, tuple[str, ...]] = {
    "staging": (),
    "intermediate": (),
    "marts": (role_name(ANALYST), role_name(PUBLISHER)),
    "reference": (role_name(ANALYST), role_name(PUBLISHER)),
}
ANALYST_META_RELATIONS = ("publicatie", "publicatie_bestand", "publicatie_cel", "publicaties", "herkomst")


class MigrationError(RuntimeError):
    """The warehouse could not be migrated (an operator's matter, e.g. a role without CREATEROLE)."""


def migrate(owner: PgTarget) -> None:
    """Create or update the roles, the registers and every grant: idempotent, run by the owner
    (``mdw migrate``; the demo, ``mdw run`` and the tests run it first)."""
    from psycopg import errors, sql

    with connect(owner) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (MIGRATION_LOCK,))
        try:
            _ensure_roles(conn)
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
            conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, _roles(COMPONENT_ROLES)))
            conn.execute(sql.SQL("GRANT TEMPORARY ON DATABASE {} TO {}").format(db, _roles((LOADER, TRANSFORMER))))
            conn.execute(sql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(db, _roles((TRANSFORMER,))))
        else:
            log.warning("%s does not own database %s: database-level grants left as they are", owner.user, dbname)
        conn.commit()
    for name in ("meta.sql", "warehouse_build.sql", "publication.sql"):
        run_sql_file(owner, name)
    from monitor_dordt_west.ingestion import key_rotation

    with connect(owner) as conn:  # the key generations (the loader checks its chain against them)
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (key_rotation.LOCK,))
        conn.execute(key_rotation.DDL)
        conn.commit()
    run_sql_file(owner, "grants.sql")
    with connect(owner) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (MIGRATION_LOCK,))
        _grant_raw_schemas(conn)
        _hand_over_to_components(conn)  # after the grants: a new owner needs CREATE on the schema
        conn.commit()
    from monitor_dordt_west.ingestion import raw_tables

    raw_tables.ensure_schema(as_loader(owner))  # the raw tables, owned by the loader
    log.info("warehouse %s migrated: roles %s", owner.display_uri, ", ".join(role_name(r) for r in COMPONENT_ROLES))


def as_loader(owner: PgTarget) -> PgTarget:
    from monitor_dordt_west.warehouse.connection import as_role

    return as_role(owner, LOADER)


def _roles(roles: Iterable[str]):
    from psycopg import sql

    return sql.SQL(", ").join(sql.Identifier(role_name(r)) for r in roles)


def _ensure_roles(conn) -> None:
    """Each component role: LOGIN with its password, no other attributes; the owner is a member.
    A role that exists but that the owner may not alter (a DBA made it) keeps its password."""
    from psycopg import errors, sql

    me = conn.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
    for role in COMPONENT_ROLES:
        name = role_name(role)
        verifier = credentials.scram_verifier(credentials.password(role, create=True))
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        stmt = "ALTER ROLE {} " if exists else "CREATE ROLE {} "
        try:
            with conn.transaction():  # a savepoint: a role a DBA made and manages stays as it is
                conn.execute(
                    sql.SQL(stmt + "LOGIN NOCREATEDB NOCREATEROLE INHERIT "
                            "CONNECTION LIMIT 50 PASSWORD {}").format(sql.Identifier(name), sql.Literal(verifier))
                )  # fmt: skip
                if not me[1]:
                    conn.execute(
                        sql.SQL("GRANT {} TO {} WITH INHERIT TRUE, SET TRUE").format(
                            sql.Identifier(name), sql.Identifier(me[0])
                        )
                    )
        except errors.InsufficientPrivilege:
            if not exists:
                raise
            log.warning("%s is managed by a DBA: its password and memberships are left as they are", name)
        # a component role is a member of nothing: it has only what grants.sql gives it
        for (member_of,) in conn.execute(
            "SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
            "WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = %s)",
            (name,),
        ).fetchall():
            conn.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(member_of), sql.Identifier(name)))


def _hand_over_to_components(conn) -> None:
    """A warehouse made before the roles has everything owned by the owner: the dbt schemas and
    their relations go to the transformer (it renames them at every swap), the raw and loading
    tables to the loader (it adds partitions)."""
    from monitor_dordt_west.config import DBT_BUILD_SUFFIX
    from monitor_dordt_west.warehouse.connection import hand_over

    me = conn.execute("SELECT current_user").fetchone()[0]
    dbt_schemas = [s + suffix for s in DBT_SCHEMA_READERS for suffix in ("", DBT_BUILD_SUFFIX, "__old")]
    hand_over(conn, me, role_name(TRANSFORMER), dbt_schemas)
    loader_schemas = ["loading", *sorted({ds.raw_schema for ds in registry.DATASETS})]
    owned = conn.execute(
        "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relowner = current_user::regrole AND c.relkind IN ('r', 'p') AND n.nspname = ANY(%s)",
        (loader_schemas,),
    ).fetchall()
    from psycopg import sql

    for (name,) in owned:
        conn.execute(sql.SQL("ALTER TABLE {} OWNER TO {}").format(sql.SQL(name), sql.Identifier(role_name(LOADER))))


def _grant_raw_schemas(conn) -> None:
    from psycopg import sql

    loader, transformer = sql.Identifier(role_name(LOADER)), sql.Identifier(role_name(TRANSFORMER))
    for schema in sorted({ds.raw_schema for ds in registry.DATASETS}):
        s = sql.Identifier(schema)
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(s))
        conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(s))
        conn.execute(sql.SQL("GRANT USAGE, CREATE ON SCHEMA {} TO {}").format(s, loader))
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(s, transformer))
        conn.execute(
            sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT ON TABLES TO {}").format(
                loader, s, transformer
            )
        )
        conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(s, transformer))


# --------------------------------------------------------------------------------------------
# the audit: nothing person-level readable by the analyst
# --------------------------------------------------------------------------------------------

# columns that identify a person or a registration (as loaded and as the dbt models name them)
PERSON_LEVEL_COLUMNS = (
    "persoon_pseudoniem", "registratienummer", "verdachtennummer", "incidentnummer", "trajectnummer",
    "client_ref", "vrijwilliger_ref", "registratie_id", "eenheid_id",
)  # fmt: skip

READABLE_SQL = """
SELECT n.nspname, c.relname,
       array_remove(array_agg(a.attname::text ORDER BY a.attnum)
                    FILTER (WHERE a.attname = ANY(%(columns)s)), NULL) AS person_columns
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%%'
  AND (has_table_privilege(%(analyst)s, c.oid, 'SELECT')
       OR has_any_column_privilege(%(analyst)s, c.oid, 'SELECT'))
GROUP BY 1, 2
ORDER BY 1, 2
"""


def analyst_violations(conn, *, building: str | None = None) -> list[str]:
    """What the analyst could read that it may not: a relation outside marts, reference and the
    published register, or a person-level column anywhere. ``building``: the build's schema suffix
    (``__build``) — audit the schemas about to replace the live dbt schemas instead of those."""
    analyst = role_name(ANALYST)
    readable_dbt = {s for s, readers in DBT_SCHEMA_READERS.items() if analyst in readers}
    allowed = {s + (building or "") for s in readable_dbt}
    replaced = set(DBT_SCHEMA_READERS) if building else set()
    problems = []
    rows = conn.execute(READABLE_SQL, {"analyst": analyst, "columns": list(PERSON_LEVEL_COLUMNS)}).fetchall()
    for schema, rel, person_columns in rows:
        if schema in replaced:
            continue
        if person_columns:
            problems.append(
                f"{schema}.{rel} is leesbaar voor {analyst} en heeft persoonsgegevens ({', '.join(person_columns)})"
            )
        elif not (schema in allowed or (schema == "mdw_meta" and rel in ANALYST_META_RELATIONS)):
            problems.append(
                f"{schema}.{rel} is leesbaar voor {analyst} (alleen marts, reference en het publicatieregister)"
            )
    return problems
