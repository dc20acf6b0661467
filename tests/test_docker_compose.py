"""docker-compose.yml is valid against the Compose-spec schema (no Docker engine runs here)."""

from __future__ import annotations

import json

import jsonschema
import yaml

from monitor_dordt_west import config

SCHEMA = config.PROJECT_DIR / "tests" / "schemas" / "compose-spec.schema.json"


def load_compose() -> dict:
    return yaml.safe_load((config.PROJECT_DIR / "docker-compose.yml").read_text())


def test_compose_file_matches_the_compose_spec_schema():
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(load_compose(), schema)


def test_compose_has_the_warehouse_and_an_airflow_3_setup():
    compose = load_compose()
    services = compose["services"]
    assert {
        "warehouse",
        "airflow-metadata",
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
    } <= set(services)
    env = services["airflow-scheduler"]["environment"]
    for role in ("loader", "transformer", "publisher"):
        uri = env[f"AIRFLOW_CONN_MDW_WAREHOUSE_{role.upper()}"]
        assert uri.startswith(f"postgresql://mdw_{role}:${{MDW_PG_PASSWORD_{role.upper()}:?")
        assert uri.endswith("@warehouse:5432/monitor")
    assert "apache/airflow:3.3" in (config.PROJECT_DIR / "Dockerfile").read_text()


def test_compose_publishes_only_on_localhost_and_keeps_no_secrets():
    compose = load_compose()
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond localhost"
    text = (config.PROJECT_DIR / "docker-compose.yml").read_text()
    for var in (
        "MDW_PG_PASSWORD_SUPERUSER",
        "MDW_PG_PASSWORD_OWNER",
        "MDW_PG_PASSWORD_LOADER",
        "MDW_PG_PASSWORD_TRANSFORMER",
        "MDW_PG_PASSWORD_PUBLISHER",
        "MDW_PG_PASSWORD_ANALYST",
        "AIRFLOW_DB_PASSWORD",
        "AIRFLOW_JWT_SECRET",
        "MDW_PSEUDONYM_KEY",
    ):
        assert f"${{{var}:?" in text, f"{var} must come from the environment"


def test_compose_gives_every_component_its_own_role_and_no_component_the_superuser():
    compose = load_compose()
    services = compose["services"]
    warehouse = services["warehouse"]
    assert warehouse["environment"]["POSTGRES_USER"] == "postgres"
    assert "./deploy/warehouse-init:/docker-entrypoint-initdb.d:ro" in warehouse["volumes"]
    assert "log_min_error_statement=panic" in warehouse["command"]
    init_script = (config.PROJECT_DIR / "deploy" / "warehouse-init" / "10-mdw-owner.sh").read_text()
    assert "CREATE ROLE mdw_owner LOGIN CREATEROLE CREATEDB PASSWORD :'owner_password'" in init_script
    assert "SUPERUSER" not in init_script.split("CREATE ROLE", 1)[1].splitlines()[0]
    for name, service in services.items():
        env = service.get("environment", {})
        text = json.dumps(env)
        if name.startswith("airflow") and name not in ("airflow-init", "airflow-metadata"):
            # the running components: loader, transformer and publisher only; no owner, no analyst
            assert "mdw_owner" not in text and "MDW_PG_PASSWORD_ANALYST" not in text, name
            assert "postgres:" not in text.replace("postgresql+psycopg2://airflow", ""), name
            assert env.get("MDW_ENV") == "production", name
    init_env = services["airflow-init"]["environment"]
    assert init_env["MDW_WAREHOUSE_URI"].startswith("postgresql://mdw_owner:${MDW_PG_PASSWORD_OWNER:?")
    assert "mdw migrate" in " ".join(services["airflow-init"]["command"])
