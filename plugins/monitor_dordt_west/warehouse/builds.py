"""Write-audit-publish for the dbt build: analysts and publications only see a warehouse that
passed all its tests.

* **Write**: dbt builds every seed, model and test into a separate set of schemas,
  ``<schema>__build`` (the macro ``generate_schema_name`` appends ``MDW_DBT_SCHEMA_SUFFIX``).
  A build starts by dropping what an earlier build left there and creating the build schemas with
  the live schemas' privileges, default privileges and comment.
* **Audit**: ``dbt build`` runs every data and unit test there; the live schemas are not touched.
* **Publish**: only when everything passed, one transaction renames every live schema ``X`` to
  ``X__old`` and ``X__build`` to ``X`` (views keep working: PostgreSQL binds them by OID; views
  outside the dbt schemas that read dbt relations are re-created on the new ones), then the
  ``__old`` schemas are dropped. An advisory lock keeps two swaps apart.

A failing test leaves the live schemas exactly as they were; the build register
``mdw_meta.warehouse_build`` says which test failed on which rows (person identifiers hidden),
and :func:`check_publishable` refuses publication while the last build failed or the marts are
older than the newest loaded delivery.

Two paths, one set of functions: :func:`build` (``mdw build``, ``mdw run``, ``pipeline.run``)
runs it all in one process; the Airflow DAG ``build_warehouse`` calls :func:`start`
(prepare_warehouse), lets cosmos run one ``dbt build`` with the suffix (watcher mode), then :func:`publish_build`
(publish_warehouse) or :func:`collect_failures` + :func:`record_failure` (record_failed_build).
"""

from __future__ import annotations

import contextlib
import getpass
import json
import logging
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from monitor_dordt_west import REPORTED, config
from monitor_dordt_west.warehouse import roles
from monitor_dordt_west.warehouse.connection import PgTarget, as_role, connect
from monitor_dordt_west.warehouse.credentials import TRANSFORMER

log = logging.getLogger(__name__)

# Every schema dbt writes (seeds: reference; models: staging, intermediate, marts). A test checks
# that the manifest uses no other.
DBT_SCHEMAS = ("reference", "staging", "intermediate", "marts")
BUILD_SUFFIX = config.DBT_BUILD_SUFFIX
OLD_SUFFIX = "__old"
# A build still 'running' after this long was interrupted (a full build takes minutes).
STALE_AFTER = timedelta(hours=6)
# Session lock held by a build that runs in one process (mdw build / mdw run) for its whole
# duration; the transaction lock serialises the register and the swap.
BUILD_LOCK = "mdw_meta.warehouse_build.build"
SWAP_LOCK = "mdw_meta.warehouse_build.swap"
SWAP_LOCK_TIMEOUT = "60s"
# Columns that hold person pseudonyms or references: their values never go into a message.
PERSON_COLUMN_PARTS = ("pseudoniem", "client_ref", "verdachtennummer", "vrijwilliger_ref", "trajectnummer", "bsn")
# dbt's generic tests rename the tested column (unique: unique_field, accepted_values: value_field,
# relationships: from_field): hidden when the tested column is one of the above.
TEST_ALIAS_COLUMNS = {"unique_field", "value_field", "from_field"}
HIDDEN = "<verborgen>"
FAILING_ROWS_SHOWN = 5
TZ = ZoneInfo("Europe/Amsterdam")


class BuildRefused(RuntimeError):
    """A build cannot start or be swapped in now; the message (Dutch) says why and what to do."""


class NotPublishable(RuntimeError):
    """The warehouse may not be published from now; the message (Dutch) says why and what to do.
    ``pending``: a build is still to come (none yet, or deliveries newer than the last one), so
    waiting can help; otherwise (the last build failed, or hangs) someone has to act."""

    def __init__(self, message: str, *, pending: bool = False, since: datetime | None = None):
        super().__init__(message)
        self.pending = pending
        self.since = since  # pending since: when the newest delivery the last build lacks was loaded


@dataclass
class BuildResult:
    build_id: int | None
    status: str  # published, failed, refused
    message: str
    seconds: float = 0.0

    @property
    def published(self) -> bool:
        return self.status == "published"


@dataclass
class Build:
    """One row of the build register."""

    build_id: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    max_delivery_id: int | None
    max_loaded_at: datetime | None
    failure: str | None
    started_by: str
    airflow_run_id: str | None

    COLUMNS = (
        "build_id, status, started_at, finished_at, max_delivery_id, max_loaded_at, failure, started_by, airflow_run_id"
    )

    @property
    def label(self) -> str:
        return f"build {self.build_id} (gestart {_when(self.started_at)} door {self.started_by})"

    def stale(self, now: datetime) -> bool:
        return self.status == "running" and now - self.started_at > STALE_AFTER


def _when(ts: datetime | None) -> str:
    return "-" if ts is None else f"{ts.astimezone(TZ):%d-%m-%Y %H:%M:%S}"


def who(command: str) -> str:
    """``started_by`` of a build run from the command line: the command and the OS user."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = "onbekend"
    return f"{command} ({user})"


# --------------------------------------------------------------------------------------------
# the register
# --------------------------------------------------------------------------------------------


def ensure_register(tgt: PgTarget) -> None:
    """The register exists (the owner's migration, ``mdw migrate``, makes it)."""
    with connect(tgt) as conn:
        if conn.execute("SELECT to_regclass('mdw_meta.warehouse_build')").fetchone()[0] is None:
            raise BuildRefused("het warehouse is niet gemigreerd: draai eerst `mdw migrate` (als eigenaar)")


def _builds(conn, where: str, params: tuple = ()) -> list[Build]:
    rows = conn.execute(f"SELECT {Build.COLUMNS} FROM mdw_meta.warehouse_build {where}", params).fetchall()
    return [Build(*r) for r in rows]


def latest_build(conn, status: str | None = None) -> Build | None:
    found = (
        _builds(conn, "WHERE status = %s ORDER BY build_id DESC LIMIT 1", (status,))
        if status
        else _builds(conn, "ORDER BY build_id DESC LIMIT 1")
    )
    return found[0] if found else None


def get_build(tgt: PgTarget, build_id: int) -> Build | None:
    with connect(tgt) as conn:
        found = _builds(conn, "WHERE build_id = %s", (build_id,))
    return found[0] if found else None


def build_of_airflow_run(tgt: PgTarget, run_id: str) -> Build | None:
    ensure_register(tgt)
    with connect(tgt) as conn:
        found = _builds(conn, "WHERE airflow_run_id = %s ORDER BY build_id DESC LIMIT 1", (run_id,))
    return found[0] if found else None


def recent_builds(tgt: PgTarget, limit: int = 20) -> list[Build]:
    ensure_register(tgt)
    with connect(tgt) as conn:
        return _builds(conn, "ORDER BY build_id DESC LIMIT %s", (limit,))


def _watermark(conn) -> tuple[int | None, datetime | None]:
    if conn.execute("SELECT to_regclass('mdw_meta.load_ledger')").fetchone()[0] is None:
        return None, None
    return conn.execute(
        "SELECT max(delivery_id), max(loaded_at) FROM mdw_meta.load_ledger WHERE status = 'loaded'"
    ).fetchone()


def _lock_is_free(conn, key: str) -> bool:
    free = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (key,)).fetchone()[0]
    if free:
        conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))
    return free


@contextlib.contextmanager
def build_lock(tgt: PgTarget) -> Iterator[bool]:
    """Held (session advisory lock, on its own connection) for the whole of a one-process build;
    yields False when another one holds it."""
    with connect(tgt, autocommit=True) as conn:
        held = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (BUILD_LOCK,)).fetchone()[0]
        try:
            yield held
        finally:
            if held:
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (BUILD_LOCK,))


def start(tgt: PgTarget, started_by: str, airflow_run_id: str | None = None) -> int:
    """Register a new build and prepare its schemas: drop what earlier builds left
    (``<schema>__build``, ``<schema>__old``), create the build schemas with the live schemas'
    privileges, default privileges and comment. Builds still marked running are marked failed
    (superseded) when they are known to be gone; a running build that may still be alive refuses
    the new one (:class:`BuildRefused`).

    A one-process build holds :func:`build_lock` while calling this; an Airflow build
    (``airflow_run_id``) checks that nobody holds it (``max_active_runs=1`` keeps Airflow builds
    apart)."""
    tgt = as_role(tgt, TRANSFORMER)
    ensure_register(tgt)
    with connect(tgt) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (SWAP_LOCK,))
        now = conn.execute("SELECT clock_timestamp()").fetchone()[0]
        running = _builds(conn, "WHERE status = 'running' ORDER BY build_id")
        if airflow_run_id is not None:
            if not _lock_is_free(conn, BUILD_LOCK):
                others = [b.label for b in running if b.airflow_run_id is None]
                raise BuildRefused(
                    "Er loopt al een build buiten Airflow (./mdw build of ./mdw run"
                    + (f": {', '.join(others)}" if others else "")
                    + "); wacht tot die klaar is en start build_warehouse dan opnieuw."
                )
        else:
            alive = [b for b in running if b.airflow_run_id is not None and not b.stale(now)]
            if alive:
                b = alive[-1]
                raise BuildRefused(
                    f"Er loopt al een build in Airflow: {b.label}, run {b.airflow_run_id}. Wacht tot die klaar is. "
                    f"Is die run afgebroken, dan telt hij na {STALE_AFTER.total_seconds() / 3600:.0f} uur als "
                    f"verlopen, of zet hem zelf op mislukt: UPDATE mdw_meta.warehouse_build SET status = 'failed', "
                    f"failure = 'afgebroken' WHERE build_id = {b.build_id};"
                )
        max_delivery, max_loaded = _watermark(conn)
        (build_id,) = conn.execute(
            "INSERT INTO mdw_meta.warehouse_build (status, max_delivery_id, max_loaded_at, started_by, airflow_run_id) "
            "VALUES ('running', %s, %s, %s, %s) RETURNING build_id",
            (max_delivery, max_loaded, started_by, airflow_run_id),
        ).fetchone()
        for b in running:
            conn.execute(
                "UPDATE mdw_meta.warehouse_build SET status = 'failed', finished_at = clock_timestamp(), "
                "failure = coalesce(failure || E'\\n', '') || %s WHERE build_id = %s",
                (f"afgebroken: niet afgemaakt, vervangen door build {build_id}", b.build_id),
            )
            log.warning("build %s was still marked running; superseded by build %s", b.build_id, build_id)
        _reset_build_schemas(conn)
        conn.commit()
    log.info("build %s started by %s (deliveries up to %s)", build_id, started_by, max_delivery)
    return build_id


def record_failure(tgt: PgTarget, build_id: int, message: str, returned: bool = False) -> None:
    """Mark the build failed with ``message``, and log it (``returned``: the caller also hands the
    message back in its result)."""
    tgt = as_role(tgt, TRANSFORMER)
    with connect(tgt) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (SWAP_LOCK,))
        conn.execute(
            "UPDATE mdw_meta.warehouse_build SET status = 'failed', finished_at = clock_timestamp(), failure = %s "
            "WHERE build_id = %s AND status = 'running'",
            (message, build_id),
        )
        conn.commit()
    log.error("%s", message, extra=REPORTED if returned else None)


# --------------------------------------------------------------------------------------------
# schemas: reset, privileges, swap
# --------------------------------------------------------------------------------------------


def _schema_oid(conn, name: str) -> int | None:
    row = conn.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", (name,)).fetchone()
    return row[0] if row else None


def _reset_build_schemas(conn) -> None:
    from psycopg import sql

    for schema in DBT_SCHEMAS:
        for leftover in (schema + BUILD_SUFFIX, schema + OLD_SUFFIX):
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(leftover)))
        build = schema + BUILD_SUFFIX
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(build)))
        if _schema_oid(conn, schema) is not None:
            _copy_schema_acl_and_comment(conn, schema, build)
            _copy_default_privileges(conn, schema, build)
        else:
            _grant_readers(conn, schema, build)


def _grant_readers(conn, schema: str, build: str) -> None:
    """USAGE on the build schema for the roles that read the live one (roles.DBT_SCHEMA_READERS;
    dbt's grants config gives them SELECT on its relations), none for PUBLIC."""
    from psycopg import sql

    from monitor_dordt_west.warehouse.roles import DBT_SCHEMA_READERS

    conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(sql.Identifier(build)))
    for reader in DBT_SCHEMA_READERS.get(schema, ()):
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(build), sql.Identifier(reader)))


def _copy_schema_acl_and_comment(conn, live: str, build: str) -> None:
    """The build schema gets exactly the live schema's grants (besides its owner's) and comment, and
    USAGE for its declared readers."""
    from psycopg import sql

    def grants(name: str) -> set[tuple[str, str | None, bool]]:
        rows = conn.execute(
            "SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END, "
            "a.is_grantable FROM pg_namespace n, aclexplode(n.nspacl) a "
            "WHERE n.nspname = %s AND a.grantee <> n.nspowner",
            (name,),
        ).fetchall()
        return {(p, g, bool(o)) for p, g, o in rows}

    def role(grantee: str | None):
        return sql.SQL("PUBLIC") if grantee is None else sql.Identifier(grantee)

    wanted, present = grants(live), grants(build)
    for privilege, grantee, _ in present - wanted:
        conn.execute(
            sql.SQL("REVOKE {} ON SCHEMA {} FROM {} CASCADE").format(
                sql.SQL(privilege), sql.Identifier(build), role(grantee)
            )
        )
    for privilege, grantee, grantable in wanted - present:
        conn.execute(
            sql.SQL("GRANT {} ON SCHEMA {} TO {}{}").format(
                sql.SQL(privilege),
                sql.Identifier(build),
                role(grantee),
                sql.SQL(" WITH GRANT OPTION" if grantable else ""),
            )
        )
    (comment,) = conn.execute("SELECT obj_description(%s::oid, 'pg_namespace')", (_schema_oid(conn, live),)).fetchone()
    conn.execute(sql.SQL("COMMENT ON SCHEMA {} IS {}").format(sql.Identifier(build), sql.Literal(comment)))
    _grant_readers(conn, live, build)  # and always its declared readers (a live schema from before the roles)


DEFAULT_ACL_OBJECTS = {"r": "TABLES", "S": "SEQUENCES", "f": "FUNCTIONS", "T": "TYPES"}


def _copy_default_privileges(conn, live: str, build: str) -> None:
    """``ALTER DEFAULT PRIVILEGES ... IN SCHEMA live`` again for the build schema, so that the
    relations dbt creates there get the grants the live ones would have got."""
    from psycopg import sql

    rows = conn.execute(
        "SELECT pg_get_userbyid(d.defaclrole), d.defaclobjtype, a.privilege_type, "
        "CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END, a.is_grantable "
        "FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a "
        "WHERE n.nspname = %s",
        (live,),
    ).fetchall()
    for owner, objtype, privilege, grantee, grantable in rows:
        if objtype not in DEFAULT_ACL_OBJECTS:
            continue
        conn.execute(
            sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT {} ON {} TO {}{}").format(
                sql.Identifier(owner),
                sql.Identifier(build),
                sql.SQL(privilege),
                sql.SQL(DEFAULT_ACL_OBJECTS[objtype]),
                sql.SQL("PUBLIC") if grantee is None else sql.Identifier(grantee),
                sql.SQL(" WITH GRANT OPTION" if grantable else ""),
            )
        )


EXTERNAL_DEPENDENTS_SQL = """
WITH dbt_rel AS (
    SELECT c.oid, n.nspname, c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s)
)
SELECT DISTINCT
    CASE d.classid
        WHEN 'pg_rewrite'::regclass THEN (SELECT c.relkind::text FROM pg_class c WHERE c.oid = r.ev_class)
        ELSE pg_describe_object(d.classid, d.objid, 0)
    END AS kind,
    r.ev_class AS view_oid,
    coalesce(r.ev_class::regclass::text, pg_describe_object(d.classid, d.objid, 0)) AS dependent,
    dr.nspname || '.' || dr.relname AS depends_on
FROM pg_depend d
JOIN dbt_rel dr ON dr.oid = d.refobjid
LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
LEFT JOIN pg_class vc ON vc.oid = r.ev_class
LEFT JOIN pg_namespace vn ON vn.oid = vc.relnamespace
LEFT JOIN pg_constraint k ON d.classid = 'pg_constraint'::regclass AND k.oid = d.objid
LEFT JOIN pg_class kc ON kc.oid = k.conrelid
LEFT JOIN pg_namespace kn ON kn.oid = kc.relnamespace
LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
LEFT JOIN pg_namespace pn ON pn.oid = p.pronamespace
WHERE d.refclassid = 'pg_class'::regclass
  AND d.deptype = 'n'
  AND d.classid IN ('pg_rewrite'::regclass, 'pg_constraint'::regclass, 'pg_proc'::regclass)
  AND coalesce(vn.nspname, kn.nspname, pn.nspname, '') <> ALL(%(schemas)s)
ORDER BY 3, 4
"""


def external_dependents(conn, schemas: tuple[str, ...] = DBT_SCHEMAS) -> list[tuple[str, int | None, str, str]]:
    """Objects outside the given schemas that depend on relations in them: (kind — relkind ``v``
    for a view, ``m`` a materialized view, else a description —, view oid, dependent, depends on)."""
    return conn.execute(EXTERNAL_DEPENDENTS_SQL, {"schemas": list(schemas)}).fetchall()


def _view_definitions(conn, view_oids: list[int]) -> list[tuple[str, str, list[str]]]:
    """(qualified name, definition with every name schema-qualified, reloptions) per view."""
    conn.execute("SET LOCAL search_path = pg_catalog")
    rows = conn.execute(
        "SELECT c.oid::regclass::text, pg_get_viewdef(c.oid), coalesce(c.reloptions, '{}') "
        "FROM pg_class c WHERE c.oid = ANY(%s) ORDER BY c.oid",
        (view_oids,),
    ).fetchall()
    conn.execute("RESET search_path")
    return rows


def publish_build(tgt: PgTarget, build_id: int) -> str:
    """Swap the build's schemas into place in one transaction (only the latest build, only while it
    is running: :class:`BuildRefused` otherwise); then drop the replaced schemas. Returns the
    message for the log."""
    tgt = as_role(tgt, TRANSFORMER)
    from psycopg import sql

    t0 = time.monotonic()
    with connect(tgt) as conn:
        conn.execute(f"SET LOCAL lock_timeout = '{SWAP_LOCK_TIMEOUT}'")
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (SWAP_LOCK,))
        found = _builds(conn, "WHERE build_id = %s FOR UPDATE", (build_id,))
        latest = latest_build(conn)
        if not found:
            raise BuildRefused(f"build {build_id} staat niet in mdw_meta.warehouse_build")
        build = found[0]
        if build.status != "running" or latest is None or latest.build_id != build_id:
            reason = (
                f"die staat op {build.status}"
                if build.status != "running"
                else f"daarna is {latest.label if latest else 'een andere build'} begonnen"
            )
            raise BuildRefused(
                f"{build.label} wordt niet in gebruik genomen: {reason}. Start een nieuwe build "
                "(./mdw build of de DAG build_warehouse)."
            )
        missing = [s + BUILD_SUFFIX for s in DBT_SCHEMAS if _schema_oid(conn, s + BUILD_SUFFIX) is None]
        if missing:
            raise BuildRefused(f"{build.label} is niet compleet: {', '.join(missing)} ontbreekt")
        exposed = roles.analyst_violations(conn, building=BUILD_SUFFIX)
        if exposed:
            raise BuildRefused(
                f"{build.label} wordt niet in gebruik genomen: de analist zou persoonsgegevens of niet-vrijgegeven "
                "relaties kunnen lezen: " + "; ".join(exposed) + ". Pas de grants aan (dbt grants, README Rollen)."
            )
        dependents = external_dependents(conn)
        blocking = sorted({(dep, on) for kind, _, dep, on in dependents if kind != "v"})
        if blocking:
            raise BuildRefused(
                f"{build.label} wordt niet in gebruik genomen: buiten de dbt-schema's hangen objecten af van "
                "dbt-relaties die bij het vervangen zouden verdwijnen: "
                + "; ".join(f"{dep} → {on}" for dep, on in blocking)
                + ". Verwijder ze of maak er een gewone view van, en bouw opnieuw."
            )
        view_oids = sorted({oid for kind, oid, _, _ in dependents if kind == "v" and oid is not None})
        foreign = conn.execute(
            "SELECT c.oid::regclass::text, pg_get_userbyid(c.relowner) FROM pg_class c "
            "WHERE c.oid = ANY(%s) AND NOT (pg_has_role(current_user, c.relowner, 'USAGE') "
            "AND has_schema_privilege(c.relnamespace, 'CREATE')) ORDER BY 1",
            (view_oids,),
        ).fetchall()
        if foreign:
            raise BuildRefused(
                f"{build.label} wordt niet in gebruik genomen: views buiten dbt lezen dbt-relaties, maar "
                f"{tgt.user} kan ze niet opnieuw koppelen: "
                + "; ".join(f"{name} (eigenaar {owner})" for name, owner in foreign)
                + f". Maak {tgt.user} eigenaar (ALTER VIEW ... OWNER TO {tgt.user}, met CREATE op het schema) "
                "of verwijder ze, en bouw opnieuw."
            )
        views = _view_definitions(conn, view_oids)
        for schema in DBT_SCHEMAS:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema + OLD_SUFFIX)))
            if _schema_oid(conn, schema) is not None:
                _copy_schema_acl_and_comment(conn, schema, schema + BUILD_SUFFIX)
                conn.execute(
                    sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                        sql.Identifier(schema), sql.Identifier(schema + OLD_SUFFIX)
                    )
                )
            conn.execute(
                sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                    sql.Identifier(schema + BUILD_SUFFIX), sql.Identifier(schema)
                )
            )
        for name, definition, options in views:
            # the definition names e.g. marts.fct_indicator_values: now the new relation
            with_options = sql.SQL(" WITH ({})").format(sql.SQL(", ".join(options))) if options else sql.SQL("")
            conn.execute(
                sql.SQL("CREATE OR REPLACE VIEW {}{} AS {}").format(
                    sql.SQL(name), with_options, sql.SQL(definition.rstrip().rstrip(";"))
                )
            )
            log.info("view %s now reads the new build", name)
        conn.execute(
            "UPDATE mdw_meta.warehouse_build SET status = 'published', finished_at = clock_timestamp() "
            "WHERE build_id = %s",
            (build_id,),
        )
        conn.commit()
    swapped = time.monotonic() - t0
    # the replaced schemas: in their own transaction, so that the swap never waits for queries
    # still reading the old relations (only this drop does; nobody new finds them by name)
    try:
        with connect(tgt, autocommit=True) as conn:
            for schema in DBT_SCHEMAS:
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema + OLD_SUFFIX)))
    except Exception:  # published all the same; the next build drops what is left
        log.warning("build %s published, but the replaced schemas (*%s) could not be dropped", build_id, OLD_SUFFIX,
                    exc_info=True)  # fmt: skip
    message = (
        f"{build.label} gepubliceerd: {', '.join(DBT_SCHEMAS)} vervangen in één transactie ({swapped * 1000:.0f} ms)"
    ) + (f"; views buiten dbt opnieuw gekoppeld: {', '.join(v[0] for v in views)}" if views else "")
    log.info("%s", message, extra=REPORTED)
    return message


# --------------------------------------------------------------------------------------------
# what failed, on which rows
# --------------------------------------------------------------------------------------------


def _person_column(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in PERSON_COLUMN_PARTS)


def _value(v: Any) -> str:
    if v is None:
        return "NULL"
    text = v.isoformat() if hasattr(v, "isoformat") else str(v)
    return text if len(text) <= 60 else text[:57] + "..."


def failing_rows(conn, compiled_sql: str, tested_columns: list[str]) -> list[str]:
    """Up to five rows the test's compiled SQL returns, as ``column=value`` (person columns
    ``<verborgen>``), read-only and with a time limit."""
    hide_aliases = any(_person_column(c) for c in tested_columns)
    try:
        conn.execute("SET TRANSACTION READ ONLY")  # the first statement of the implicit transaction
        conn.execute("SET LOCAL statement_timeout = '30s'")
        code = compiled_sql.strip().rstrip(";")
        cur = conn.execute(f"SELECT * FROM (\n{code}\n) AS failing_rows LIMIT {FAILING_ROWS_SHOWN}")
        columns = [d.name for d in cur.description]
        rows = cur.fetchall()
    except Exception as exc:  # noqa: BLE001 - the message must come out, whatever the query does
        return [f"(rijen niet op te halen: {str(exc).splitlines()[0]})"]
    finally:
        conn.rollback()
    return [
        ", ".join(
            f"{c}={HIDDEN if _person_column(c) or (hide_aliases and c in TEST_ALIAS_COLUMNS) else _value(v)}"
            for c, v in zip(columns, row, strict=True)
        )
        for row in rows
    ]


FAILED = {"fail", "error", "runtime error"}
NOT_BUILT_MARKERS = ("does not exist", "bestaat niet")


def _node_info(manifest: dict, unique_id: str) -> dict:
    return (manifest.get("nodes") or {}).get(unique_id) or (manifest.get("unit_tests") or {}).get(unique_id) or {}


def _tested_columns(node: dict) -> list[str]:
    columns = [node["column_name"]] if node.get("column_name") else []
    kwargs = (node.get("test_metadata") or {}).get("kwargs") or {}
    for value in kwargs.values():
        if isinstance(value, list):
            columns += [v for v in value if isinstance(v, str)]
    return columns


def failure_summary(
    tgt: PgTarget, target_path: Path, build_id: int | None = None, returncode: int | None = None
) -> str:
    """Dutch: which test (model, seed) failed, with up to five failing rows per test, from the
    ``run_results.json`` and ``manifest.json`` dbt wrote into ``target_path``; the failing rows
    are read from the build schemas the compiled SQL names."""
    head = f"Build {build_id} mislukt" if build_id is not None else "Build mislukt"
    results_path = target_path / "run_results.json"
    if not results_path.exists():
        return (
            f"{head}: dbt stopte (code {returncode}) zonder resultaten (run_results.json ontbreekt in {target_path}); "
            f"zie de uitvoer van dbt en {config.paths().home / 'dbt_logs'}. De gepubliceerde schema's zijn ongewijzigd."
        )
    results = json.loads(results_path.read_text(encoding="utf-8"))["results"]
    manifest_path = target_path / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    failed, not_built, skipped = [], [], 0
    for r in results:
        status = r.get("status")
        if status == "skipped":
            skipped += 1
        elif status in FAILED:
            message = r.get("message") or ""
            if r["unique_id"].startswith("test.") and any(m in message for m in NOT_BUILT_MARKERS):
                not_built.append(r)
            else:
                failed.append(r)
    lines = []
    with connect(tgt) as conn:
        for r in failed:
            uid = r["unique_id"]
            node = _node_info(manifest, uid)
            kind = uid.split(".", 1)[0]
            name = node.get("name") or uid.rsplit(".", 1)[-1]
            message = (r.get("message") or "").strip()
            if kind == "test":
                model = (node.get("attached_node") or "").rsplit(".", 1)[-1]
                where = model + (f".{node['column_name']}" if node.get("column_name") else "")
                n = r.get("failures")
                count = f"{n} foute rij(en)" if r.get("status") == "fail" and n is not None else "fout"
                lines.append(f"- test {name}" + (f" op {where}" if where else "") + f": {count}")
                code = r.get("compiled_code") or node.get("compiled_code")
                if r.get("status") == "fail" and code:
                    shown = failing_rows(conn, code, _tested_columns(node))
                    first = f" (de eerste {len(shown)})" if n and n > len(shown) else ""
                    lines += [f"    rij{first if i == 0 else ''}: {row}" for i, row in enumerate(shown)]
                elif message:
                    lines.append(f"    {message.splitlines()[0][:300]}")
            elif kind == "unit_test":
                model = (node.get("model") or "").rsplit(".", 1)[-1]
                lines.append(f"- unit test {name}" + (f" van {model}" if model else "") + ": uitkomst wijkt af")
                lines += [f"    {line[:200]}" for line in message.splitlines()[:12]]
            else:
                kind_nl = {"model": "model", "seed": "seed", "snapshot": "snapshot"}.get(kind, kind)
                lines.append(f"- {kind_nl} {name}: fout: {message.splitlines()[0][:300] if message else '?'}")
    tests = sum(1 for r in failed if r["unique_id"].startswith(("test.", "unit_test.")))
    others = len(failed) - tests
    parts = [f"{tests} test(s) faalden"] if tests else []
    if others:
        parts.append(f"{others} model(len)/seed(s) gaven een fout")
    if not failed:
        parts.append(f"dbt stopte met code {returncode}" if returncode else "geen falende test gevonden")
    text = [f"{head}: {', '.join(parts)}; de gepubliceerde schema's ({', '.join(DBT_SCHEMAS)}) zijn ongewijzigd."]
    text += lines
    if skipped or not_built:
        text.append(f"Niet uitgevoerd omdat iets eerder faalde: {skipped + len(not_built)} (modellen, seeds, tests).")
    text.append(
        "Onderzoeken: de build-schema's ("
        + ", ".join(s + BUILD_SUFFIX for s in DBT_SCHEMAS)
        + f") blijven staan tot de volgende build; compiled SQL in {target_path / 'compiled'}. Los de oorzaak op "
        "(bijvoorbeeld met een correctielevering) en bouw opnieuw: ./mdw build of de DAG build_warehouse."
    )
    return "\n".join(text)


def collect_failures(tgt: PgTarget, build_id: int, failed_tasks: list[str] | None = None) -> str:
    """The failure summary of a build cosmos ran (its run_results.json stays in cosmos' temporary
    copy of the project): ``dbt test`` once more on the build schemas, into a temporary target path."""
    tgt = as_role(tgt, TRANSFORMER)
    from monitor_dordt_west.warehouse import dbt

    target = Path(tempfile.mkdtemp(prefix="mdw_build_audit_"))
    try:
        result = dbt.run_dbt(["test", "--quiet"], tgt, target_path=target, check=False, schema_suffix=BUILD_SUFFIX)
        summary = failure_summary(tgt, target, build_id, result.returncode)
    finally:
        shutil.rmtree(target, ignore_errors=True)
    if failed_tasks:
        summary += "\nMislukte Airflow-taken (zie hun log): " + ", ".join(sorted(failed_tasks))
    return summary.replace(f"; compiled SQL in {target / 'compiled'}", "")


# --------------------------------------------------------------------------------------------
# the whole build in one process
# --------------------------------------------------------------------------------------------


def build(tgt: PgTarget, started_by: str | None = None) -> BuildResult:
    """Write-audit-publish in one process: start, ``dbt build`` into the build schemas, swap when
    everything passed, else record which test failed on which rows. Never raises for a failing
    build: the result says published, failed or refused, with the message."""
    t0 = time.monotonic()
    tgt = as_role(tgt, TRANSFORMER)
    started_by = started_by or who("mdw build")
    ensure_register(tgt)
    with build_lock(tgt) as held:
        if not held:
            message = "Er loopt al een build (./mdw build of ./mdw run); wacht tot die klaar is."
            return BuildResult(None, "refused", message, time.monotonic() - t0)
        try:
            build_id = start(tgt, started_by)
        except BuildRefused as exc:
            return BuildResult(None, "refused", str(exc), time.monotonic() - t0)
        try:
            status, message = _write_audit_publish(tgt, build_id)
        except BaseException as exc:  # interrupted (Ctrl-C, dbt missing, ...): not left 'running'
            record_failure(
                tgt, build_id, f"Build {build_id} afgebroken: {exc!r}. De gepubliceerde schema's zijn ongewijzigd."
            )
            raise
        if status == "failed":
            record_failure(tgt, build_id, message, returned=True)
        return BuildResult(build_id, status, message, time.monotonic() - t0)


def _write_audit_publish(tgt: PgTarget, build_id: int) -> tuple[str, str]:
    from monitor_dordt_west.warehouse import dbt

    target = config.paths().dbt_build_target
    (target / "run_results.json").unlink(missing_ok=True)
    rc = dbt.run_dbt(["build"], tgt, target_path=target, check=False, schema_suffix=BUILD_SUFFIX).returncode
    if rc == 0:
        try:
            return "published", publish_build(tgt, build_id)
        except Exception as exc:  # noqa: BLE001 - recorded in the register, the live schemas are untouched
            return (
                "failed",
                f"Build {build_id} mislukt bij het in gebruik nemen: {exc}\n"
                "De gepubliceerde schema's zijn ongewijzigd.",
            )
    try:
        return "failed", failure_summary(tgt, target, build_id, rc)
    except Exception as exc:  # noqa: BLE001 - the build failed either way; say so
        return "failed", (
            f"Build {build_id} mislukt (dbt code {rc}); de samenvatting lukte niet ({exc}). "
            f"Zie {target / 'run_results.json'}. De gepubliceerde schema's zijn ongewijzigd."
        )


# --------------------------------------------------------------------------------------------
# may the warehouse be published from?
# --------------------------------------------------------------------------------------------


def up_to_date(tgt: PgTarget) -> bool:
    """The last build was published and no delivery was loaded after it: building again would
    change nothing (``./mdw build`` builds anyway, e.g. after a change of the dbt project)."""
    try:
        check_publishable(tgt)
    except NotPublishable:
        return False
    return True


def check_publishable(tgt: PgTarget) -> Build:
    """The published build publications may use; :class:`NotPublishable` (Dutch, with what to
    do) when the last build failed, is running for longer than it can, or when a delivery was
    loaded after the last published build started."""
    ensure_register(tgt)
    again = "Bouw het warehouse opnieuw (./mdw build of de DAG build_warehouse) en publiceer daarna."
    with connect(tgt) as conn:
        now = conn.execute("SELECT clock_timestamp()").fetchone()[0]
        latest = latest_build(conn)
        published = latest_build(conn, "published")
        if latest is None or published is None:
            raise NotPublishable(
                "Publiceren geweigerd: het warehouse is nog niet gebouwd en getest (geen geslaagde build in "
                f"mdw_meta.warehouse_build). {again}",
                pending=True,
            )
        if latest.status == "failed":
            raise NotPublishable(
                f"Publiceren geweigerd: de laatste build is mislukt — {latest.label}, om {_when(latest.finished_at)}. "
                f"De marts zijn nog die van build {published.build_id} (ongewijzigd), maar de leveringen van nu "
                f"halen de tests niet:\n{latest.failure or ''}\n{again}"
            )
        if latest.stale(now):
            raise NotPublishable(
                f"Publiceren geweigerd: {latest.label} staat al meer dan "
                f"{STALE_AFTER.total_seconds() / 3600:.0f} uur op 'running' en is waarschijnlijk afgebroken. {again}"
            )
        newer = None
        if conn.execute("SELECT to_regclass('mdw_meta.load_ledger')").fetchone()[0] is not None:
            newer = conn.execute(
                "SELECT delivery_id, file_name, loaded_at FROM mdw_meta.load_ledger WHERE status = 'loaded' "
                "AND (delivery_id > coalesce(%s, 0) OR loaded_at > coalesce(%s, '-infinity'::timestamptz)) "
                "ORDER BY loaded_at DESC, delivery_id DESC",
                (published.max_delivery_id, published.max_loaded_at),
            ).fetchall()
        if newer:
            delivery_id, file_name, loaded_at = newer[0]
            more = f" (en {len(newer) - 1} andere)" if len(newer) > 1 else ""
            raise NotPublishable(
                f"Publiceren geweigerd: de marts zijn ouder dan de nieuwste levering. Levering {delivery_id} "
                f"({file_name}, geladen {_when(loaded_at)}){more} kwam binnen na het begin van "
                f"{published.label}, de laatste gepubliceerde build. {again}",
                pending=True,
                since=loaded_at,
            )
    return published
