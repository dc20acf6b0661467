"""The command line passes everything after test/dbt/airflow on as is, options included."""

import argparse

from monitor_dordt_west import cli, config


def test_pass_through_keeps_options():
    seen = {}
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    for name in cli.PASS_THROUGH:
        p = sub.add_parser(name)
        p.add_argument("args", nargs=argparse.REMAINDER)
        p.set_defaults(func=lambda a: seen.setdefault("args", a.args) and 0)
    cli.dispatch(parser, ["test", "-k", "publication", "--durations=5", "tests/x.py"])
    assert seen["args"] == ["-k", "publication", "--durations=5", "tests/x.py"]


def test_dbt_commands_that_write_use_the_build_schemas(monkeypatch):
    """``mdw dbt`` never writes the live schemas; read-only commands describe them."""
    monkeypatch.delenv(config.DBT_SCHEMA_SUFFIX_VAR, raising=False)
    for args in (["build"], ["run", "--select", "fct_indicator_values"], ["seed"], ["test"], ["run-operation", "x"]):
        assert cli.dbt_schema_suffix(args) == "__build", args
    for args in (["docs", "generate"], ["source", "freshness"], ["ls"], ["show", "--select", "dim_area"], []):
        assert cli.dbt_schema_suffix(args) == "", args
    monkeypatch.setenv(config.DBT_SCHEMA_SUFFIX_VAR, "__probeer")
    assert cli.dbt_schema_suffix(["build"]) is None  # as the operator set it


def test_the_dev_commands_come_through_an_entry_point():
    """The runtime CLI names no dev module: the dev package adds its commands through the entry
    point group ``monitor_dordt_west.commands``."""
    from mdw_dev import commands

    assert commands.register in list(cli._more_commands())
    assert "mdw_dev" not in (config.PROJECT_DIR / "plugins" / "monitor_dordt_west" / "cli.py").read_text()
