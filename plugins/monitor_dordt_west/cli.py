"""``mdw``: the project's command line (the ``./mdw`` wrapper installs the locked environment first)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import date
from pathlib import Path

from monitor_dordt_west import REPORTED, config


def owner_target():
    """The warehouse as its owner, migrated: the operator's commands run the owner's migration first
    (idempotent: roles, registers, grants), then each component connects as its own role."""
    from monitor_dordt_west import migration
    from monitor_dordt_west.warehouse import connection

    tgt = connection.target()
    migration.migrate(tgt)
    return tgt


def analyst_connection(tgt) -> str:
    """How an analyst connects (the least-privileged role), without printing a password."""
    from monitor_dordt_west.warehouse import connection, credentials

    analyst = connection.as_role(tgt, credentials.ANALYST)
    where = (
        f'PGPASSWORD="${credentials.env_var(credentials.ANALYST)}"'
        if os.environ.get(credentials.env_var(credentials.ANALYST))
        else f'PGPASSWORD="$(cat {credentials.secrets_dir() / "pg_analyst.password"})"'
    )
    without_password = connection.PgTarget(analyst.host, analyst.port, analyst.user, "", analyst.dbname)
    return f"{where} psql '{without_password.uri()}'"


def print_publications(tgt, quarter) -> None:
    from monitor_dordt_west.warehouse.connection import connect

    with connect(tgt) as conn:
        rows = conn.execute(
            "SELECT pijler, versie, aangemaakt_op, cellen, onderdrukt, (SELECT bestandsnaam FROM "
            "mdw_meta.publicatie_bestand b WHERE b.publicatie_id = p.publicatie_id AND formaat = 'xlsx') "
            "FROM mdw_meta.publicatie p WHERE kwartaal = %s AND versie = (SELECT max(versie) FROM "
            "mdw_meta.publicatie q WHERE q.kwartaal = p.kwartaal AND q.pijler = p.pijler) ORDER BY pijler",
            (quarter.code,),
        ).fetchall()
    folder = config.paths().publications / quarter.code
    print(f"\nPublicaties {quarter.code} voor de stuurgroepen ({folder}):")
    for pillar, version, created, cells, suppressed, xlsx in rows:
        print(f"  {pillar:36} versie {version} ({created:%d-%m-%Y %H:%M}) {cells} cellen, {suppressed} x  {xlsx}")


def print_summary(tgt) -> None:
    from monitor_dordt_west import programme
    from monitor_dordt_west.warehouse.connection import connect

    with connect(tgt) as conn:
        print("\nLeveringen (mdw_meta.deliveries):")
        for partner, status, n in conn.execute(
            "SELECT partner, status, count(*) FROM mdw_meta.load_ledger GROUP BY 1, 2 ORDER BY 1, 2"
        ):
            print(f"  {partner:<8} {status:<12} {n}")
        exists = conn.execute("SELECT to_regclass('marts.fct_indicator_values')").fetchone()[0]
        if exists:
            n = conn.execute("SELECT count(*) FROM marts.fct_indicator_values").fetchone()[0]
            last = conn.execute(
                "SELECT max(f.periode_code) FROM marts.fct_indicator_values AS f JOIN marts.dim_period AS p "
                "USING (periode_code) WHERE p.periodetype = 'voortschrijdend jaar'"
            ).fetchone()[0]
            print(
                f"\nmarts.fct_indicator_values: {n} rijen (indicator × gebied × periode); "
                f"laatste voortschrijdend jaar {last} (vier kwartalen t/m {(last or '')[:7]})."
            )
            params = {"municipality": programme.MUNICIPALITY, "focus_area": programme.FOCUS_AREA, "period": last}
            rows = conn.execute(SUMMARY_SQL, params).fetchall()
            print(f"\n  {'indicator (' + last + ')':<78} {'Dordrecht':>10} {'Dordt West':>11}")
            for name, gm, dw in rows:
                print(f"  {name[:78]:<78} {_num(gm):>10} {_num(dw):>11}")
    print(
        "\nHet warehouse bevragen als analist (rol mdw_analyst: marts, reference en het publicatieregister; "
        f"niets op persoonsniveau):\n  {analyst_connection(tgt)}\n"
        "  select * from marts.fct_indicator_values join marts.dim_area using (gebiedscode) limit 10;"
    )


SUMMARY_SQL = """
SELECT i.naam,
       max(f.waarde) FILTER (WHERE f.gebiedscode = %(municipality)s),
       max(f.waarde) FILTER (WHERE f.gebiedscode = %(focus_area)s)
FROM marts.fct_indicator_values AS f JOIN marts.dim_indicator AS i USING (indicator_code)
WHERE f.periode_code = %(period)s GROUP BY 1 ORDER BY 1
"""


def _num(value) -> str:
    return "-" if value is None else f"{value:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")


def cmd_run(args: argparse.Namespace) -> int:
    from monitor_dordt_west.orchestration import pipeline

    tgt = owner_target()
    result = pipeline.run(tgt, Path(args.landing), build=not args.no_build)
    for o in result.outcomes:
        print(f"{o.status:<12} {o.message.splitlines()[0]}")
    for message in result.not_processed:
        print(f"{'niet verwerkt':<12} {message}")
    for r in result.rejected:
        print("\n" + r.message, file=sys.stderr)
    if result.build is not None:
        print("\n" + result.build.message, file=sys.stderr if not result.build.published else sys.stdout)
    return 0 if result.ok else 1


def cmd_build(_: argparse.Namespace) -> int:
    """Write-audit-publish: build and test into the build schemas, swap into place if all passed."""
    from monitor_dordt_west.ingestion import raw_tables
    from monitor_dordt_west.warehouse import builds

    tgt = owner_target()
    raw_tables.ensure_schema(tgt)
    result = builds.build(tgt, builds.who("mdw build"))
    print(result.message, file=sys.stdout if result.published else sys.stderr)
    print(f"({result.seconds:.0f} s)")
    return 0 if result.published else 1


def cmd_builds(_: argparse.Namespace) -> int:
    from monitor_dordt_west.warehouse import builds

    for b in builds.recent_builds(owner_target()):
        first = (b.failure or "").split("\n", 1)[0]
        print(
            f"{b.build_id:>5} {b.status:<9} {b.started_at.astimezone(builds.TZ):%Y-%m-%d %H:%M:%S} "
            f"{'' if b.finished_at is None else f'{(b.finished_at - b.started_at).total_seconds():5.0f} s'} "
            f"levering t/m {b.max_delivery_id or '-'}  {b.started_by}" + (f"\n      {first}" if first else "")
        )
    return 0


def cmd_manifest(_: argparse.Namespace) -> int:
    from monitor_dordt_west.warehouse import dbt

    print(dbt.build_manifest())
    return 0


def cmd_expectations(args: argparse.Namespace) -> int:
    from monitor_dordt_west.ingestion import expectations, registry

    if args.check:
        stale = [
            d.suite_path.name
            for d in registry.DATASETS
            if not d.suite_path.exists() or d.suite_path.read_text(encoding="utf-8") != expectations.suite_json(d)
        ]
        if stale:
            print("verouderd: " + ", ".join(stale) + " (draai `mdw expectations`)", file=sys.stderr)
            return 1
        return 0
    for p in expectations.write_suites():
        print(p)
    return 0


# dbt commands that only read or describe: they see the live schemas. Every other command (build,
# run, seed, test, snapshot, run-operation, retry, clone, ...) works on the build schemas
# (<schema>__build), never on what analysts and publications read; `mdw build` swaps them in.
DBT_LIVE_COMMANDS = {"docs", "source", "ls", "list", "parse", "compile", "show", "debug", "deps", "clean", "init"}


def dbt_schema_suffix(args: list[str]) -> str | None:
    """The schema suffix for ``mdw dbt ARGS``: none for the read-only commands, ``__build`` for
    the others; ``None`` (leave as set) when MDW_DBT_SCHEMA_SUFFIX is set already."""
    if os.environ.get(config.DBT_SCHEMA_SUFFIX_VAR) is not None:
        return None
    command = next((a for a in args if not a.startswith("-")), None)
    return "" if command is None or command in DBT_LIVE_COMMANDS else config.DBT_BUILD_SUFFIX


def cmd_dbt(args: argparse.Namespace) -> int:
    from monitor_dordt_west.warehouse import builds, dbt

    tgt = owner_target()
    suffix = dbt_schema_suffix(args.args)
    if suffix != config.DBT_BUILD_SUFFIX:
        return dbt.run_dbt(args.args, tgt, check=False, schema_suffix=suffix).returncode
    print(
        f"mdw dbt: dbt werkt op de build-schema's (<schema>{suffix}), niet op wat analisten en publicaties lezen; "
        "een selectie heeft daar haar bovenliggende modellen nodig (./mdw dbt build bouwt alles); ./mdw build bouwt, "
        "test en zet in gebruik.",
        file=sys.stderr,
    )
    with builds.build_lock(tgt) as held:
        if not held:
            print("Er loopt een build (./mdw build of ./mdw run); wacht tot die klaar is.", file=sys.stderr)
            return 1
        return dbt.run_dbt(args.args, tgt, check=False, schema_suffix=suffix).returncode


def cmd_docs(_: argparse.Namespace) -> int:
    from monitor_dordt_west.warehouse import dbt

    rc = dbt.run_dbt(["docs", "generate"], owner_target(), check=False, schema_suffix="").returncode  # the live schemas
    print(f"dbt docs: {config.paths().dbt_target / 'index.html'} (serve with `mdw dbt docs serve`)")
    return rc


AIRFLOW_OWN = {
    "up": "start scheduler, dag-processor, triggerer and api-server in the background",
    "down": "stop them",
    "standalone": "start them and follow until Ctrl-C (instead of Airflow's standalone: every listener on 127.0.0.1)",
}


def cmd_airflow(args: argparse.Namespace) -> int:
    """The airflow CLI against the project's metadata database (PostgreSQL), or ``up`` / ``down`` /
    ``standalone``: the components as production runs them (``orchestration.components``)."""
    import subprocess
    import time

    from monitor_dordt_west.orchestration import airflow_env, components

    if args.args[:1] == ["down"]:
        stopped = components.stop()
        print(f"Airflow gestopt: {', '.join(stopped) or 'draaide niet'}")
        return 0
    tgt = owner_target()
    if args.args[:1] in (["up"], ["standalone"]):
        components.start(tgt)
        print(
            f"Airflow draait: {components.ui_url()} (gebruiker {components.ADMIN}, wachtwoord in "
            f"{components.passwords_file()}); logs in {config.paths().home / 'logs' / 'airflow'}; "
            "stoppen: ./mdw airflow down"
        )
        if args.args[0] == "up":
            return 0
        try:
            while set(components.running()) == set(components.COMPONENTS):
                time.sleep(2)
            print(f"gestopt: {', '.join(sorted(set(components.COMPONENTS) - set(components.running())))}")
            return 1
        except KeyboardInterrupt:
            return 0
        finally:
            components.stop()
    environment = components.env(tgt)
    components.migrate(tgt, environment)
    airflow_env.private_home()
    return subprocess.run(
        [airflow_env.airflow_bin(), *args.args], env=environment, cwd=config.PROJECT_DIR, umask=airflow_env.UMASK
    ).returncode


def cmd_warehouse(args: argparse.Namespace) -> int:
    from monitor_dordt_west.warehouse import connection

    if args.action == "stop":
        connection.EmbeddedPostgres(config.paths().pgdata, config.embedded_port()).stop()
        return 0
    tgt = owner_target()
    if args.role == "analyst":
        print(analyst_connection(tgt))
    else:
        print(connection.as_role(tgt, args.role).display_uri)
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    from monitor_dordt_west.warehouse import connection, credentials

    tgt = owner_target()
    print(f"warehouse {tgt.display_uri} gemigreerd; rollen:")
    for role in credentials.COMPONENT_ROLES:
        source = (
            credentials.env_var(role)
            if os.environ.get(credentials.env_var(role))
            else str(credentials.secrets_dir() / f"pg_{role}.password")
        )
        print(f"  {connection.as_role(tgt, role).user:<16} wachtwoord: {source}")
    print(f"\nAnalist:\n  {analyst_connection(tgt)}")
    return 0


def cmd_status(_: argparse.Namespace) -> int:
    from monitor_dordt_west.warehouse import builds
    from monitor_dordt_west.warehouse.connection import connect

    tgt = owner_target()
    for b in builds.recent_builds(tgt, limit=1):
        print(f"laatste build: {b.label}: {b.status}" + (f" — {b.failure.splitlines()[0]}" if b.failure else ""))
    with connect(tgt) as conn:
        for row in conn.execute(
            "SELECT delivery_id, partner, period, file_name, status, rows_loaded, "
            "left(split_part(reason, E'\\n', 2), 120) FROM mdw_meta.deliveries LIMIT 50"
        ):
            print(" | ".join("" if v is None else str(v) for v in row))
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    """Release a held delivery (``status = 'held'``): it is loaded by the next run."""
    import getpass

    from monitor_dordt_west.ingestion import load

    try:
        dest = load.release(owner_target(), args.delivery_id, by=getpass.getuser())
    except ValueError as exc:
        print(f"mdw release: {exc}", file=sys.stderr)
        return 2
    print(f"Levering {args.delivery_id} vrijgegeven; {dest} wordt bij de volgende run geladen.")
    return 0


def cmd_rotate_pseudonym_key(args: argparse.Namespace) -> int:
    """Rotate the pseudonym key: every stored pseudonym rewritten under a new key in the chain."""
    from monitor_dordt_west.ingestion import key_rotation, pseudonym, raw_tables
    from monitor_dordt_west.warehouse import builds

    if not args.yes:
        print(key_rotation.PROCEDURE)
        print("\nNothing done: run again with --yes once the ingest DAGs are paused.", file=sys.stderr)
        return 1
    new_key = None
    if args.new_key_file:
        try:
            keys = pseudonym.parse_chain(Path(args.new_key_file).read_text(encoding="ascii"), "--new-key-file")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"mdw rotate-pseudonym-key: --new-key-file cannot be read ({type(exc).__name__})", file=sys.stderr)
            return 2
        except pseudonym.PseudonymKeyError as exc:
            print(f"mdw rotate-pseudonym-key: {exc}", file=sys.stderr)
            return 2
        if len(keys) != 1:
            print("mdw rotate-pseudonym-key: --new-key-file must hold exactly one key", file=sys.stderr)
            return 2
        new_key = keys[0]
    try:
        tgt = owner_target()
        raw_tables.ensure_schema(tgt)
        result = key_rotation.rotate(
            tgt,
            by=builds.who("mdw rotate-pseudonym-key"),
            new_key=new_key,
            chain_out=Path(args.chain_out) if args.chain_out else None,
        )
    except (key_rotation.RotationRefused, pseudonym.PseudonymKeyError) as exc:
        print(f"mdw rotate-pseudonym-key: {exc}", file=sys.stderr)
        return 1
    print(key_rotation.report(result))
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """Publish (or reproduce) a quarter's stuurgroep publications, without Airflow (same code)."""
    from monitor_dordt_west.publication.content import pillar_of
    from monitor_dordt_west.publication.publish import publish
    from monitor_dordt_west.quarters import Quarter
    from monitor_dordt_west.warehouse import builds

    quarter = Quarter.parse(args.quarter) if args.quarter else Quarter.last_complete(date.today())
    pillars = [pillar_of(p) for p in args.pillar] if args.pillar else None
    try:
        results = publish(owner_target(), quarter, pillars, created_by="mdw publish")
    except builds.NotPublishable as exc:
        print(exc, file=sys.stderr)
        return 1
    for r in results:
        print(f"{r.quarter} {r.pillar}: versie {r.version} ({r.status}), {r.cells} cellen, {r.suppressed} x")
        for fmt, path in r.files.items():
            print(f"    {fmt:8} {r.file_checksums[fmt][:16]}  {path}")
    return 0


def cmd_publications(_: argparse.Namespace) -> int:
    from monitor_dordt_west.warehouse.connection import connect

    with connect(owner_target()) as conn:
        rows = conn.execute(
            "SELECT kwartaal, pijler, versie, aangemaakt_op, cellen, onderdrukt, gewijzigde_cellen, inhoud_sha256 "
            "FROM mdw_meta.publicaties"
        ).fetchall()
    for r in rows:
        print(
            f"{r[0]} v{r[2]} {r[1]:36} {r[3]:%Y-%m-%d %H:%M} cellen {r[4]:5} x {r[5]:3} gewijzigd {r[6]:3} {r[7][:16]}"
        )
    return 0


PASS_THROUGH = ("test", "dbt", "airflow")


COMMANDS_GROUP = "monitor_dordt_west.commands"


def _more_commands():
    """Commands other packages add to ``mdw`` (entry points of group ``monitor_dordt_west.commands``):
    the dev package's ``demo``, ``sample``, ``test``, ``benchmark`` and ``lint-sql``. The Airflow image
    does not ship that package, so its entry point does not load there and the commands are not
    offered; the runtime package never imports it."""
    from importlib.metadata import entry_points

    for point in entry_points(group=COMMANDS_GROUP):
        try:
            yield point.load()
        except ModuleNotFoundError:
            continue


def dispatch(parser: argparse.ArgumentParser, argv: list[str]) -> int:
    if argv and argv[0] in PASS_THROUGH:
        # everything after the command goes to pytest/dbt/airflow as is, options included
        # (argparse's REMAINDER refuses a first argument that looks like an option)
        args = parser.parse_args(argv[:1])
        args.args = argv[1:]
    else:
        args = parser.parse_args(argv)
    return args.func(args)


def not_reported(record: logging.LogRecord) -> bool:
    """The commands print the results they get (outcomes, refusals, a build's message): a log record
    of the same message (``extra=REPORTED``) would say it twice."""
    return not any(getattr(record, key, False) for key in REPORTED)


def configure_logging() -> None:
    """Warnings and errors on stderr (``MDW_LOG_LEVEL`` for more), each line once. Left alone when
    logging is configured already (pytest, a program that calls ``main``)."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(not_reported)
    root.addHandler(handler)
    root.setLevel(os.environ.get("MDW_LOG_LEVEL", "WARNING"))


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    parser = argparse.ArgumentParser(prog="mdw", description="Monitor Dordt West data platform")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    p = add("run", cmd_run, "the whole pipeline on a landing folder, without Airflow (same code)")
    p.add_argument("--landing", default=str(config.paths().landing))
    p.add_argument("--no-build", action="store_true", help="only load the deliveries, no dbt build")
    add("manifest", cmd_manifest, "dbt parse into dbt_project/target (the manifest cosmos renders)")
    p = add("expectations", cmd_expectations, "write the GX suites in expectations/ from the registry")
    p.add_argument("--check", action="store_true", help="only check that they are up to date")
    add("build", cmd_build, "build and test the warehouse (dbt) beside the live one; swap it in if every test passed")
    add("builds", cmd_builds, "the build register: the latest builds, published or failed and why")
    p = add(
        "dbt",
        cmd_dbt,
        "run dbt against the warehouse (build, run, seed, test: on the build schemas; docs, ls, source: live)",
    )
    p.add_argument("args", nargs=argparse.REMAINDER)
    add("docs", cmd_docs, "generate the dbt docs site")
    p = add("airflow", cmd_airflow, "run the airflow CLI in the project's environment")
    p.add_argument("args", nargs=argparse.REMAINDER)
    p = add("warehouse", cmd_warehouse, "start (and print) or stop the warehouse")
    p.add_argument("action", choices=["start", "uri", "stop"])
    p.add_argument(
        "--role",
        default="owner",
        choices=["owner", "loader", "transformer", "publisher", "analyst"],
        help="whose connection to print (analyst: with how to get the password)",
    )
    add("migrate", cmd_migrate, "create or update the roles, registers and grants (as the owner; idempotent)")
    add("status", cmd_status, "the latest deliveries and their status")
    p = add("release", cmd_release, "release a delivery held back for review (status held): the next run loads it")
    p.add_argument("delivery_id", type=int)
    p = add(
        "rotate-pseudonym-key",
        cmd_rotate_pseudonym_key,
        "rotate the pseudonym key: rewrite every stored pseudonym (raw tables, archive) under a new key in the chain",
    )
    p.add_argument("--yes", action="store_true", help="the ingest DAGs are paused: rotate now")
    p.add_argument("--new-key-file", help="the new key (64 hex characters) instead of a generated one")
    p.add_argument(
        "--chain-out",
        help="where to write the new chain when the key comes from MDW_PSEUDONYM_KEY or Airflow "
        "(default $MDW_HOME/secrets/pseudonym-key-chain.new)",
    )
    p = add("publish", cmd_publish, "the quarterly publications for the stuurgroepen (Excel, PDF, CSV, Parquet)")
    p.add_argument("--quarter", help="JJJJ-Qn; default the last complete quarter")
    p.add_argument("--pillar", action="append", help="a pillar (slug or name); default all five")
    add("publications", cmd_publications, "the publication register: every quarter, pillar and version")
    for register in _more_commands():
        register(add)
    return dispatch(parser, sys.argv[1:] if argv is None else list(argv))


if __name__ == "__main__":
    sys.exit(main())
