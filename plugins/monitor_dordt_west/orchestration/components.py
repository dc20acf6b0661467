"""Airflow as production runs it, on this machine: scheduler, dag-processor, triggerer and
api-server as separate processes against a PostgreSQL metadata database.

The metadata database is its own database (``airflow``) and role (``mdw_airflow``) in the
embedded server; with ``AIRFLOW__DATABASE__SQL_ALCHEMY_CONN`` set, that database is used instead.
Every listener binds to 127.0.0.1: the api-server (UI, REST and execution API) on
``MDW_AIRFLOW_PORT`` (the execution API address follows it) and no log server at all (the
components run with ``--skip-serve-logs``; the api-server reads the task logs from the shared log
folder). The UI's default time zone is Europe/Amsterdam. Used by ``mdw demo``, ``mdw airflow up``
/ ``down`` / ``standalone`` and the tests.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from psycopg import sql

from monitor_dordt_west import config
from monitor_dordt_west.orchestration import airflow_env, preload
from monitor_dordt_west.warehouse import credentials
from monitor_dordt_west.warehouse.connection import PgTarget, connect

log = logging.getLogger(__name__)

COMPONENTS = ("scheduler", "dag-processor", "triggerer", "api-server")
#: With ``AIRFLOW__CORE__EXECUTOR=CeleryExecutor`` (and ``AIRFLOW__CELERY__BROKER_URL``): a worker
#: on this machine serving every queue (docker-compose runs two, each its own queues)
CELERY_WORKER = "celery-worker"
WORKER_QUEUES = ("default", "ingest", "dbt", "publication")
#: the metadata database's role in the embedded server (not a warehouse component: no grants there)
METADATA_ROLE = "airflow"
METADATA_DATABASE = "airflow"
#: another metadata database in the embedded server (each test that runs the scheduler has its own)
METADATA_DATABASE_ENV = "MDW_AIRFLOW_METADATA_DB"
PORT_ENV = "MDW_AIRFLOW_PORT"
DEFAULT_PORT = 8080
TIMEZONE = "Europe/Amsterdam"
ADMIN = "admin"


def metadata_database() -> str:
    """The metadata database's name in the embedded server: ``airflow``, or ``MDW_AIRFLOW_METADATA_DB``."""
    return os.environ.get(METADATA_DATABASE_ENV) or METADATA_DATABASE


def port() -> int:
    return int(os.environ.get(PORT_ENV, DEFAULT_PORT))


def ui_url() -> str:
    return f"http://127.0.0.1:{port()}"


def metadata_conn(tgt: PgTarget) -> str:
    """The metadata database's SQLAlchemy URL; in the embedded server: created (idempotent) by the
    owner, who has CREATEROLE and CREATEDB, as a database of its own with a role of its own that
    has no access to the warehouse."""
    configured = os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    if configured:
        return configured
    role = credentials.role_name(METADATA_ROLE)
    secret = credentials.password(METADATA_ROLE, create=True)
    database = metadata_database()
    with connect(tgt, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        if not exists:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(credentials.scram_verifier(secret))
                )
            )
        else:  # the password may have been rotated in the secrets folder
            conn.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(credentials.scram_verifier(secret))
                )
            )
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
            conn.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(sql.Identifier(role)))
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(database), sql.Identifier(role)))
            conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(database)))
        conn.execute(
            sql.SQL("REVOKE CONNECT ON DATABASE {} FROM {}").format(sql.Identifier(tgt.dbname), sql.Identifier(role))
        )
    meta = PgTarget(tgt.host, tgt.port, role, secret, database)
    return meta.uri("postgresql+psycopg2")


def env(tgt: PgTarget) -> dict[str, str]:
    """The environment of every component: the project's Airflow environment (``airflow_env``)
    with the metadata database, the executor, the addresses and the start-up behaviour."""
    e = airflow_env.airflow_env(tgt)
    p = port()
    e.update(
        {
            # Airflow starts its components as `airflow` from PATH: the project's venv first
            "PATH": f"{Path(airflow_env.airflow_bin()).parent}{os.pathsep}{e.get('PATH', '')}",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_conn(tgt),
            "AIRFLOW__CORE__EXECUTOR": e.get("AIRFLOW__CORE__EXECUTOR") or "LocalExecutor",
            # two cores: dbt runs with as many threads as cores in one task; the rest are sensors
            "AIRFLOW__CORE__PARALLELISM": "8",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__DEFAULT_TIMEZONE": TIMEZONE,
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(p),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{p}/",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{p}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": _secret("airflow_jwt"),
            "AIRFLOW__API__SECRET_KEY": _secret("airflow_api"),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords_file()),
            # the DAG files change only with a new version of the project: parse at start, then rarely
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "300",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        }
    )
    if e["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor":
        # the task states in the metadata database (docker-compose: the same)
        e.setdefault("AIRFLOW__CELERY__RESULT_BACKEND", "db+" + e["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
        e.setdefault("AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS", preload.CELERY_CONFIG_OPTIONS)
    return e


def passwords_file() -> Path:
    return credentials.secrets_dir() / "airflow_ui_passwords.json"


def _secret(name: str) -> str:
    path = credentials.secrets_dir() / f"{name}.secret"
    if path.exists():
        return credentials.read_secret_file(path)
    return credentials.write_secret_file(path, os.urandom(32).hex())


def admin_password() -> str:
    """The UI password of ``admin``: generated once into the passwords file (0600) before the
    api-server starts, so that the api-server does not generate one and print it in its log."""
    path = passwords_file()
    if not path.exists():
        credentials.write_secret_file(path, json.dumps({ADMIN: secrets.token_urlsafe(18)}))
    return json.loads(path.read_text())[ADMIN]


def _run_dir() -> Path:
    d = config.paths().airflow_home / "run"
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    return d


def _log_dir() -> Path:
    d = config.paths().home / "logs" / "airflow"
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    return d


#: the triggerer's command (``python -m``): its process title names this module, not Airflow
TRIGGERER_MODULE = "monitor_dordt_west.orchestration.triggerer"


def pid(name: str) -> int | None:
    """The process id of a running component (its pid file, and the process is still Airflow's)."""
    f = _run_dir() / f"{name}.pid"
    try:
        number = int(f.read_text())
        os.kill(number, 0)
        # the number may have gone to another process (the components rename themselves:
        # "airflow scheduler", "airflow api_server", Celery's "[celeryd: …]")
        if Path(f"/proc/{number}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
            return None  # exited (a zombie until its parent reaps it)
        title = Path(f"/proc/{number}/cmdline").read_bytes()
        ours = (b"airflow", b"celery", TRIGGERER_MODULE.encode())  # the triggerer: python -m <module>
        if title and not any(word in title for word in ours):  # empty: renaming itself right now
            return None
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None
    return number


def running() -> list[str]:
    return [name for name in (*COMPONENTS, CELERY_WORKER) if pid(name) is not None]


def _command(name: str) -> list[str]:
    """The command line of a component."""
    if name == "triggerer":  # airflow triggerer, its execution API built before it starts (``triggerer``)
        return [sys.executable, "-m", TRIGGERER_MODULE, "--skip-serve-logs"]
    return [airflow_env.airflow_bin(), *_airflow_args(name)]


def _airflow_args(name: str) -> list[str]:
    if name == "scheduler":
        return [name, "--skip-serve-logs"]
    if name == "api-server":
        return [name, "--host", "127.0.0.1", "--port", str(port())]
    if name == CELERY_WORKER:  # on one machine the api-server reads its task logs from the log folder
        # 4 slots on 2 cores: the sensors (wait_for_ingests, the watchers) mostly sleep in theirs
        return ["celery", "worker", "--queues", ",".join(WORKER_QUEUES), "--concurrency", "4", "--skip-serve-logs"]
    return [name]


def migrate(tgt: PgTarget, environment: dict[str, str] | None = None) -> None:
    """``airflow db migrate`` on the metadata database and the pools (idempotent; ~10 s, skipped
    when this Airflow version already migrated this database)."""
    from importlib.metadata import version

    environment = environment or env(tgt)
    airflow_env.private_home()
    marker = (
        config.paths().airflow_home / f".migrated-{version('apache-airflow')}-{environment_fingerprint(environment)}"
    )
    if marker.exists():
        return
    for args in (
        ["db", "migrate"],
        *(["pools", "set", name, str(slots), text] for name, (slots, text) in airflow_env.POOLS.items()),
    ):
        subprocess.run(
            [airflow_env.airflow_bin(), *args],
            env=environment,
            check=True,
            capture_output=True,
            cwd=config.PROJECT_DIR,
            umask=airflow_env.UMASK,
        )
    marker.touch()


def environment_fingerprint(environment: dict[str, str]) -> str:
    """Which metadata database (host, port, database; not the password)."""
    import hashlib

    from sqlalchemy.engine import make_url

    url = make_url(environment["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    return hashlib.sha256(f"{url.host}:{url.port}/{url.database}".encode()).hexdigest()[:12]


def start(tgt: PgTarget, names: Iterable[str] = COMPONENTS, timeout_s: float = 120) -> dict[str, str]:
    """Start the components that are not running (each in its own session, output in
    ``$MDW_HOME/logs/airflow/<name>.log``, 0600) and wait until the api-server answers."""
    environment = env(tgt)
    admin_password()  # before the api-server starts (it would print a password it generates)
    migrate(tgt, environment)
    p = port()
    if "api-server" not in running() and _port_in_use(p):
        raise RuntimeError(f"poort {p} is al in gebruik: zet {PORT_ENV} op een vrije poort")
    for name in names:
        if pid(name) is not None:
            continue
        log_path = _log_dir() / f"{name}.log"
        # the processes that fork the task processes import the tasks' heavy modules once
        forks_tasks = name in ("scheduler", CELERY_WORKER)
        own_env = {**environment, preload.ENV: "1"} if forks_tasks else environment
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "a") as out:
            proc = subprocess.Popen(
                _command(name),
                env=own_env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=config.PROJECT_DIR,
                umask=airflow_env.UMASK,
                start_new_session=True,
            )
        (_run_dir() / f"{name}.pid").write_text(str(proc.pid))
        _started[name] = proc
    wait_until_up(timeout_s)
    return environment


#: the components this process started: their exit is known for sure (``Popen.poll``)
_started: dict[str, subprocess.Popen] = {}


def died() -> list[str]:
    """The components this process started that have exited, with their exit code."""
    return [f"{name} (exit {proc.returncode})" for name, proc in _started.items() if proc.poll() is not None]


def _port_in_use(p: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", p)) == 0


def wait_until_up(timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{ui_url()}/api/v2/monitor/health", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        dead = died()
        if dead:
            raise RuntimeError(f"Airflow-component(en) gestopt: {', '.join(dead)}; zie {_log_dir()}")
        time.sleep(1)
    raise TimeoutError(f"de api-server antwoordt niet op {ui_url()} na {timeout_s:.0f} s; zie {_log_dir()}")


def stop(timeout_s: float = 30) -> list[str]:
    """Stop every running component (SIGTERM to its process group, SIGKILL after ``timeout_s``)."""
    stopped = []
    for name in (CELERY_WORKER, *reversed(COMPONENTS)):
        found = pid(name)
        if found is None:
            (_run_dir() / f"{name}.pid").unlink(missing_ok=True)
            continue
        try:
            os.killpg(found, signal.SIGTERM)
        except ProcessLookupError:
            pass
        stopped.append(name)
    deadline = time.monotonic() + timeout_s
    for name in stopped:
        while pid(name) is not None and time.monotonic() < deadline:
            time.sleep(0.3)
        found = pid(name)
        if found is not None:
            try:
                os.killpg(found, signal.SIGKILL)
            except ProcessLookupError:
                pass
        (_run_dir() / f"{name}.pid").unlink(missing_ok=True)
    for name, proc in list(_started.items()):  # reap what this process started
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            continue
        del _started[name]
    return stopped


@dataclass
class Api:
    """The REST API of the running api-server, as ``admin`` (a JWT from /auth/token)."""

    base: str
    token: str

    @classmethod
    def login(cls) -> Api:
        base = ui_url()
        body = json.dumps({"username": ADMIN, "password": admin_password()}).encode()
        req = urllib.request.Request(
            f"{base}/auth/token", data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            return cls(base, json.loads(r.read())["access_token"])

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        req = urllib.request.Request(
            f"{self.base}/api/v2/{path}",
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            method=method,
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"null")

    def dags(self) -> list[dict[str, Any]]:
        return self.call("GET", "dags?limit=100")["dags"]

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        return self.call("GET", f"dags/{dag_id}/dagRuns?limit=100&order_by=run_after")["dag_runs"]

    def trigger(self, dag_id: str, conf: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.call("POST", f"dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf or {}})

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        return self.call("GET", f"dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=1000")["task_instances"]

    def dag(self, dag_id: str) -> dict[str, Any]:
        return self.call("GET", f"dags/{dag_id}")

    def trigger_at(self, dag_id: str, when: datetime) -> dict[str, Any]:
        """A manual run with the logical date ``when`` (its data interval as the timetable infers it)."""
        stamp = when.astimezone(UTC).isoformat()
        return self.call("POST", f"dags/{dag_id}/dagRuns", {"logical_date": stamp, "run_after": stamp, "conf": {}})


def schedule_due(api: Api, dag_id: str) -> bool:
    """The scheduler will create a scheduled run of ``dag_id`` as soon as it runs (its next run is due)."""
    due = api.dag(dag_id).get("next_dagrun_run_after")
    return due is not None and datetime.fromisoformat(due) <= datetime.now(UTC)


TERMINAL = {"success", "failed"}
QUIET_S = 8


class Progress:
    """One line per DAG run and state change, with the time since ``t0``."""

    def __init__(self, api: Api, dag_ids: Iterable[str], t0: float, out=print):
        self.api, self.dag_ids, self.t0, self.out = api, list(dag_ids), t0, out
        self.seen: dict[tuple[str, str], str] = {}

    def poll(self) -> dict[str, list[dict[str, Any]]]:
        runs = {dag_id: self.api.runs(dag_id) for dag_id in self.dag_ids}
        for dag_id, dag_runs in runs.items():
            for run in dag_runs:
                key = (dag_id, run["dag_run_id"])
                if self.seen.get(key) != run["state"]:
                    before = self.seen.get(key)
                    self.seen[key] = run["state"]
                    change = f"{before} → {run['state']}" if before else run["state"]
                    self.out(
                        f"[{time.monotonic() - self.t0:5.0f} s] {dag_id:<16} {run['run_type']:<15} "
                        f"{run['dag_run_id']}: {change}"
                    )
        return runs

    def wait(self, done, timeout_s: float, interval_s: float = 2) -> dict[str, list[dict[str, Any]]]:
        """Poll until ``done(runs)``; raise TimeoutError after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            runs = self.poll()
            if done(runs):
                return runs
            if time.monotonic() > deadline:
                raise TimeoutError(f"na {timeout_s:.0f} s nog niet klaar")
            time.sleep(interval_s)


def drive(
    tgt: PgTarget, quarters: list[Any], t0: float, out=print, timeout_s: float = 1800, workers: Iterable[str] = ()
) -> dict[str, Any]:
    """Let Airflow's own scheduler do the work on what waits in the landing folder, as production
    does, and report every DAG run and state change (``Progress``).

    The api-server and dag-processor start first; once the DAGs are parsed, an ingestion DAG
    whose scheduled run is not due gets a manual run (as an operator would trigger it) when files
    wait in its partner folder, and every quarter of ``quarters`` (oldest first: a publication
    shows what changed since the previous quarter's) whose scheduled run is not due gets a manual
    run dated on its publication day. Then the scheduler and triggerer start: the ingestion runs
    emit their assets, build_warehouse starts on them, publish_quarter waits for the build.
    Returns the runs per DAG once every run has ended."""
    from monitor_dordt_west.ingestion import registry
    from monitor_dordt_west.orchestration.timetable import RUN_HOUR, _at

    start(tgt, ["api-server", "dag-processor"])
    api = Api.login()
    dag_ids = [*(f"ingest_{p}" for p in registry.PARTNERS), "build_warehouse", "publish_quarter"]
    deadline = time.monotonic() + 180
    while not set(dag_ids) <= {d["dag_id"] for d in api.dags()}:
        if time.monotonic() > deadline:
            raise TimeoutError(f"de DAGs zijn na 180 s nog niet ingelezen; zie {_log_dir()}/dag-processor.log")
        time.sleep(1)
    out(f"[{time.monotonic() - t0:5.0f} s] Airflow: {len(dag_ids)} DAGs ingelezen, niet gepauzeerd; UI {ui_url()}")
    landing = config.paths().landing
    before: dict[str, int] = {}  # the ingestion DAGs that run now (schedule due, or files wait): their runs so far
    for partner in registry.PARTNERS:
        dag_id, folder = f"ingest_{partner}", landing / partner
        waiting = folder.is_dir() and any(not f.name.startswith(".") for f in folder.iterdir())
        due = schedule_due(api, dag_id)
        if due or waiting:
            before[dag_id] = len(api.runs(dag_id))
        if waiting and not due:
            api.trigger(dag_id)
    publish_runs = len(api.runs("publish_quarter"))
    scheduled_due = schedule_due(api, "publish_quarter")
    next_run = api.dag("publish_quarter").get("next_dagrun_run_after")
    for quarter in quarters:
        when = _at(quarter.publication_date(), RUN_HOUR)
        if not (scheduled_due and next_run and datetime.fromisoformat(next_run) == when):
            api.trigger_at("publish_quarter", when)
    workers = list(workers)
    start(tgt, ["scheduler", "triggerer", *workers])
    progress = Progress(api, dag_ids, t0, out)

    quiet_since: list[float] = []

    def done(runs: dict[str, list[dict[str, Any]]]) -> bool:
        """Every expected run is there and every run has ended, for ``QUIET_S`` (an asset-triggered
        run is created a moment after the run whose asset event starts it)."""
        dead = died()
        if dead:
            raise RuntimeError(f"Airflow-component(en) gestopt: {', '.join(dead)}; zie {_log_dir()}")
        ended = (
            all(len(runs[d]) > n for d, n in before.items())
            and len(runs["publish_quarter"]) >= publish_runs + len(quarters)
            and all(r["state"] in TERMINAL for rs in runs.values() for r in rs)
        )
        if not ended:
            quiet_since.clear()
            return False
        quiet_since[:] = quiet_since or [time.monotonic()]
        return time.monotonic() - quiet_since[0] >= QUIET_S

    return progress.wait(done, timeout_s)
