"""Linters and generated files: ruff (with Airflow's AIR rules), sqlfluff, the GX suites."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from monitor_dordt_west import config
from monitor_dordt_west.ingestion import expectations, registry
from monitor_dordt_west.warehouse import dbt

BIN = Path(sys.executable).parent


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=config.PROJECT_DIR, capture_output=True, text=True, **kw)


def test_ruff_lint_and_format():
    lint = run([str(BIN / "ruff"), "check", "."])
    assert lint.returncode == 0, lint.stdout
    fmt = run([str(BIN / "ruff"), "format", "--check", "."])
    assert fmt.returncode == 0, fmt.stdout


def test_sqlfluff_lints_the_dbt_models(mdw_home, fresh_db):
    result = run(
        [str(BIN / "sqlfluff"), "lint", "dbt_project/models"],
        env=dbt.dbt_env(fresh_db, target_path=mdw_home / "sqlfluff_target"),
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_committed_gx_suites_are_generated_from_the_registry():
    for ds in registry.DATASETS:
        assert ds.suite_path.read_text(encoding="utf-8") == expectations.suite_json(ds), (
            f"{ds.suite_path.name} is stale: run `./mdw expectations`"
        )
