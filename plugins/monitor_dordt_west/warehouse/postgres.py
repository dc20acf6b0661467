"""PostgreSQL primitives of the warehouse platform: a target's connection parts, connecting, the
package's DDL files, databases, and handing objects over between roles. Used by ``connection`` (which
warehouse, as which role) and ``embedded`` (the embedded server)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PgTarget:
    """Connection parts of one PostgreSQL database (the password never goes to logs)."""

    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_uri(cls, uri: str) -> PgTarget:
        parts = urlsplit(uri)
        if parts.scheme not in {"postgresql", "postgres", "postgresql+psycopg"}:
            raise ValueError(f"warehouse URI must start with postgresql://, got {parts.scheme}://")
        if not parts.hostname:
            raise ValueError("warehouse URI needs a host (a TCP host, not a unix socket)")
        return cls(
            host=parts.hostname,
            port=parts.port or 5432,
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
            dbname=(parts.path or "/postgres").lstrip("/") or "postgres",
        )

    def uri(self, driver: str = "postgresql", *, dbname: str | None = None) -> str:
        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        netloc = f"{auth}@{self.host}:{self.port}"
        return urlunsplit((driver, netloc, "/" + (dbname or self.dbname), "", ""))

    @property
    def sqlalchemy_url(self) -> str:
        return self.uri("postgresql+psycopg")

    @property
    def display_uri(self) -> str:
        """URI for humans and logs: the password is masked."""
        target = PgTarget(self.host, self.port, self.user, "***" if self.password else "", self.dbname)
        return target.uri()

    def with_dbname(self, dbname: str) -> PgTarget:
        return PgTarget(self.host, self.port, self.user, self.password, dbname)

    def dbt_env(self) -> dict[str, str]:
        """Environment read by ``dbt_project/profiles.yml``."""
        return {
            "MDW_PGHOST": self.host,
            "MDW_PGPORT": str(self.port),
            "MDW_PGUSER": self.user,
            "MDW_PGPASSWORD": self.password,
            "MDW_PGDATABASE": self.dbname,
        }


@contextlib.contextmanager
def connect(tgt: PgTarget, *, autocommit: bool = False) -> Iterator:
    import psycopg

    conn = psycopg.connect(
        host=tgt.host,
        port=tgt.port,
        user=tgt.user,
        password=tgt.password or None,
        dbname=tgt.dbname,
        autocommit=autocommit,
        application_name="monitor_dordt_west",
    )
    try:
        yield conn
    finally:
        conn.close()


def run_sql_file(tgt: PgTarget, name: str) -> None:
    """Run one of the package's idempotent DDL files (``sql/<name>``), one runner at a time."""
    ddl = (Path(__file__).parent / "sql" / name).read_text(encoding="utf-8")
    with connect(tgt) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"mdw_meta.{name}",))
        conn.execute(ddl)
        conn.commit()


def ensure_database(tgt: PgTarget) -> None:
    """Create the target's database if it does not exist (needs CREATEDB on the server)."""
    import psycopg
    from psycopg import sql

    with connect(tgt.with_dbname("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (tgt.dbname,)).fetchone()
        if not exists:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(tgt.dbname)))


def drop_database(tgt: PgTarget) -> None:
    from psycopg import sql

    with connect(tgt.with_dbname("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(tgt.dbname)))


OWNED_SQL = """
SELECT kind, name FROM (
SELECT 'SCHEMA' AS kind, quote_ident(n.nspname) AS name FROM pg_namespace n
WHERE n.nspowner = %(old)s::regrole AND n.nspname = ANY(%(schemas)s)
UNION ALL
SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
       ELSE 'TABLE' END, c.oid::regclass::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relowner = %(old)s::regrole AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND n.nspname = ANY(%(schemas)s)
  AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
UNION ALL
SELECT 'FUNCTION', p.oid::regprocedure::text
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.proowner = %(old)s::regrole AND n.nspname = ANY(%(schemas)s)
) AS owned ORDER BY kind <> 'SCHEMA', name  -- a schema first: its new owner may then own what it holds
"""


def hand_over(conn, old: str, new: str, schemas: list[str] | None) -> int:
    """Give ``new`` the schemas, relations and functions ``old`` owns in ``schemas`` (None: every
    non-system schema): the upgrade of a warehouse made before the roles. Returns how many."""
    from psycopg import sql

    if schemas is None:
        schemas = [
            n
            for (n,) in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%%' AND nspname <> 'information_schema'"
            ).fetchall()
        ]
    owned = conn.execute(OWNED_SQL, {"old": old, "schemas": schemas}).fetchall()
    for kind, name in owned:
        conn.execute(sql.SQL("ALTER {} {} OWNER TO {}").format(sql.SQL(kind), sql.SQL(name), sql.Identifier(new)))
    if owned:
        log.info("%s objects of %s handed over to %s", len(owned), old, new)
    return len(owned)
