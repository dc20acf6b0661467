"""Write-audit-publish: a dbt build whose test fails leaves the published schemas byte for byte
as they were, says which test failed on which rows, and blocks publication until a build
passes; a delivery loaded after the last published build blocks it too. Real PostgreSQL, real
dbt, on the hand-made deliveries of tests/handmade.py."""

from __future__ import annotations

import json
import uuid

import pytest

from monitor_dordt_west import cli, config
from monitor_dordt_west.orchestration import pipeline
from monitor_dordt_west.publication.publish import publish
from monitor_dordt_west.quarters import Quarter
from monitor_dordt_west.warehouse import builds
from monitor_dordt_west.warehouse.connection import connect
from tests import handmade
from tests.conftest import query
from tests.deliveries import MISDRIJVEN_HEADER, politie

PILLAR = "Leefbaar en veilig"


@pytest.fixture
def analyst_role(fresh_db):
    """A least-privilege reader: usage on marts and select on its tables by default privileges."""
    role = f"analist_{uuid.uuid4().hex[:8]}"
    with connect(fresh_db, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} NOLOGIN")
        conn.execute(f"GRANT {role} TO CURRENT_USER WITH INHERIT TRUE")  # the owner may drop what it owns
    yield role
    with connect(fresh_db, autocommit=True) as conn:
        conn.execute(f"DROP OWNED BY {role}")
        conn.execute(f"DROP ROLE {role}")


@pytest.mark.slow  # builds a warehouse (quick subset: -m 'not slow')
def test_a_failing_test_leaves_the_marts_as_they_were_and_blocks_publish(
    fresh_db, landing, tmp_path, analyst_role, capsys
):
    handmade.write_landing(landing)

    # the first build on an empty warehouse: nothing to rename away
    first = pipeline.run(fresh_db, landing)
    assert first.ok and first.build.published, first.build.message
    with connect(fresh_db) as conn:
        # nothing outside dbt (mdw_meta's views, the raw tables) depends on a dbt relation
        assert builds.external_dependents(conn) == []
    # what a DBA sets up later on the live schemas, and an analyst's own view on a mart
    with connect(fresh_db, autocommit=True) as conn:
        conn.execute(f"GRANT USAGE ON SCHEMA marts TO {analyst_role}")
        conn.execute(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE mdw_transformer IN SCHEMA marts GRANT SELECT ON TABLES TO {analyst_role}"
        )
        conn.execute("COMMENT ON SCHEMA marts IS 'Marts van de Monitor Dordt West (gepubliceerd na alle tests).'")
        conn.execute("CREATE SCHEMA onderzoek")
        conn.execute(
            "CREATE VIEW onderzoek.misdrijven_dw AS SELECT periode_code, waarde FROM marts.fct_indicator_values "
            "WHERE indicator_code = 'pol_misdrijven' AND gebiedscode = 'FG0505DW'"
        )
        # the swap re-links it as the transformer (least privilege: it owns what it re-creates)
        conn.execute("GRANT USAGE, CREATE ON SCHEMA onderzoek TO mdw_transformer")
        conn.execute("ALTER VIEW onderzoek.misdrijven_dw OWNER TO mdw_transformer")
    assert query(fresh_db, "SELECT * FROM onderzoek.misdrijven_dw") == [("2024-Q1", 3)]
    before = handmade.checksums(fresh_db)
    assert len([n for n in before if n.startswith("marts.")]) == 7

    # (a) two corrupted loads: a crime registered twice, a suspect linked to a crime twice
    handmade.corrupt(fresh_db, "raw_politie.misdrijven", "registratienummer = 'PL1700-2024000001'")
    handmade.corrupt(fresh_db, "raw_politie.verdachten", "registratienummer = 'PL1700-2024000002'")
    failed = builds.build(fresh_db, "test")
    assert failed.status == "failed"
    message = failed.message
    assert f"Build {failed.build_id} mislukt: 2 test(s) faalden" in message
    assert "test unique_stg_politie__misdrijven_registratienummer op stg_politie__misdrijven.registratienummer: " in (
        message
    )
    assert "unique_field=PL1700-2024000001, n_records=2" in message
    assert "unique_combination_of_columns_stg_politie__verdachten_registratienummer__verdachtennummer" in message
    # the suspect's pseudonym is hidden, the crime's registration number is not a person
    assert "registratienummer=PL1700-2024000002, verdachtennummer=<verborgen>, n_records=2" in message
    assert "V2" not in message
    assert "Niet uitgevoerd omdat iets eerder faalde:" in message

    # the published schemas are byte for byte (and object for object) as before
    assert handmade.checksums(fresh_db) == before
    assert query(fresh_db, "SELECT * FROM onderzoek.misdrijven_dw") == [("2024-Q1", 3)]
    assert query(
        fresh_db, "SELECT status, failure FROM mdw_meta.warehouse_build WHERE build_id = %s", (failed.build_id,)
    ) == [("failed", message)]
    # the build schemas stay for inspection until the next build
    assert query(fresh_db, "SELECT count(*) FROM staging__build.stg_politie__misdrijven") == [(7,)]

    with pytest.raises(builds.NotPublishable) as refused:
        publish(fresh_db, Quarter.parse("2024-Q1"), [PILLAR], out_root=tmp_path)
    assert str(refused.value).startswith("Publiceren geweigerd: de laatste build is mislukt")
    assert "unique_field=PL1700-2024000001, n_records=2" in str(refused.value)
    assert query(fresh_db, "SELECT count(*) FROM mdw_meta.publicatie") == [(0,)]  # nothing was published
    assert cli.main(["publish", "--quarter", "2024-Q1", "--pillar", PILLAR]) == 1
    assert "Publiceren geweigerd: de laatste build is mislukt" in capsys.readouterr().err

    # (b) the data fixed, built again: swapped in, the same content in new objects
    handmade.repair(fresh_db, "raw_politie.misdrijven")
    handmade.repair(fresh_db, "raw_politie.verdachten")
    fixed = builds.build(fresh_db, "test")
    assert fixed.published, fixed.message
    after = handmade.checksums(fresh_db)
    assert set(after) == set(before)
    assert [n for n in before if after[n][1] != before[n][1]] == [], "same deliveries, same content"
    assert all(after[n][0] != before[n][0] for n in before), "every relation is the new build's"
    assert (
        query(
            fresh_db,
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE '%%\\_\\_build' OR nspname LIKE '%%\\_\\_old'",
        )
        == []
    )
    # privileges, default privileges and comment of the live schema carried over; the analyst's
    # view reads the new mart
    assert query(
        fresh_db,
        "SELECT has_schema_privilege(%s, 'marts', 'USAGE'), has_table_privilege(%s, "
        "'marts.fct_indicator_values', 'SELECT'), obj_description('marts'::regnamespace, 'pg_namespace')",
        (analyst_role, analyst_role),
    ) == [(True, True, "Marts van de Monitor Dordt West (gepubliceerd na alle tests).")]
    assert query(fresh_db, "SELECT * FROM onderzoek.misdrijven_dw") == [("2024-Q1", 3)]
    # dbt's own views were renamed with their schemas: bound by oid, they read the live relations
    assert query(fresh_db, "SELECT count(*) FROM staging.stg_politie__misdrijven") == [(6,)]
    assert query(fresh_db, "SELECT count(*) FROM staging.stg_cbs__buurten") == [(132,)]
    assert (
        "reference.cbs_buurten_dordrecht" in query(fresh_db, "SELECT pg_get_viewdef('staging.stg_cbs__buurten')")[0][0]
    )
    assert query(
        fresh_db,
        "SELECT count(*) FROM pg_views WHERE schemaname = ANY(%s) AND definition LIKE '%%\\_\\_build%%'",
        (list(handmade.DBT_SCHEMAS),),
    ) == [(0,)]
    with connect(fresh_db) as conn:
        assert [(d, on) for _, _, d, on in builds.external_dependents(conn)] == [
            ("onderzoek.misdrijven_dw", "marts.fct_indicator_values")
        ]
    (published,) = publish(fresh_db, Quarter.parse("2024-Q1"), [PILLAR], out_root=tmp_path)
    assert published.version == 1

    # (c) a delivery loaded after the last published build blocks publication until a build
    politie(landing, "POL_misdrijven_202404.csv", MISDRIJVEN_HEADER, [["PL1700-2024000401", "02-04-2024", "", "C40", "Vernieling", "BU05050100"]])  # fmt: skip
    loaded = pipeline.run(fresh_db, landing, build=False)
    (new,) = loaded.outcomes
    with pytest.raises(builds.NotPublishable) as stale:
        publish(fresh_db, Quarter.parse("2024-Q1"), [PILLAR], out_root=tmp_path)
    assert str(stale.value).startswith(
        f"Publiceren geweigerd: de marts zijn ouder dan de nieuwste levering. Levering {new.delivery_id} "
        "(POL_misdrijven_202404.csv, geladen "
    )
    assert f"build {fixed.build_id}" in str(stale.value)
    assert cli.main(["build"]) == 0
    assert builds.check_publishable(fresh_db).build_id == fixed.build_id + 1
    assert query(
        fresh_db, "SELECT status, split_part(started_by, ' (', 1) FROM mdw_meta.warehouse_build ORDER BY build_id"
    ) == [("published", "mdw run"), ("failed", "test"), ("published", "test"), ("published", "mdw build")]


def test_dbt_schemas_are_all_the_project_writes(dbt_manifest):
    manifest = json.loads(dbt_manifest.read_text())
    schemas = {n["schema"] for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed", "snapshot")}
    # `mdw manifest` parses as the build runs (into the build schemas: dbt.build_manifest)
    assert all(s.endswith(config.DBT_BUILD_SUFFIX) for s in schemas), schemas
    live = {s.removesuffix(config.DBT_BUILD_SUFFIX) for s in schemas}
    assert live == set(builds.DBT_SCHEMAS) == set(handmade.DBT_SCHEMAS)


def test_one_build_at_a_time_and_only_the_latest_is_swapped_in(fresh_db):
    """The register and the locks without dbt: the swap of (empty) build schemas."""
    from monitor_dordt_west.ingestion import raw_tables

    raw_tables.ensure_schema(fresh_db)
    a = builds.start(fresh_db, "a")
    b = builds.start(fresh_db, "b")  # a never finished: superseded
    superseded = builds.get_build(fresh_db, a)
    assert superseded.status == "failed" and f"vervangen door build {b}" in superseded.failure
    with pytest.raises(builds.BuildRefused, match="staat op failed"):
        builds.publish_build(fresh_db, a)
    with pytest.raises(builds.NotPublishable, match="nog niet gebouwd en getest"):
        builds.check_publishable(fresh_db)
    builds.publish_build(fresh_db, b)  # the first swap: nothing to rename away
    assert query(
        fresh_db, "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s) ORDER BY 1", (list(handmade.DBT_SCHEMAS),)
    ) == sorted((s,) for s in handmade.DBT_SCHEMAS)
    assert builds.check_publishable(fresh_db).build_id == b

    # an Airflow build is running: a build from the command line waits for it
    c = builds.start(fresh_db, "airflow build_warehouse manual__1", airflow_run_id="manual__1")
    refused = builds.build(fresh_db, "mdw build")
    assert refused.status == "refused" and refused.message.startswith("Er loopt al een build in Airflow: build ")
    assert builds.check_publishable(fresh_db).build_id == b  # the published schemas are still b's
    with connect(fresh_db) as conn:  # the run died: after six hours it no longer counts as running
        conn.execute(
            "UPDATE mdw_meta.warehouse_build SET started_at = started_at - interval '7 hours' WHERE build_id = %s", (c,)
        )
        conn.commit()
    with pytest.raises(builds.NotPublishable, match="meer dan 6 uur op 'running'"):
        builds.check_publishable(fresh_db)

    # a build from the command line holds its lock for the whole build: Airflow's build refuses
    with builds.build_lock(fresh_db) as held:
        assert held
        with pytest.raises(builds.BuildRefused, match="Er loopt al een build buiten Airflow"):
            builds.start(fresh_db, "airflow build_warehouse manual__2", airflow_run_id="manual__2")
        assert builds.build(fresh_db, "mdw run").status == "refused"
    assert [s for _, s in query(fresh_db, "SELECT build_id, status FROM mdw_meta.warehouse_build ORDER BY 1")] == [
        "failed",
        "published",
        "running",
    ]
