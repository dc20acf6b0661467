"""Benchmark (not a test): a generated 5-million-row POL_misdrijven file through the full
ingestion path (checks, COPY, GX, swap, ledger, archive) and the same file with a bare COPY.

Runs against the configured warehouse in a scratch database ``mdw_benchmark`` (dropped after).
Prints rows/s of both, the ratio and the peak memory of this process.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from mdw_dev.samples.base import CRIME_MIX, buurten, dmy
from monitor_dordt_west.ingestion import file_checks, load, raw_tables, registry
from monitor_dordt_west.warehouse import connection


def write_misdrijven(path: Path, rows: int, year: int = 2024, month: int = 1, seed: int = 1) -> None:
    """Stream a valid POL_misdrijven file of ``rows`` rows (Windows-1252, ';', CRLF)."""
    rng = random.Random(seed)
    codes = [(c, label) for c, label, _ in CRIME_MIX]
    areas = [b.code for b in buurten()] + [""]
    days = [dmy(date(year, month, 1) + timedelta(days=d)) for d in range(31)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="cp1252", newline="") as fh:
        fh.write("Registratienummer;Registratiedatum;Pleegdatum;Maatschappelijke klasse;Omschrijving;Buurtcode\r\n")
        batch = []
        for i in range(rows):
            code, label = codes[rng.randrange(len(codes))]
            day = days[rng.randrange(31)]
            batch.append(f"PL1700-{year}{i:08d};{day};{day};{code};{label};{areas[rng.randrange(len(areas))]}\r\n")
            if len(batch) == 100_000:
                fh.write("".join(batch))
                batch.clear()
        fh.write("".join(batch))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_copy(tgt: connection.PgTarget, path: Path) -> int:
    """What a loader without checks would do: COPY straight into a typed table."""
    with connection.connect(tgt) as conn:
        conn.execute("SET datestyle = 'ISO, DMY'")
        conn.execute(
            "CREATE TABLE bare_misdrijven (registratienummer text, registratiedatum date, pleegdatum date, "
            "maatschappelijke_klasse text, omschrijving text, buurtcode text)"
        )
        with conn.cursor() as cur:
            with (
                cur.copy(
                    "COPY bare_misdrijven FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ';', ENCODING 'WIN1252')"
                ) as copy,
                path.open("rb") as fh,
            ):
                while chunk := fh.read(file_checks.CHUNK):
                    copy.write(chunk)
            rows = cur.rowcount
        conn.commit()
        return rows


def time_national_sample(months: int = 12) -> None:
    """Generate the national-scale sample set into a scratch folder and report time and memory."""
    from mdw_dev.samples import national

    work = Path(tempfile.mkdtemp(prefix="mdw_national_"))
    try:
        t = time.perf_counter()
        counts = national.generate(work, months=months)
        seconds = time.perf_counter() - t
        size = sum(p.stat().st_size for p in work.rglob("*") if p.is_file()) / 1e6
        rows = sum(counts.values())
        print(
            f"national sample set ({months} months of 2023): {len(counts)} files, {rows:,} rows, {size:,.0f} MB "
            f"in {seconds:.1f} s = {rows / seconds:,.0f} rows/s; peak RSS so far {peak_rss_mb():.0f} MB"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(rows: int = 5_000_000, national_months: int = 12) -> int:
    from monitor_dordt_west.ingestion.validation import GxValidator

    time_national_sample(national_months)

    base = connection.target()
    tgt = base.with_dbname("mdw_benchmark")
    connection.drop_database(tgt)
    connection.ensure_database(tgt)
    work = Path(tempfile.mkdtemp(prefix="mdw_bench_"))
    home = os.environ.get("MDW_HOME")
    os.environ["MDW_HOME"] = str(work / "home")  # archive/quarantine of the benchmark stay in its scratch folder
    try:
        landing = work / "landing"
        source = work / "POL_misdrijven_202401.csv"
        t = time.perf_counter()
        write_misdrijven(source, rows)
        size_mb = source.stat().st_size / 1e6
        print(f"generated {rows:,} rows ({size_mb:.0f} MB) in {time.perf_counter() - t:.1f} s")

        t = time.perf_counter()
        n_bare = bare_copy(tgt, source)
        bare_s = time.perf_counter() - t

        raw_tables.ensure_schema(tgt)
        validator = GxValidator(tgt)  # imported and set up once per task in production too
        rss_before = peak_rss_mb()
        (landing / "politie").mkdir(parents=True)
        shutil.copy(source, landing / "politie" / source.name)
        t = time.perf_counter()
        ds, _ = registry.identify("politie", source.name)
        outcome = load.ingest_file(landing / "politie" / source.name, "politie", tgt, validator)
        full_s = time.perf_counter() - t
        assert outcome.status == "loaded" and outcome.rows == rows == n_bare, outcome
        print(f"bare COPY:      {n_bare:>10,} rows in {bare_s:6.1f} s = {n_bare / bare_s:>10,.0f} rows/s")
        print(
            f"full ingestion: {rows:>10,} rows in {full_s:6.1f} s = {rows / full_s:>10,.0f} rows/s "
            f"({ds.id}: checks, COPY, GX suite, swap, ledger, archive)"
        )
        print(f"ratio full / bare: {bare_s / full_s:.0%}")
        print("full ingestion by stage (s): " + ", ".join(f"{k} {v:.1f}" for k, v in outcome.timings.items()))
        print(
            f"peak RSS of this process: {peak_rss_mb():.0f} MB (before loading, with GX imported: "
            f"{rss_before:.0f} MB; file {size_mb:.0f} MB)"
        )
    finally:
        if home is None:
            os.environ.pop("MDW_HOME", None)
        else:
            os.environ["MDW_HOME"] = home
        shutil.rmtree(work, ignore_errors=True)
        connection.drop_database(tgt)
    return 0


def _wait_until_idle(api, timeout_s: float = 900) -> None:
    """Until every component reports healthy (the scheduler heartbeats once it has preloaded the
    tasks' modules, the triggerer once it has built its execution API: ~20 s of CPU each after a
    start), no schedule is due and no run is underway (a first start of the scheduler runs the
    daily ingestion DAGs for their latest interval, and the build would wait for those): the
    build is timed alone, as a build runs in a deployment that is up."""
    import json
    import urllib.request

    from monitor_dordt_west.orchestration import components

    def unhealthy() -> list[str]:
        with urllib.request.urlopen(f"{components.ui_url()}/api/v2/monitor/health", timeout=10) as r:
            health = json.load(r)
        return [name for name, part in health.items() if (part or {}).get("status") != "healthy"]

    dag_ids = [d["dag_id"] for d in api.dags()]
    deadline = time.monotonic() + timeout_s
    while (
        unhealthy()
        or [d for d in dag_ids if components.schedule_due(api, d)]
        or [d for d in dag_ids for r in api.runs(d) if r["state"] not in components.TERMINAL]
    ):
        if time.monotonic() > deadline:
            raise TimeoutError(f"Airflow na {timeout_s:.0f} s nog bezig")
        time.sleep(2)


def airflow_build(repeat: int = 1) -> int:
    """``build_warehouse`` through Airflow's scheduler against one ``dbt build`` of the same project on
    the same data, in one run, on the configured warehouse (after ``./mdw demo``: the sample set).

    Bare: ``builds.build`` (what ``./mdw build`` runs: one ``dbt build`` into the build schemas and
    the swap). Airflow: the components started and idle (not timed), a manual run of ``build_warehouse``
    (a manual run always builds), timed from its start to its end as the metadata database has
    them, and from the trigger to the end as an operator waits."""
    from datetime import datetime

    from monitor_dordt_west import cli
    from monitor_dordt_west.orchestration import components
    from monitor_dordt_west.warehouse import builds, dbt

    tgt = cli.owner_target()
    dbt.build_manifest()
    bare = []
    for _ in range(repeat):
        result = builds.build(tgt, "benchmark (bare)")
        assert result.published, result.message
        bare.append(result.seconds)
    components.start(tgt)
    try:
        api = components.Api.login()
        _wait_until_idle(api)
        through = []
        for _ in range(repeat):
            t = time.monotonic()
            run_id = api.trigger("build_warehouse")["dag_run_id"]
            while (run := api.call("GET", f"dags/build_warehouse/dagRuns/{run_id}"))[
                "state"
            ] not in components.TERMINAL:
                time.sleep(1)
            waited = time.monotonic() - t
            assert run["state"] == "success", run
            span = datetime.fromisoformat(run["end_date"]) - datetime.fromisoformat(run["start_date"])
            through.append((span.total_seconds(), waited))
            tis = api.task_instances("build_warehouse", run_id)
            producer = next(ti for ti in tis if ti["task_id"] == "dbt.dbt_producer_watcher")
            print(
                f"build_warehouse through the scheduler: run {span.total_seconds():.0f} s "
                f"(trigger to end {waited:.0f} s; the one dbt build {producer['duration']:.0f} s; {len(tis)} tasks)"
            )
    finally:
        components.stop()
    best_bare = min(bare)
    best_run = min(s for s, _ in through)
    print(f"bare (./mdw build: one dbt build + swap): {', '.join(f'{s:.0f} s' for s in bare)}")
    print(f"ratio build_warehouse / bare: {best_run / best_bare:.2f} (goal <= 1.3)")
    return 0
