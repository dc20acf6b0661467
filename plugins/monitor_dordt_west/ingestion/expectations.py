"""Great Expectations suites for the partner deliveries, generated from the registry.

The suites are kept as JSON in ``expectations/`` (``mdw expectations`` rewrites them; a test
fails when they are out of date). Every expectation carries, in its ``meta``, the column as
the partner names it and what was expected in Dutch, so a failure becomes a message a partner
understands. Validation runs in SQL on the delivery's loading table (see ``raw_tables``); nothing
is pulled into pandas.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from monitor_dordt_west.ingestion.registry import EARLIEST_DATE, Column, Dataset, reference_values


def _exp(type_: str, meta: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return {"type": type_, "kwargs": kwargs, "meta": meta}


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def _expand_lookups(condition: str) -> str:
    """``{lookup:NAME}`` in a row rule becomes the SQL list of that reference list's values."""

    def values(m: re.Match) -> str:
        return "(" + ", ".join(f"'{_sql_text(v)}'" for v in reference_values(m.group(1))) + ")"

    return re.sub(r"\{lookup:([a-z_]+)\}", values, condition)


def _parse_check(ds: Dataset, col: Column) -> str:
    what = col.column_type.expected_text(ds.date_format)
    return (
        f"SELECT _line, '{col.header}' AS kolom, \"{col.header}\" AS gevonden, '{what}' AS verwacht "
        f'FROM {{batch}} WHERE "{col.header}" IS NOT NULL AND {col.name}__typed IS NULL'
    )


def suite_dict(ds: Dataset) -> dict[str, Any]:
    exps: list[dict[str, Any]] = [
        _exp(
            "expect_table_row_count_to_be_between",
            {"verwacht": "minstens één gegevensregel onder de kopregel"},
            min_value=1,
        ),
    ]
    for col in ds.columns:
        meta = {"kolom": col.header}
        if col.required:
            exps.append(
                _exp(
                    "expect_column_values_to_not_be_null",
                    meta | {"verwacht": "een waarde (verplicht veld)"},
                    column=col.header,
                )
            )
        if col.in_period:
            exps.append(
                _exp(
                    "expect_column_values_to_be_between",
                    meta
                    | {
                        "verwacht": "een datum binnen de periode van de levering (volgens de bestandsnaam)",
                        "typed": True,
                    },
                    column=f"{col.name}__typed",
                    min_value={"$PARAMETER": "period_min_ts" if col.type == "timestamp" else "period_min"},
                    max_value={"$PARAMETER": "period_max_ts" if col.type == "timestamp" else "period_max"},
                )
            )
        if col.column_type.temporal and not col.in_period and col.not_after_period:
            ts = col.type == "timestamp"
            exps.append(
                _exp(
                    "expect_column_values_to_be_between",
                    meta
                    | {
                        "verwacht": "een datum niet na het einde van de periode of de dag van ontvangst",
                        "typed": True,
                        "bound": "not_after_period",
                    },
                    column=f"{col.name}__typed",
                    min_value=f"{EARLIEST_DATE}T00:00:00" if ts else EARLIEST_DATE.isoformat(),
                    max_value={"$PARAMETER": "date_max_ts" if ts else "date_max"},
                )
            )
        if col.min_value is not None or col.max_value is not None:
            bounds = " en ".join(
                filter(
                    None,
                    [
                        f"minstens {col.min_value}" if col.min_value is not None else "",
                        f"hoogstens {col.max_value}" if col.max_value is not None else "",
                    ],
                )
            )
            exps.append(
                _exp(
                    "expect_column_values_to_be_between",
                    meta | {"verwacht": f"een getal {bounds}", "typed": True},
                    column=f"{col.name}__typed",
                    min_value=col.min_value,
                    max_value=col.max_value,
                )
            )
        if col.pattern:
            exps.append(
                _exp(
                    "expect_column_values_to_match_regex",
                    meta | {"verwacht": f"een waarde volgens het patroon {col.pattern}"},
                    column=col.header,
                    regex=col.pattern,
                )
            )
        if col.allowed or col.lookup:
            values = list(col.allowed or reference_values(col.lookup or ""))
            what = (
                ("een van: " + ", ".join(values))
                if col.allowed
                else {
                    "buurtcode": "een bestaande CBS-buurtcode van Dordrecht (BU0505wwbb)",
                    "bvh_klasse": "een bestaande maatschappelijke klasse (BVH-code) uit CBS-tabel 47018NED",
                    "blik_wijk": "een BLIK-wijknaam uit de afgesproken lijst: " + ", ".join(values),
                    "ocd_indicator": "een OCD-indicatorcode die in de indicatorkaart staat (seed ocd_indicatorcodes)",
                    "wijk_of_gemeente": "een CBS-wijkcode van Dordrecht (WK0505ww) of GM0505",
                    "gebiedscode": "een CBS-code van Dordrecht (BU0505wwbb, WK0505ww of GM0505)",
                }[col.lookup or ""]
            )
            exps.append(
                _exp(
                    "expect_column_values_to_be_in_set", meta | {"verwacht": what}, column=col.header, value_set=values
                )
            )
    row_checks = [_parse_check(ds, c) for c in ds.columns if c.column_type.typed]
    row_checks += [
        f"SELECT _line, '{column}' AS kolom, \"{column}\" AS gevonden, '{_sql_text(what)}' AS verwacht "
        f"FROM {{batch}} WHERE {_expand_lookups(condition)}"
        for column, what, condition in ds.row_rules
    ]
    if row_checks:
        # One table-level expectation for all row checks: GX keeps only one
        # unexpected_rows_expectation per suite when several share the (table) domain.
        exps.append(
            _exp(
                "unexpected_rows_expectation",
                {"verwacht": "waarden die als het afgesproken type te lezen zijn en onderling kloppen"},
                unexpected_rows_query=" UNION ALL ".join(row_checks) + " ORDER BY _line",
            )
        )
    key_meta = {
        "kolom": " + ".join(ds.key),
        "verwacht": "een unieke sleutel: elke waarde komt één keer voor in de levering",
    }
    if len(ds.key) == 1:
        exps.append(_exp("expect_column_values_to_be_unique", key_meta, column=ds.key[0]))
    else:
        exps.append(_exp("expect_compound_columns_to_be_unique", key_meta, column_list=list(ds.key)))
    return {
        "name": ds.suite_name,
        "expectations": exps,
        "meta": {"dataset": ds.id, "generated_by": "mdw expectations (from monitor_dordt_west.ingestion.registry)"},
    }


def suite_json(ds: Dataset) -> str:
    return json.dumps(suite_dict(ds), indent=2, ensure_ascii=False) + "\n"


def write_suites() -> list[str]:
    from monitor_dordt_west.ingestion.registry import DATASETS

    written = []
    for ds in DATASETS:
        ds.suite_path.parent.mkdir(parents=True, exist_ok=True)
        ds.suite_path.write_text(suite_json(ds), encoding="utf-8")
        written.append(str(ds.suite_path))
    return written


def _warnings_and_up(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


def quiet_great_expectations() -> None:
    """Keep GX's info lines out of the task logs; its warnings and errors stay. Call before
    ``import great_expectations``: while it imports, GX logs ``Skipping registering function ...``
    about 200 times (logger ``great_expectations._docs_decorators``, its public-API registry), and
    each ephemeral context logs ``Created temporary directory ... for ephemeral docs site`` from
    ``great_expectations.data_context.types.base``, a logger GX sets to INFO itself when it is
    imported (so a level set here would be undone: a filter on that logger stays)."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    logging.getLogger("great_expectations.data_context.types.base").addFilter(_warnings_and_up)


def load_suite(ds: Dataset):
    """The committed suite of a dataset as a GX ``ExpectationSuite`` (imports GX: call in tasks only)."""
    quiet_great_expectations()
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    data = json.loads(ds.suite_path.read_text(encoding="utf-8"))
    suite = ExpectationSuite(name=data["name"], meta=data.get("meta"))
    for exp in data["expectations"]:
        suite.add_expectation_configuration(
            ExpectationConfiguration(type=exp["type"], kwargs=exp["kwargs"], meta=exp["meta"])
        )
    return suite
