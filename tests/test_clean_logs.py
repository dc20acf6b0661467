"""Clean logs: no GX registration noise, each load line once, no ANSI colours from dbt, no
warning about the sandbox's runtime dir, and a failed task's log starts with the reason."""

from __future__ import annotations

import os
import subprocess
import sys

from monitor_dordt_west.warehouse import dbt

ANSI = "\x1b["


def test_dbt_runs_without_colours_on_its_output_and_in_its_log(fresh_db, mdw_home):
    log_file = mdw_home / "dbt_logs" / "dbt.log"
    log_file.unlink(missing_ok=True)
    result = dbt.run_dbt(
        ["seed", "--select", "wijknamen_programma"], fresh_db, capture=True, check=False, schema_suffix="__build"
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "1 of 1 OK loaded seed file reference__build.wijknamen_programma" in result.stdout
    assert ANSI not in result.stdout + result.stderr
    assert ANSI not in log_file.read_text(encoding="utf-8")


def test_the_cosmos_tasks_run_dbt_without_colours():
    from monitor_dordt_west.orchestration.tasks import dbt_env_template

    env = dbt_env_template()
    assert (env["DBT_USE_COLORS"], env["DBT_USE_COLORS_FILE"]) == ("false", "false")


def mdw(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """``mdw ARGS`` in a fresh process (what the ``./mdw`` wrapper runs), as on a machine without
    ``XDG_RUNTIME_DIR`` (a container, cron, this sandbox)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("XDG_RUNTIME_DIR", "PYTHONWARNINGS")}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "monitor_dordt_west.cli", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_command_on_the_embedded_server_prints_no_runtime_dir_warning(tmp_path, monkeypatch):
    """pgserver asks platformdirs for the runtime dir when it is imported: ``mdw warehouse stop``
    imports it (and, with no server running in this MDW_HOME, does nothing else)."""
    monkeypatch.delenv("MDW_WAREHOUSE_URI", raising=False)
    result = mdw(["warehouse", "stop"], MDW_HOME=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
