"""The tree is the architecture: stage packages, no import cycles, the runtime without the dev tools.

The import graph is read from the source (``ast``), with the imports inside functions included: an
import moved into a function hides a cycle from Python, not from this test.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from monitor_dordt_west import config

ROOTS = {"monitor_dordt_west": config.PROJECT_DIR / "plugins", "mdw_dev": config.PROJECT_DIR / "dev"}
STAGES = ("ingestion", "warehouse", "publication", "orchestration")


def modules() -> dict[str, Path]:
    found = {}
    for package, root in ROOTS.items():
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """The project modules ``name`` imports, anywhere in the file (``from a import b`` counts as
    ``a.b`` when that is a module, else as ``a``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports_of(path, name, set(mods)) for name, path in mods.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function():
    a = "import os\n\ndef f():\n    from pkg import b\n"
    b = "from pkg.a import f\n"
    g = {"pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a"}, "pkg.c": {"pkg.a"}}
    assert cycles(g) == [["pkg.a", "pkg.b"]]
    assert "pkg.b" in imports_of(_write(a), "pkg.a", {"pkg", "pkg.a", "pkg.b"})
    assert imports_of(_write(b), "pkg.b", {"pkg", "pkg.a", "pkg.b"}) == {"pkg.a"}


def _write(text: str, _counter=[0]) -> Path:  # noqa: B006 - a counter for file names
    import tempfile

    _counter[0] += 1
    path = Path(tempfile.mkdtemp()) / f"m{_counter[0]}.py"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_import_cycles():
    assert cycles(graph()) == []


def test_the_runtime_package_never_imports_the_dev_package():
    leaks = {m: sorted(d for d in deps if d.startswith("mdw_dev")) for m, deps in graph().items()}
    assert {m: d for m, d in leaks.items() if d and m.startswith("monitor_dordt_west")} == {}


def test_the_package_is_one_folder_per_stage():
    top = sorted(
        p.name for p in (ROOTS["monitor_dordt_west"] / "monitor_dordt_west").iterdir() if p.name != "__pycache__"
    )
    assert top == sorted(["__init__.py", "cli.py", "config.py", "migration.py", "programme.py", "quarters.py", *STAGES])
    for stage in STAGES:
        assert (ROOTS["monitor_dordt_west"] / "monitor_dordt_west" / stage / "__init__.py").read_text(encoding="utf-8")


def test_stages_depend_downstream_only():
    """Ingestion and publication meet only in the database; the platform knows no stage above it;
    orchestration may call everything (it is what Airflow runs)."""
    allowed = {
        "ingestion": {"warehouse"},
        "warehouse": set(),
        "publication": {"warehouse"},
        "orchestration": {"ingestion", "warehouse", "publication"},
    }
    wrong = []
    for module, deps in graph().items():
        parts = module.split(".")
        if parts[0] != "monitor_dordt_west" or len(parts) < 3 or parts[1] not in STAGES:
            continue
        for dep in deps:
            dep_parts = dep.split(".")
            if len(dep_parts) > 1 and dep_parts[1] in STAGES and dep_parts[1] != parts[1]:
                if dep_parts[1] not in allowed[parts[1]]:
                    wrong.append(f"{module} -> {dep}")
    assert wrong == []


def layout_rows() -> dict[str, str]:
    """The README's layout table: first-column paths -> the row's text."""
    text = (config.PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    table = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in table.splitlines():
        if line.startswith("| `"):
            first, what = line[2:].split(" | ", 1)
            for path in re.findall(r"`([^`]+)`", first):
                rows[path] = what
    return rows


def test_the_readme_layout_table_matches_the_tree():
    import subprocess

    rows = layout_rows()
    root = config.PROJECT_DIR
    assert [p for p in rows if not (root / p).exists()] == [], "rows for paths that do not exist"
    tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    top = {p.split("/")[0] for p in tracked} - {".gitignore", "README.md"}
    covered = {p.rstrip("/").split("/")[0] for p in rows}
    assert sorted(top - covered) == [], "top-level entries the layout table does not mention"
    for package in [p for p in rows if p.endswith("/") and (root / p / "__init__.py").exists()]:
        modules = {f.name for f in (root / package).glob("*.py") if f.name != "__init__.py"}
        listed = {m for m in re.findall(r"`([a-z_]+\.py)`", rows[package])}
        assert listed == modules, (
            f"{package}: listed {sorted(listed - modules)} not there, {sorted(modules - listed)} not listed"
        )


def test_the_airflow_image_ships_the_runtime_package_only():
    """The Dockerfile copies ``plugins`` (the runtime package) and never ``dev`` (samples, benchmark)."""
    copies = [line.split()[1:] for line in (config.PROJECT_DIR / "Dockerfile").read_text().splitlines()
              if line.startswith("COPY")]  # fmt: skip
    sources = {s for args in copies for s in args[:-1] if not s.startswith("--")}
    assert "plugins" in sources
    assert not {s for s in sources if s == "dev" or s.startswith("dev/") or s == "."}
