"""The local Airflow the project runs its DAGs in (``airflow dags test`` with a SQLite metadata DB)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from . import config, credentials, pseudonym, warehouse
from .warehouse import PgTarget


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
        env["AIRFLOW_CONN_" + warehouse.conn_id(role).upper()] = warehouse.as_role(tgt, role).uri()
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
    config.paths().airflow_home.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [airflow_bin(), *args],
        env=airflow_env(tgt),
        check=check,
        text=True,
        capture_output=capture,
        cwd=config.PROJECT_DIR,
    )


def ensure_metadata_db(tgt: PgTarget) -> None:
    marker = config.paths().airflow_home / ".migrated"
    if not marker.exists():
        run_airflow(["db", "migrate"], tgt, capture=True)
        marker.touch()
