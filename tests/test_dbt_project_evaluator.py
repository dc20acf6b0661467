"""The dbt project against the rules of dbt-project-evaluator, read from ``manifest.json``.

The package itself cannot be installed here (no dbt hub), so its rules are implemented over the
manifest, as its SQL models compute them over the graph (github.com/dbt-labs/dbt-project-evaluator,
models/marts/dag/*.sql, models/marts/tests/*.sql, models/marts/documentation/*.sql,
models/marts/structure/*.sql; its default variables in dbt_project.yml):

* the DAG is the graph of models, seeds, snapshots and sources; tests are not part of it
  (``recursive_dag``: ``resource_type <> 'test'``);
* a model's type comes from its prefix (``stg_``, ``int_``, ``fct_``/``dim_``, ``base_``,
  ``rpt_``), else from the folder nearest to its file, else ``other``;
* a test counts for the model it is attached to (``attached_node``: the evaluator's primary
  relationship); a primary key is tested by ``unique`` + ``not_null`` on one column, by
  ``unique`` + a ``not_null`` constraint on one column, or by a ``unique_combination_of_columns``
  test — here the project's own generic test, which is what ``primary_key_test_macros`` would be
  set to (dbt_utils cannot be fetched here);
* thresholds are the evaluator's defaults: ``models_fanout_threshold`` 3 (a parent is flagged with
  three or more direct leaf children: the SQL says ``>=``), ``too_many_joins_threshold`` 7.

Exceptions are listed below, as the evaluator's ``dbt_project_evaluator_exceptions`` seed would
list them (rule, column, value, reason), and in the README (*The dbt project*). An exception that
no longer matches anything fails the test, so the list stays true. On top of the evaluator's rules,
the project's own conventions (README, *Conventions*): no layer reads a later layer, every
description states its grain, one ``_<dir>__models.yml`` per folder, every seed read by a model.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import PurePosixPath

import pytest

PROJECT = "monitor_dordt_west"
MODELS_FANOUT_THRESHOLD = 3
TOO_MANY_JOINS_THRESHOLD = 7
PRIMARY_KEY_TEST_MACROS = [
    ["dbt.test_unique", "dbt.test_not_null"],
    [f"{PROJECT}.test_unique_combination_of_columns"],
]
PREFIXES = {
    "base": ["base_"],
    "staging": ["stg_"],
    "intermediate": ["int_"],
    "marts": ["fct_", "dim_"],
    "other": ["rpt_"],
}
FOLDERS = {"base": "base", "staging": "staging", "intermediate": "intermediate", "marts": "marts"}
LAYER = {"staging": 1, "intermediate": 2, "marts": 3}

# (rule, column of the rule's result, value, reason) — the evaluator's exceptions seed
EXCEPTIONS = [
    (
        "fct_root_models",
        "child",
        "int_perioden",
        "the calendar of reporting periods 2015–2043 is generated (generate_series), it reads nothing: "
        "the evaluator's own example of a legitimate root model (a date spine)",
    ),
    (
        "fct_multiple_sources_joined",
        "child",
        "stg_ocd__enquete_uitkomsten",
        "the three OCD survey workbooks (Veiligheids-, Gezondheids-, Woonmonitor) have the same agreed "
        "columns and are only ever used together: unioned once in staging, the evaluator's documented exception",
    ),
    (
        "fct_too_many_joins",
        "resource_name",
        "int_indicatoren__berekend",
        "the rate logic joins what a rate needs: definitions (2 seeds), areas, covered periods, counts, "
        "population and households; splitting it would only move the joins and split the unit test",
    ),
    (
        "unused_seeds",
        "seed",
        "doelen_zonder_indicator",
        "reference data for analysts (reference.doelen_zonder_indicator: the operational goals the catalogue "
        "cannot measure yet, next to marts.dim_indicator), checked against the document by tests/test_catalogue.py",
    ),
]


@pytest.fixture(scope="module")
def project(dbt_manifest) -> Project:
    return Project(json.loads(dbt_manifest.read_text(encoding="utf-8")))


class Project:
    """The manifest as the evaluator's int_all_graph_resources and int_all_dag_relationships see it."""

    def __init__(self, manifest: dict):
        self.manifest = manifest
        nodes = {k: v for k, v in manifest["nodes"].items() if v["package_name"] == PROJECT}
        self.tests = {k: v for k, v in nodes.items() if v["resource_type"] == "test"}
        self.resources = {k: v for k, v in nodes.items() if v["resource_type"] in ("model", "seed", "snapshot")}
        self.resources.update({k: v for k, v in manifest["sources"].items() if v["package_name"] == PROJECT})
        self.parents: dict[str, set[str]] = defaultdict(set)
        self.children: dict[str, set[str]] = defaultdict(set)
        for uid, node in self.resources.items():
            for parent in node.get("depends_on", {}).get("nodes", []):
                self.parents[uid].add(parent)
                self.children[parent].add(uid)

    def name(self, uid: str) -> str:
        r = self.resources[uid]
        return f"{r['source_name']}.{r['name']}" if r["resource_type"] == "source" else r["name"]

    def of_type(self, *types: str) -> list[str]:
        return sorted(u for u, r in self.resources.items() if r["resource_type"] in types)

    @property
    def models(self) -> list[str]:
        return self.of_type("model")

    def model_type(self, uid: str) -> str | None:
        r = self.resources[uid]
        if r["resource_type"] in ("source", "seed"):
            return None
        prefix = r["name"].split("_")[0] + "_"
        for kind, prefixes in PREFIXES.items():
            if prefix in prefixes:
                return kind
        return self.folder_type(uid) or "other"

    def folder_type(self, uid: str) -> str | None:
        """The model type of the folder nearest to the file (the evaluator's model_type_folder)."""
        for part in reversed(PurePosixPath(self.resources[uid]["original_file_path"]).parent.parts):
            for kind, folder in FOLDERS.items():
                if part == folder:
                    return kind
        return None

    def tests_on(self, uid: str) -> list[dict]:
        return [t for t in self.tests.values() if t.get("attached_node") == uid]


def flagged(rule: str, column: str, rows: list[dict]) -> list[dict]:
    """The rule's result without its exceptions (filter_exceptions: ``column not like value``)."""
    excluded = {value for r, c, value, _ in EXCEPTIONS if r == rule and c == column}
    return [row for row in rows if row[column] not in excluded]


# -- the evaluator's rules ---------------------------------------------------------------------


def fct_model_fanout(p: Project) -> list[dict]:
    leaves = {u for u in p.models if not p.children[u]}
    rows = []
    for parent in p.resources:
        leaf_children = sorted(p.name(c) for c in p.children[parent] if c in leaves)
        if len(leaf_children) >= MODELS_FANOUT_THRESHOLD:
            rows.append({"parent": p.name(parent), "leaf_children": leaf_children})
    return rows


def fct_rejoining_of_upstream_concepts(p: Project) -> list[dict]:
    rows = []
    for parent in p.resources:
        direct = p.children[parent]
        second = {grandchild for c in direct for grandchild in p.children[c]}
        for child in direct & second:
            for between in direct & p.parents[child]:
                if len(p.children[between]) == 1:  # the model in between is used nowhere else
                    rows.append({"parent": p.name(parent), "child": p.name(child), "parent_and_child": p.name(between)})
    return rows


def fct_staging_dependent_on_staging(p: Project) -> list[dict]:
    return [
        {"parent": p.name(parent), "child": p.name(child)}
        for child in p.of_type("model", "snapshot")
        for parent in p.parents[child]
        if p.resources[parent]["resource_type"] in ("model", "snapshot")
        and p.model_type(parent) == "staging"
        and p.model_type(child) == "staging"
    ]


def fct_staging_dependent_on_marts_or_intermediate(p: Project) -> list[dict]:
    return [
        {"parent": p.name(parent), "child": p.name(child)}
        for child in p.models
        for parent in p.parents[child]
        if p.resources[parent]["resource_type"] == "model"
        and p.model_type(child) == "staging"
        and p.model_type(parent) in ("marts", "intermediate")
    ]


def fct_marts_or_intermediate_dependent_on_source(p: Project) -> list[dict]:
    return [
        {"parent": p.name(parent), "child": p.name(child)}
        for child in p.models
        for parent in p.parents[child]
        if p.resources[parent]["resource_type"] == "source" and p.model_type(child) in ("marts", "intermediate")
    ]


def fct_root_models(p: Project) -> list[dict]:
    return [{"child": p.name(u)} for u in p.models if not p.parents[u]]


def fct_direct_join_to_source(p: Project) -> list[dict]:
    rows = []
    for child in p.models:
        kinds = {p.resources[parent]["resource_type"] for parent in p.parents[child]}
        if {"model", "source"} <= kinds:
            rows.append({"child": p.name(child)})
    return rows


def fct_source_fanout(p: Project) -> list[dict]:
    rows = []
    for source in p.of_type("source"):
        models = sorted(p.name(c) for c in p.children[source] if p.resources[c]["resource_type"] == "model")
        if len(models) > 1:
            rows.append({"parent": p.name(source), "model_children": models})
    return rows


def fct_multiple_sources_joined(p: Project) -> list[dict]:
    rows = []
    for child in p.models:
        sources = sorted(p.name(s) for s in p.parents[child] if p.resources[s]["resource_type"] == "source")
        if len(sources) > 1:
            rows.append({"child": p.name(child), "source_parents": sources})
    return rows


def fct_unused_sources(p: Project) -> list[dict]:
    return [{"parent": p.name(s)} for s in p.of_type("source") if not p.children[s]]


def fct_too_many_joins(p: Project) -> list[dict]:
    return [
        {"resource_name": p.name(u), "join_count": len(p.parents[u])}
        for u in p.models
        if len(p.parents[u]) >= TOO_MANY_JOINS_THRESHOLD
    ]


# find_all_hard_coded_references: from/join followed by a var() or a schema-qualified name
_NOT_AFTER_DISTINCT = r"(?<!distinct\s)"
HARD_CODED = [
    _NOT_AFTER_DISTINCT + r"(from|join)\s+({{\s*var\s*\(\s*['\"]?)([^)'\"]+)(['\"]?\s*)(\)\s*}})",
    _NOT_AFTER_DISTINCT
    + r"(from|join)\s+({{\s*var\s*\(\s*['\"]?)([^)'\"]+)(['\"]?\s*)(,)(\s*['\"]?)([^)'\"]+)(['\"]?\s*)(\)\s*}})",
    _NOT_AFTER_DISTINCT + r"(from|join)\s+([\[`\"']?)(\w+-?\w*)([\]`\"']?)(\.)([\[`\"']?)(\w+-?\w*)([\]`\"']?)(?=\s|$)",
    _NOT_AFTER_DISTINCT
    + r"(from|join)\s+([\[`\"']?)(\w+-?\w*)([\]`\"']?)(\.)([\[`\"']?)(\w+-?\w*)([\]`\"']?)(\.)([\[`\"']?)"
    r"(\w+-?\w*)([\]`\"']?)(?=\s|$)",
    _NOT_AFTER_DISTINCT + r"(from|join)\s+([\[`\"'])(\w+-?\w+)([\]`\"'])(?=\s|$)",
]


def fct_hard_coded_references(p: Project) -> list[dict]:
    rows = []
    for u in p.models:
        code = re.sub(r"(--).*", "", p.resources[u]["raw_code"])
        found = sorted({"".join(m[1:]).strip() for pattern in HARD_CODED for m in re.findall(pattern, code, re.I)})
        if found:
            rows.append({"model": p.name(u), "hard_coded_references": found})
    return rows


def _is_macro(test: dict, macro: str) -> bool:
    return f"macro.{macro}" in test["depends_on"]["macros"]


def fct_missing_primary_key_tests(p: Project) -> list[dict]:
    rows = []
    for u in p.models:
        by_column: dict[str | None, list[dict]] = defaultdict(list)
        for test in p.tests_on(u):
            by_column[test.get("column_name")].append(test)
        columns = p.resources[u]["columns"]
        tested = False
        for column, tests in by_column.items():
            for macros in PRIMARY_KEY_TEST_MACROS:
                if sum(any(_is_macro(t, m) for m in macros) for t in tests) >= len(macros):
                    tested = True
            not_null_constraint = any(
                c["type"] == "not_null" for c in (columns.get(column or "", {}).get("constraints") or [])
            )
            if sum(_is_macro(t, "dbt.test_unique") for t in tests) + not_null_constraint >= 2:
                tested = True
        if not tested:
            rows.append({"resource_name": p.name(u), "model_type": p.model_type(u)})
    return rows


def fct_test_coverage(p: Project) -> list[dict]:
    """The models fct_test_coverage counts as untested (no test attached); the target is 100 %."""
    return [{"resource_name": p.name(u)} for u in p.models if not p.tests_on(u)]


def fct_sources_without_freshness(p: Project) -> list[dict]:
    rows = []
    for s in p.of_type("source"):
        freshness = p.resources[s].get("config", {}).get("freshness") or p.resources[s].get("freshness") or {}
        counts = [(freshness.get(k) or {}).get("count") for k in ("warn_after", "error_after")]
        if not any(c not in (None, "") for c in counts):
            rows.append({"resource_name": p.name(s)})
    return rows


def fct_undocumented_models(p: Project) -> list[dict]:
    return [{"resource_name": p.name(u)} for u in p.models if not p.resources[u]["description"].strip()]


def undocumented_columns(p: Project) -> list[dict]:
    """fct_documentation_coverage counts described models; the project also wants every column
    described (persisted as PostgreSQL comments; tests/test_warehouse_build.py checks the tables)."""
    return [
        {"column": f"{p.name(u)}.{name}"}
        for u in p.models
        for name, column in p.resources[u]["columns"].items()
        if not (column.get("description") or "").strip()
    ]


def fct_undocumented_sources(p: Project) -> list[dict]:
    return [
        {"resource_name": p.resources[s]["source_name"]}
        for s in p.of_type("source")
        if not p.resources[s]["source_description"].strip()
    ]


def fct_undocumented_source_tables(p: Project) -> list[dict]:
    return [{"resource_name": p.name(s)} for s in p.of_type("source") if not p.resources[s]["description"].strip()]


def fct_model_naming_conventions(p: Project) -> list[dict]:
    rows = []
    for u in p.models:
        kind = p.model_type(u)
        if not any(p.name(u).startswith(prefix) for prefix in PREFIXES.get(kind, [])):
            rows.append({"resource_name": p.name(u), "model_type": kind})
    return rows


def fct_model_directories(p: Project) -> list[dict]:
    rows = []
    for u in p.models:
        directory = str(PurePosixPath(p.resources[u]["original_file_path"]).parent)
        for parent in p.parents[u]:  # a staging model lives in the folder of its source
            source = p.resources[parent]
            if source["resource_type"] == "source" and p.model_type(u) == "staging":
                if source["source_name"] not in directory:
                    rows.append({"resource_name": p.name(u), "current_file_path": directory})
        if p.model_type(u) != p.folder_type(u):
            rows.append({"resource_name": p.name(u), "current_file_path": directory})
    return rows


def fct_source_directories(p: Project) -> list[dict]:
    return [
        {"resource_name": p.name(s), "current_file_path": p.resources[s]["original_file_path"]}
        for s in p.of_type("source")
        if p.resources[s]["source_name"] not in str(PurePosixPath(p.resources[s]["original_file_path"]).parent)
    ]


def fct_test_directories(p: Project) -> list[dict]:
    rows = []
    for test in p.tests.values():
        model = p.resources.get(test.get("attached_node") or "")
        if model is None or model["resource_type"] != "model" or test.get("test_metadata") is None:
            continue
        model_dir = PurePosixPath(model["original_file_path"]).parent
        test_dir = PurePosixPath(test["original_file_path"]).parent
        if model_dir != test_dir:
            rows.append({"test_name": test["name"], "model_name": model["name"]})
    return rows


# -- the project's own conventions ---------------------------------------------------------------


def layer_order(p: Project) -> list[dict]:
    """staging → intermediate → marts: no model reads a later layer, and a mart reads no mart."""
    rows = []
    for child in p.models:
        for parent in p.parents[child]:
            if p.resources[parent]["resource_type"] != "model":
                continue
            a, b = p.model_type(parent), p.model_type(child)
            if LAYER.get(a, 0) > LAYER.get(b, 0) or a == b == "marts":
                rows.append({"edge": f"{p.name(parent)} -> {p.name(child)}"})
    return rows


def grain_not_stated(p: Project) -> list[dict]:
    return [
        {"resource_name": p.name(u)} for u in p.models if not p.resources[u]["description"].startswith("One row per")
    ]


def models_yml_per_folder(p: Project) -> list[dict]:
    """One ``_<dir>__models.yml`` per folder, sources in ``_<dir>__sources.yml`` beside it."""
    rows = []
    for u in p.models:
        directory = PurePosixPath(p.resources[u]["original_file_path"]).parent
        expected = f"{PROJECT}://{directory}/_{directory.name}__models.yml"
        if p.resources[u]["patch_path"] != expected:
            rows.append({"resource_name": p.name(u), "patch_path": p.resources[u]["patch_path"]})
    for s in p.of_type("source"):
        path = PurePosixPath(p.resources[s]["original_file_path"])
        if path.name != f"_{path.parent.name}__sources.yml":
            rows.append({"resource_name": p.name(s), "patch_path": str(path)})
    return rows


def unused_seeds(p: Project) -> list[dict]:
    return [{"seed": p.name(s)} for s in p.of_type("seed") if not p.children[s]]


RULES = {
    f.__name__: (f, column)
    for f, column in [
        (fct_model_fanout, "parent"),
        (fct_rejoining_of_upstream_concepts, "parent_and_child"),
        (fct_staging_dependent_on_staging, "child"),
        (fct_staging_dependent_on_marts_or_intermediate, "child"),
        (fct_marts_or_intermediate_dependent_on_source, "child"),
        (fct_root_models, "child"),
        (fct_direct_join_to_source, "child"),
        (fct_source_fanout, "parent"),
        (fct_multiple_sources_joined, "child"),
        (fct_unused_sources, "parent"),
        (fct_too_many_joins, "resource_name"),
        (fct_hard_coded_references, "model"),
        (fct_missing_primary_key_tests, "resource_name"),
        (fct_test_coverage, "resource_name"),
        (fct_sources_without_freshness, "resource_name"),
        (fct_undocumented_models, "resource_name"),
        (undocumented_columns, "column"),
        (fct_undocumented_sources, "resource_name"),
        (fct_undocumented_source_tables, "resource_name"),
        (fct_model_naming_conventions, "resource_name"),
        (fct_model_directories, "resource_name"),
        (fct_source_directories, "resource_name"),
        (fct_test_directories, "test_name"),
        (layer_order, "edge"),
        (grain_not_stated, "resource_name"),
        (models_yml_per_folder, "resource_name"),
        (unused_seeds, "seed"),
    ]
}


@pytest.mark.parametrize("rule", list(RULES))
def test_rule(project, rule):
    func, column = RULES[rule]
    assert flagged(rule, column, func(project)) == []


def test_every_exception_is_still_needed_and_has_a_reason(project):
    for rule, column, value, reason in EXCEPTIONS:
        func, rule_column = RULES[rule]
        assert column == rule_column, rule
        assert value in {row[column] for row in func(project)}, f"stale exception: {rule} {value}"
        assert len(reason) > 40, f"{rule} {value}: say why"


def test_the_rules_see_the_whole_project(project):
    """The manifest is the project's: every layer has models, and the graph has edges."""
    kinds = defaultdict(int)
    for u in project.models:
        kinds[project.model_type(u)] += 1
    assert set(kinds) == {"staging", "intermediate", "marts"}
    assert kinds["marts"] == 7
    assert sum(len(c) for c in project.children.values()) > len(project.models)


def test_the_rules_flag_what_the_evaluator_flags():
    """The rules on a made-up graph: what the evaluator's own integration tests show."""

    def model(name, parents=(), path="models/marts", code="select 1", columns=None):
        return {
            "unique_id": f"model.{PROJECT}.{name}",
            "name": name,
            "resource_type": "model",
            "package_name": PROJECT,
            "original_file_path": f"{path}/{name}.sql",
            "depends_on": {"nodes": [f"model.{PROJECT}.{p}" for p in parents]},
            "raw_code": code,
            "columns": columns or {},
            "description": "",
        }

    def test(name, on, macro, column=None):
        return {
            "unique_id": f"test.{PROJECT}.{name}",
            "name": name,
            "resource_type": "test",
            "package_name": PROJECT,
            "attached_node": f"model.{PROJECT}.{on}",
            "column_name": column,
            "depends_on": {"macros": [f"macro.{macro}"], "nodes": [f"model.{PROJECT}.{on}"]},
        }

    nodes = [
        model("stg_a", path="models/staging/a"),
        model("int_b", ["stg_a"], "models/intermediate"),
        model("int_c", ["stg_a", "int_b"], "models/intermediate"),  # rejoins stg_a through int_b
        model("fct_1", ["int_c"]),
        model("fct_2", ["int_c"]),
        model("fct_3", ["int_c"]),  # int_c: three leaf children
        model("dim_4", ["stg_a", "dim_5"], code="select * from raw_x.tabel t join {{ ref('x') }}"),
        model("dim_5", columns={"id": {"constraints": [{"type": "not_null"}]}}),
    ]
    tests = [
        test("unique_fct_1_id", "fct_1", "dbt.test_unique", "id"),
        test("not_null_fct_1_id", "fct_1", "dbt.test_not_null", "id"),
        test("unique_fct_2_id", "fct_2", "dbt.test_unique", "id"),  # no not_null: not a primary key
        test("ucc_fct_3", "fct_3", f"{PROJECT}.test_unique_combination_of_columns"),
        test("unique_dim_5_id", "dim_5", "dbt.test_unique", "id"),  # with a not_null constraint
    ]
    p = Project({"nodes": {n["unique_id"]: n for n in nodes + tests}, "sources": {}})
    assert fct_model_fanout(p) == [{"parent": "int_c", "leaf_children": ["fct_1", "fct_2", "fct_3"]}]
    assert fct_rejoining_of_upstream_concepts(p) == [{"parent": "stg_a", "child": "int_c", "parent_and_child": "int_b"}]
    assert {r["resource_name"] for r in fct_missing_primary_key_tests(p)} == {
        "stg_a",
        "int_b",
        "int_c",
        "fct_2",
        "dim_4",
    }
    assert {r["resource_name"] for r in fct_test_coverage(p)} == {"stg_a", "int_b", "int_c", "dim_4"}
    assert fct_hard_coded_references(p) == [{"model": "dim_4", "hard_coded_references": ["raw_x.tabel"]}]
    assert layer_order(p) == [{"edge": "dim_5 -> dim_4"}]
    assert fct_root_models(p) == [{"child": "dim_5"}, {"child": "stg_a"}]
