"""One home per vocabulary: each is defined once, and what reads it agrees with that home."""

from __future__ import annotations

import ast
import csv
import json
import re

import pytest

from monitor_dordt_west import config, programme
from monitor_dordt_west.ingestion import registry
from monitor_dordt_west.ingestion.column_types import COLUMN_TYPES, DATE_FORMATS
from monitor_dordt_west.publication import assembly

META_SQL = config.PROJECT_DIR / "plugins" / "monitor_dordt_west" / "warehouse" / "sql" / "meta.sql"


def test_the_parse_functions_of_the_column_types_are_those_the_migration_creates():
    created = dict(re.findall(r"FUNCTION mdw_meta\.(parse_\w+)\(value text\) RETURNS (\w+)", META_SQL.read_text()))
    expected = {
        t.parse_function.format(order=f.order): t.pg_type
        for t in COLUMN_TYPES.values()
        if t.parse_function
        for f in DATE_FORMATS.values()
    }
    assert created == expected


def test_every_registry_column_has_a_known_type_and_every_type_is_used():
    used = {c.type for ds in registry.DATASETS for c in ds.columns}
    assert used == set(COLUMN_TYPES)
    with pytest.raises(ValueError, match="is not one of"):
        registry.Column("Bedrag", "bedrag", "decimal")


def test_the_runtime_package_reads_the_programme_constants_and_never_repeats_them():
    """The constants live in dbt_project.yml's vars (programme.py reads them): no literal copy of
    one in the runtime package."""
    constants = {
        programme.MUNICIPALITY,
        programme.FOCUS_AREA,
        *programme.PROGRAMME_AREAS,
        programme.CALENDAR_START_YEAR,
        programme.BASELINE_YEAR,
        programme.GOAL_YEAR,
    }
    assert programme.FOCUS_WIJKEN and set(programme.PROGRAMME_AREAS) == {
        programme.MUNICIPALITY,
        programme.FOCUS_AREA,
        *programme.FOCUS_WIJKEN,
    }
    found = []
    for path in sorted((config.PROJECT_DIR / "plugins" / "monitor_dordt_west").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and type(node.value) in (str, int) and node.value in constants:
                found.append(f"{path.name}:{node.lineno}: {node.value!r}")
    assert found == []


def test_dbt_declares_every_agreed_dataset_and_unions_exactly_the_registrys_ocd_surveys(dbt_manifest):
    """dbt cannot import the registry and needs its source() calls at parse time, so its copy of
    the list of OCD surveys (stg_ocd__enquete_uitkomsten) is held to the registry here."""
    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    sources = {
        f"{s['source_name']}.{s['name']}" for s in manifest["sources"].values() if s["source_name"] != "mdw_meta"
    }
    assert sources == {ds.id for ds in registry.DATASETS}
    model = manifest["nodes"]["model.monitor_dordt_west.stg_ocd__enquete_uitkomsten"]
    assert [manifest["sources"][s]["name"] for s in model["depends_on"]["nodes"]] == list(registry.OCD_SURVEYS)


def test_every_goal_of_the_catalogue_reads_as_words():
    """The goal type's text (seed doeltypen) with the indicator's value and base year: nothing left open."""
    with open(config.SEEDS_DIR / "indicator_catalogus.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            value, year = r["doel_waarde"], r["doel_basisjaar"]
            ind = r | {"doel_waarde": float(value) if value else None, "doel_basisjaar": int(year) if year else None}
            text = assembly.goal_text(ind)
            assert text and "{" not in text and "None" not in text, r["indicator_code"]
