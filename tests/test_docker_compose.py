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
    assert env["AIRFLOW_CONN_MDW_WAREHOUSE"].endswith("@warehouse:5432/monitor")
    assert "apache/airflow:3.3" in (config.PROJECT_DIR / "Dockerfile").read_text()


def test_compose_publishes_only_on_localhost_and_keeps_no_secrets():
    compose = load_compose()
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond localhost"
    text = (config.PROJECT_DIR / "docker-compose.yml").read_text()
    for var in ("MDW_WAREHOUSE_PASSWORD", "AIRFLOW_DB_PASSWORD", "AIRFLOW_JWT_SECRET", "MDW_PSEUDONYM_KEY"):
        assert f"${{{var}:?" in text, f"{var} must come from the environment"
