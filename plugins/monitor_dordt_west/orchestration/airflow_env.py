"""The environment of the project's Airflow: the DAGs, plugins, connections per role, the pseudonym
key, private files. ``orchestration.components`` adds the PostgreSQL metadata database and runs
the components; ``run_airflow`` (the tests' ``airflow dags test``) keeps a SQLite metadata DB."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from monitor_dordt_west import config
from monitor_dordt_west.ingestion import pseudonym
from monitor_dordt_west.warehouse import connection, credentials
from monitor_dordt_west.warehouse.connection import PgTarget

#: The processes the project starts write the Airflow metadata DB, its logs and config (secrets
#: included) and task logs that name person-level files: readable by the owner only.
UMASK = 0o077


def airflow_env(tgt: PgTarget) -> dict[str, str]:
    p = config.paths()
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(p.airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(config.PROJECT_DIR / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(config.PROJECT_DIR / "plugins" / "airflow_plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__COSMOS__CACHE_DIR": str(p.home / "cosmos_cache"),
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "AIRFLOW__COSMOS__PROPAGATE_LOGS": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            # task log folders and files: the owner only (Airflow's defaults are 0775 and 0664)
            "AIRFLOW__LOGGING__FILE_TASK_HANDLER_NEW_FOLDER_PERMISSIONS": "0o700",
            "AIRFLOW__LOGGING__FILE_TASK_HANDLER_NEW_FILE_PERMISSIONS": "0o600",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "SCARF_ANALYTICS": "false",
            "DO_NOT_TRACK": "1",
            "MDW_HOME": str(p.home),
            "MDW_LANDING_DIR": str(p.landing),
            "MDW_PUBLICATIONS_DIR": str(p.publications),
        }
    )
    # each task connects as its component's role (an Airflow connection per role); the tasks get
    # no owner connection: the owner's migration ran before (mdw migrate)
    for role in (credentials.LOADER, credentials.TRANSFORMER, credentials.PUBLISHER):
        env["AIRFLOW_CONN_" + connection.conn_id(role).upper()] = connection.as_role(tgt, role).uri()
    for name in [k for k in env if k.startswith("MDW_WAREHOUSE_URI") or k.startswith("MDW_PG_PASSWORD_")]:
        env.pop(name)
    env.pop("AIRFLOW_CONN_" + config.WAREHOUSE_CONN_ID.upper(), None)
    # inside Airflow the pseudonym key must be configured (no key is created there): the local
    # Airflow is handed the local key file explicitly, unless a key is configured otherwise
    configured = (pseudonym.KEY_ENV, pseudonym.KEY_FILE_ENV, "AIRFLOW_CONN_" + pseudonym.KEY_CONN_ID.upper())
    if not any(os.environ.get(v) for v in configured):
        env[pseudonym.KEY_FILE_ENV] = str(pseudonym.ensure_local_key_file())
    return env


def airflow_bin() -> str:
    candidate = Path(sys.executable).parent / "airflow"
    return str(candidate) if candidate.exists() else "airflow"


def run_airflow(
    args: list[str], tgt: PgTarget, check: bool = True, capture: bool = False
) -> subprocess.CompletedProcess:
    private_home()
    return subprocess.run(
        [airflow_bin(), *args],
        env=airflow_env(tgt),
        check=check,
        text=True,
        capture_output=capture,
        cwd=config.PROJECT_DIR,
        umask=UMASK,
    )


def run_dag_logged(args: list[str], tgt: PgTarget, log_file: Path) -> int:
    """``airflow <args>`` with its output in ``log_file`` (0600); returns the exit code."""
    private_home()
    log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as fh:
        return subprocess.run(
            [airflow_bin(), *args],
            env=airflow_env(tgt),
            stdout=fh,
            stderr=subprocess.STDOUT,
            cwd=config.PROJECT_DIR,
            umask=UMASK,
        ).returncode


#: Folders under $MDW_HOME whose every file is for the owner only: the Airflow home (metadata DB,
#: config, task logs), the logs of ./mdw demo, dbt's logs, the secrets.
PRIVATE_FOLDERS = ("airflow", "logs", "dbt_logs", "secrets")


def private_home() -> None:
    """Create the Airflow home and make what exists of the private folders owner-only: folders
    0700, files 0600 (files written by earlier versions, or by a process with another umask)."""
    home = config.paths().home
    config.paths().airflow_home.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name in PRIVATE_FOLDERS:
        top = home / name
        if not top.is_dir() or top.is_symlink():
            continue
        for folder, dirs, files in os.walk(top):
            _restrict(Path(folder), 0o700)
            for f in files:
                _restrict(Path(folder) / f, 0o600)
            dirs[:] = [d for d in dirs if not (Path(folder) / d).is_symlink()]


def _restrict(path: Path, mode: int) -> None:
    try:
        st = path.lstat()
        if not stat.S_ISLNK(st.st_mode) and stat.S_IMODE(st.st_mode) & 0o077:
            path.chmod(stat.S_IMODE(st.st_mode) & ~0o077 | (mode & 0o700))
    except FileNotFoundError:
        pass


#: Airflow pools the DAGs use: ``dbt`` has one slot (one dbt process per target at a time).
POOLS = {"dbt": (1, "een dbt build tegelijk (dbt is niet veilig voor gelijktijdige aanroepen op één target)")}


def ensure_metadata_db(tgt: PgTarget) -> None:
    """The SQLite metadata DB of ``airflow dags test`` runs, migrated, with the DAGs' pools."""
    marker = config.paths().airflow_home / ".migrated"
    if not marker.exists():
        run_airflow(["db", "migrate"], tgt, capture=True)
        for name, (slots, text) in POOLS.items():
            run_airflow(["pools", "set", name, str(slots), text], tgt, capture=True)
        marker.touch()
