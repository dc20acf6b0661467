"""Run dbt against the configured warehouse (one dbt process at a time per target path)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from monitor_dordt_west import config
from monitor_dordt_west.warehouse import connection
from monitor_dordt_west.warehouse.connection import PgTarget, as_role
from monitor_dordt_west.warehouse.credentials import TRANSFORMER

MANIFEST = config.DBT_PROJECT_DIR / "target" / "manifest.json"

#: dbt without ANSI colours, on its output and in its log file: its output ends up in task logs,
#: captured failure messages and files, never on a terminal that renders them.
NO_COLOURS = {"DBT_USE_COLORS": "false", "DBT_USE_COLORS_FILE": "false"}


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def dbt_env(tgt: PgTarget | None, target_path: Path | None = None, schema_suffix: str | None = None) -> dict[str, str]:
    """The environment of a dbt process. ``schema_suffix``: build into ``<schema><suffix>``
    (``__build``: write-audit-publish), ``""``: the live schemas; ``None``: as the caller's
    environment says (``MDW_DBT_SCHEMA_SUFFIX``, default the live schemas)."""
    env = dict(os.environ)
    if schema_suffix:
        env[config.DBT_SCHEMA_SUFFIX_VAR] = schema_suffix
    elif schema_suffix is not None:
        env.pop(config.DBT_SCHEMA_SUFFIX_VAR, None)
    if tgt is not None:  # dbt runs as the transformer role
        env.update(as_role(tgt, TRANSFORMER).dbt_env())
    else:  # parse only: the profile must render, nothing connects
        for key, value in PgTarget("localhost", 5432, "postgres", "", "postgres").dbt_env().items():
            env.setdefault(key, value)
    env.update(
        {
            "DBT_PROFILES_DIR": str(config.DBT_PROJECT_DIR),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "DBT_TARGET_PATH": str(target_path or config.paths().dbt_target),
            "DBT_LOG_PATH": str(config.paths().home / "dbt_logs"),
            **NO_COLOURS,
        }
    )
    return env


def run_dbt(
    args: list[str],
    tgt: PgTarget | None,
    target_path: Path | None = None,
    check: bool = True,
    capture: bool = False,
    schema_suffix: str | None = None,
) -> subprocess.CompletedProcess:
    cmd = [dbt_executable(), *args]
    return subprocess.run(
        cmd,
        cwd=config.DBT_PROJECT_DIR,
        env=dbt_env(tgt, target_path, schema_suffix),
        check=check,
        text=True,
        capture_output=capture,
    )


#: the profile and target in dbt_project/profiles.yml (cosmos names both on the build's command line)
PROFILE, TARGET = "monitor_dordt_west", "warehouse"


def build_manifest(target_path: Path = MANIFEST.parent) -> Path:
    """``dbt parse`` into dbt_project/target: the manifest cosmos renders the build DAG from, and
    the partial-parse state (``partial_parse.msgpack``) the build's one ``dbt build`` starts from.
    Parsed as that build runs: profile and target named, the transformer's server, database and
    user, the build schemas; otherwise dbt there re-parses the whole project (~8 s of every build:
    "config vars, config profile, or config target have changed"). Reaches no warehouse (dbt
    parse does not connect) and passes no password."""
    run_dbt(
        ["parse", "--quiet", "--profile", PROFILE, "--target", TARGET],
        connection.settings(TRANSFORMER),
        target_path=target_path,
        schema_suffix=config.DBT_BUILD_SUFFIX,
    )
    return target_path / MANIFEST.name
