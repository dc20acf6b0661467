"""The development commands of ``mdw``: the demo, sample deliveries, the test suite and the benchmark.

Added to ``mdw`` through the entry point ``monitor_dordt_west.commands`` (pyproject.toml; see ``register``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from monitor_dordt_west import cli, config


def cmd_demo(args: argparse.Namespace) -> int:
    """The main job: embedded warehouse, sample deliveries, Airflow's own scheduler doing the work."""
    from mdw_dev.samples import demo
    from monitor_dordt_west.orchestration import components
    from monitor_dordt_west.quarters import Quarter
    from monitor_dordt_west.warehouse import dbt

    t0 = time.monotonic()
    tgt = cli.owner_target()
    landing = config.paths().landing
    # only what the warehouse has not received yet: a second demo delivers nothing again
    delivery = demo.deliver_unreceived(tgt, landing, seed=args.seed, today=args.today)
    print(
        f"Voorbeeldleveringen gegenereerd ({delivery.generated} bestanden, seed {args.seed}): "
        f"{len(delivery.delivered)} geleverd in {landing}, "
        f"{len(delivery.received)} al ontvangen en niet opnieuw geleverd"
        + (f", {len(delivery.waiting)} wachten al in de landingsmap" if delivery.waiting else "")
        + "."
    )
    dbt.build_manifest()
    # the quarterly publication: the quarter before the last (so that the last shows what changed
    # since), then the last one published on the timetable
    last = Quarter.last_published(date.today())
    print("Airflow starten (scheduler, dag-processor, triggerer, api-server; metadata in PostgreSQL) …")
    try:
        runs = components.drive(tgt, [last.previous(), last], t0)
    finally:
        if not args.keep_running:
            components.stop()
    failed = [f"{dag_id} {r['dag_run_id']}" for dag_id, rs in runs.items() for r in rs if r["state"] != "success"]
    cli.print_summary(tgt)
    cli.print_publications(tgt, last)
    print(
        f"Airflow UI: {components.ui_url()} (gebruiker {components.ADMIN}, wachtwoord in "
        f"{components.passwords_file()}): elke run met zijn logs."
        + ("" if args.keep_running else " Gestopt; ./mdw demo --keep-running of ./mdw airflow up laat hem draaien.")
    )
    for run in failed:
        print(f"MISLUKT: {run}")
    print(f"Klaar in {time.monotonic() - t0:.0f} s.")
    return 1 if failed else 0


def cmd_sample(args: argparse.Namespace) -> int:
    from mdw_dev.samples import core

    if args.bad:
        from mdw_dev.samples import bad

        cases = bad.generate(Path(args.out))
        print(f"{len(cases)} foute leveringen in {args.out}; verwachte meldingen in verwachte_meldingen.csv")
        return 0
    if args.second_round:
        info = core.generate_second_round(Path(args.out), seed=args.seed, today=args.today)
        print(
            f"tweede leverronde in {args.out}: correctie {info['correctie']} "
            f"({len(info['ingetrokken'])} ingetrokken, {len(info['toegevoegd'])} toegevoegd), "
            f"identieke herlevering {info['identiek']}"
        )
        return 0
    if args.scale == "national":
        from mdw_dev.samples import national

        counts = national.generate(Path(args.out), seed=args.seed, months=args.months)
        print(f"{len(counts)} bestanden, {sum(counts.values())} rijen (landelijke schaal) in {args.out}")
        return 0
    counts = core.generate(Path(args.out), seed=args.seed, today=args.today)
    print(f"{len(counts)} bestanden, {sum(counts.values())} rijen in {args.out}")
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    cmd = [sys.executable, "-m", "pytest", *args.args]
    return subprocess.run(cmd, cwd=config.PROJECT_DIR).returncode


def cmd_benchmark(args: argparse.Namespace) -> int:
    from mdw_dev import benchmark

    if args.airflow:
        return benchmark.airflow_build(repeat=args.repeat)
    return benchmark.main(rows=args.rows)


def cmd_lint_sql(args: argparse.Namespace) -> int:
    """sqlfluff on the dbt models (all, or the given files): the dbt templater compiles against the
    warehouse, as the transformer (pre-commit's ``sqlfluff-lint`` hook)."""
    from monitor_dordt_west.warehouse import dbt

    env = dbt.dbt_env(cli.owner_target(), target_path=config.paths().home / "sqlfluff_target")
    sqlfluff = Path(sys.executable).parent / "sqlfluff"
    cmd = [str(sqlfluff), "lint", *(args.files or ["dbt_project/models"])]
    return subprocess.run(cmd, cwd=config.PROJECT_DIR, env=env).returncode


def register(add) -> None:
    """Add the development commands to ``mdw``'s parser (called by ``monitor_dordt_west.cli``)."""
    p = add("demo", cmd_demo, "main job: embedded PostgreSQL, sample deliveries, the DAGs, the warehouse")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--today", type=date.fromisoformat, default=date.today(), help="generate up to the quarter before")
    p.add_argument("--keep-running", action="store_true", help="leave Airflow running afterwards (./mdw airflow down)")
    p = add("sample", cmd_sample, "write synthetic partner deliveries")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--today", type=date.fromisoformat, default=date.today())
    p.add_argument(
        "--bad", action="store_true", help="write one bad delivery per refusal case, with the expected messages"
    )
    p.add_argument(
        "--scale",
        choices=["dordrecht", "national"],
        default="dordrecht",
        help="national: the same shapes for ~14.000 buurten and 18 million inhabitants (benchmarks)",
    )
    p.add_argument("--months", type=int, default=12, help="with --scale national: how many months of 2023")
    p.add_argument(
        "--second-round",
        action="store_true",
        help="write a correction and an identical re-delivery, to load after the first round",
    )
    p = add("test", cmd_test, "the test suite (pytest)")
    p.add_argument("args", nargs=argparse.REMAINDER)
    p = add("benchmark", cmd_benchmark, "load a generated 5-million-row POL_misdrijven file; compare with bare COPY")
    p.add_argument("--rows", type=int, default=5_000_000)
    p.add_argument(
        "--airflow",
        action="store_true",
        help="instead: build_warehouse through the scheduler against one bare dbt build (on the demo's warehouse)",
    )
    p.add_argument("--repeat", type=int, default=1, help="with --airflow: how many builds of each")
    p = add("lint-sql", cmd_lint_sql, "sqlfluff on the dbt models, compiled against the warehouse (pre-commit)")
    p.add_argument("files", nargs="*", help="model files (default: dbt_project/models)")
