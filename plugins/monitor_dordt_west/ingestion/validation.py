"""Run a dataset's Great Expectations suite on a delivery's work table, in SQL.

Great Expectations is imported here only (it costs ~6 s): in tasks, never at DAG parse time.
One validator (one ephemeral GX context and datasource) serves all files of a task.
The first pass asks for ``BOOLEAN_ONLY`` results (half the queries); only when something
fails does a second pass fetch the failing lines for the message.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from monitor_dordt_west.ingestion.expectations import load_suite, quiet_great_expectations
from monitor_dordt_west.ingestion.registry import EARLIEST_DATE, Dataset, Period
from monitor_dordt_west.warehouse.connection import PgTarget

log = logging.getLogger(__name__)

SHOW = 5


class GxValidator:
    def __init__(self, tgt: PgTarget):
        quiet_great_expectations()  # before the import: GX logs ~200 info lines while it imports
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.datasource = self.context.data_sources.add_postgres(name="warehouse", connection_string=tgt.sqlalchemy_url)
        self._suites: dict[str, Any] = {}

    def _suite(self, ds: Dataset):
        if ds.id not in self._suites:
            self._suites[ds.id] = load_suite(ds)
        return self._suites[ds.id]

    def validate(self, ds: Dataset, period: Period, work: str, file_name: str) -> list[str]:
        """Problems found in the work table ``loading.<work>`` (empty list: the delivery is valid)."""
        asset = self.datasource.add_table_asset(name=work, table_name=work, schema_name="loading")
        try:
            batch = asset.add_batch_definition_whole_table("all").get_batch()
            params = period_parameters(ds, period)
            suite = self._suite(ds)
            result = batch.validate(suite, expectation_parameters=params, result_format="BOOLEAN_ONLY")
            if result.success:
                return []
            problems: list[str] = []
            for res in sorted(result.results, key=lambda r: _suite_position(suite, r)):  # the suite's order
                if res.success:
                    continue
                _raise_if_broken(res)
                cfg = res.expectation_config
                detail = batch.validate(
                    cfg.to_domain_obj(), expectation_parameters=params, result_format=detail_format(cfg.meta or {})
                )
                problems += [
                    f"{file_name}, {p}" for p in describe_failure(ds, period, cfg.type, cfg.meta or {}, detail.result)
                ]
            return problems
        finally:
            self.datasource.delete_asset(work)


def _suite_position(suite, res) -> int:
    """Where a result's expectation stands in the suite: messages come in the registry's order
    (per column, then the row rules, then the key), not in the order GX happens to return them."""
    cfg = res.expectation_config
    for i, exp in enumerate(suite.expectations):
        if exp.expectation_type == cfg.type and (exp.meta or {}) == (cfg.meta or {}):
            return i
    return len(suite.expectations)


def _raise_if_broken(res) -> None:
    """An expectation that could not run is our error, not the partner's: fail (and retry), don't quarantine."""
    info = res.exception_info or {}
    infos = info.values() if info and "raised_exception" not in info else [info]
    for item in infos:
        if isinstance(item, dict) and (item.get("raised_exception") or item.get("exception_traceback")):
            raise RuntimeError(
                f"Great Expectations could not evaluate {res.expectation_config.type}: "
                f"{(item.get('exception_message') or '').splitlines()[:1]}"
            )


def period_bounds(ds: Dataset, period: Period):
    """First and last date a dated column may have in this delivery."""
    if ds.extra_period_rule == "first_day":
        return period.start, period.start
    if ds.extra_period_rule == "last_day":
        return period.end, period.end
    return period.start, period.end


def latest_date(period: Period) -> date:
    """No date in a delivery lies after the end of its period, nor after the day it is received."""
    return min(period.end, date.today())


def period_parameters(ds: Dataset, period: Period) -> dict[str, str]:
    first, last = period_bounds(ds, period)
    latest = latest_date(period)
    return {
        "period_min": first.isoformat(),
        "period_max": last.isoformat(),
        "period_min_ts": f"{first}T00:00:00",
        "period_max_ts": f"{last}T23:59:59",
        "date_max": latest.isoformat(),
        "date_max_ts": f"{latest}T23:59:59",
    }


def detail_format(meta: dict) -> dict:
    """Second-pass result format: the failing lines, with the value as delivered."""
    index = ["_line"] + ([meta["kolom"]] if meta.get("typed") else [])
    return {
        "result_format": "COMPLETE",
        "unexpected_index_column_names": index,
        "partial_unexpected_count": SHOW,
        "return_unexpected_index_query": False,
    }


def describe_failure(ds: Dataset, period: Period, type_: str, meta: dict, result: dict) -> list[str]:
    """One Dutch sentence: lines, column, what was expected, what was found (the caller adds the file)."""
    column = meta.get("kolom")
    expected = meta.get("verwacht", type_)
    if type_ == "expect_column_values_to_be_between" and meta.get("typed") and "periode" in expected:
        first, last = period_bounds(ds, period)
        expected = (
            f"een datum op {first:%d-%m-%Y}"
            if first == last
            else f"een datum van {first:%d-%m-%Y} t/m {last:%d-%m-%Y} (periode {period.label})"
        )
    if meta.get("bound") == "not_after_period":
        expected = f"een datum van {EARLIEST_DATE:%d-%m-%Y} t/m {latest_date(period):%d-%m-%Y} " + (
            "(niet na het einde van de periode of de dag van ontvangst)"
        )
    where = f"kolom {column}" if column else "bestand"
    if type_ == "expect_table_row_count_to_be_between":
        return [f"{where}: alleen een kopregel, geen gegevens; verwacht {expected}"]
    if type_ == "unexpected_rows_expectation":
        by_column: dict[str, list[dict]] = {}
        for row in _records(result.get("details", {}).get("unexpected_rows") or []):
            by_column.setdefault(row["kolom"], []).append(row)
        return [
            f"kolom {col}: {len(rows)}{'+' if len(rows) >= 200 else ''} regel(s) niet zoals verwacht "
            f"({rows[0]['verwacht']}) — " + "; ".join(_at(r["_line"], r["gevonden"], ds) for r in rows[:SHOW])
            for col, rows in by_column.items()
        ]
    index = result.get("unexpected_index_list") or []
    count = result.get("unexpected_count", len(index))
    shown = []
    for item in index[:SHOW]:
        values = [f"'{v}'" for k, v in item.items() if k != "_line" and (k == column or not meta.get("typed"))]
        if ds.person_level:  # positions only: a value of a person-level file is never repeated
            values = []
        shown.append(f"regel {item.get('_line')}" + (f": {', '.join(values)}" if values else ""))
    return [f"{where}: {count} regel(s) niet zoals verwacht ({expected}) — " + "; ".join(shown)]


def _at(line: Any, found: Any, ds: Dataset) -> str:
    return f"regel {line}" if ds.person_level else f"regel {line}: '{found}'"


def _records(rows: Any) -> list[dict]:
    if hasattr(rows, "to_dict"):
        return rows.to_dict("records")
    return [dict(r) for r in rows]
