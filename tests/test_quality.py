"""Linters and generated files: ruff (with Airflow's AIR rules), sqlfluff, the GX suites."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.slow  # builds a warehouse (quick subset: -m 'not slow')
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


def test_mypy_types_the_runtime_and_dev_packages():
    """The type checker (settings in pyproject.toml: the packages, heavy third parties skipped)."""
    result = run([str(BIN / "mypy")])
    assert result.returncode == 0, result.stdout[-6000:]


def test_pre_commit_runs_the_linters_of_this_suite():
    import yaml

    from monitor_dordt_west import cli

    path = config.PROJECT_DIR / ".pre-commit-config.yaml"
    assert run([str(BIN / "pre-commit"), "validate-config", str(path)]).returncode == 0
    hooks = {h["id"]: h for repo in yaml.safe_load(path.read_text(encoding="utf-8"))["repos"] for h in repo["hooks"]}
    assert set(hooks) == {"ruff-check", "ruff-format", "mypy", "sqlfluff-lint"}
    for hook in hooks.values():
        program, *rest = hook["entry"].split()
        if program == "./mdw":  # one of mdw's commands (the dev package's lint-sql)
            with pytest.raises(SystemExit) as done:
                cli.main([*rest, "--help"])
            assert done.value.code == 0
        else:
            assert program.startswith(".venv/bin/") and (BIN / Path(program).name).exists(), program
    assert hooks["sqlfluff-lint"]["files"] == r"^dbt_project/models/.*\.sql$"
