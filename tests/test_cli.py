"""The command line passes everything after test/dbt/airflow on as is, options included."""

import argparse

from monitor_dordt_west import cli


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
