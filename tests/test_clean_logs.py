"""Clean logs: no GX registration noise, each load line once, no ANSI colours from dbt, no
warning about the sandbox's runtime dir, and a failed task's log starts with the reason."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from airflow.sdk.exceptions import AirflowFailException  # Airflow sets up its logging on import: before caplog's

from monitor_dordt_west.warehouse import dbt
from tests.deliveries import MISDRIJVEN_HEADER as H
from tests.deliveries import politie

ANSI = "\x1b["
JAN = [
    ["PL1700-2024000001", "05-01-2024", "04-01-2024", "A20", "Gekwal. Diefstal in/uit woning", "BU05050300"],
    ["PL1700-2024000002", "31-01-2024", "", "F550", "Eenvoudige mishandeling", ""],
    ["PL1700-2024000003", "12-01-2024", "", "B70", "Straatroof café", "BU05050401"],
]
LOADED = "POL_misdrijven_202401.csv: 3 rijen geladen als levering 1"
REFUSED = (
    "Levering POL_misdrijven_202402.csv (levering 2) is geweigerd en in quarantaine gezet; er is niets van geladen.\n"
    "- POL_misdrijven_202402.csv, kolom Registratiedatum: 1 regel(s) niet zoals verwacht (een geldige datum in het "
    "formaat dd-mm-jjjj) — regel 2: '31-02-2024'"
)
GX_NOISE = ("Skipping registering function", "for ephemeral docs site")


@pytest.fixture
def good_and_bad(fresh_db, landing, tmp_path, monkeypatch):
    """January as agreed (3 rows; delivery 1), February with 31-02-2024 (refused; delivery 2)."""
    monkeypatch.setenv("MDW_ARCHIVE_DIR", str(tmp_path / "archive"))
    monkeypatch.setenv("MDW_QUARANTINE_DIR", str(tmp_path / "quarantine"))
    politie(landing, "POL_misdrijven_202401.csv", H, JAN)
    politie(landing, "POL_misdrijven_202402.csv", H, [["PL1700-2024000009", "31-02-2024", "", "A20", "x", ""]])
    return landing


def test_an_ingest_task_logs_each_load_once_and_fails_with_the_reason_first(good_and_bad, caplog):
    from monitor_dordt_west.orchestration import tasks

    caplog.set_level(logging.INFO)
    with pytest.raises(AirflowFailException) as failed:
        tasks.ingest_dataset("politie", "politie.misdrijven")
    assert str(failed.value) == REFUSED
    messages = [r.getMessage() for r in caplog.records]
    assert messages.count(LOADED) == 1
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [REFUSED]
    assert [m for m in messages if any(noise in m for noise in GX_NOISE)] == []


def test_a_failing_task_logs_its_reason_before_it_fails(fresh_db, caplog):
    """No build yet: the quarter's check fails, and says why in its first error line."""
    from monitor_dordt_west.orchestration import tasks

    with pytest.raises(AirflowFailException) as failed:
        tasks.check_quarter_complete("2024-Q1")
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [str(failed.value)]
    assert errors[0].startswith("Publiceren geweigerd: het warehouse is nog niet gebouwd en getest")


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


def test_mdw_run_says_each_line_once_without_gx_noise(good_and_bad):
    """``mdw run`` prints the outcomes itself: the log records of the same messages are left out,
    also at MDW_LOG_LEVEL=INFO; GX, imported by this fresh process, logs none of its info lines."""
    result = mdw(["run", "--no-build", "--landing", str(good_and_bad)], MDW_LOG_LEVEL="INFO")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert result.stdout.splitlines() == [
        f"loaded       {LOADED}",
        f"quarantined  {REFUSED.splitlines()[0]}",
    ]
    assert out.count(LOADED) == 1
    assert out.count(REFUSED) == 1 and out.count(REFUSED.splitlines()[1]) == 1
    assert [noise for noise in (*GX_NOISE, "RuntimeDirWarning", ANSI) if noise in out] == []
