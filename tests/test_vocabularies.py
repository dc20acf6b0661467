"""One home per vocabulary: each is defined once, and what reads it agrees with that home."""

from __future__ import annotations

import re

import pytest

from monitor_dordt_west import config
from monitor_dordt_west.ingestion import registry
from monitor_dordt_west.ingestion.column_types import COLUMN_TYPES, DATE_FORMATS

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
