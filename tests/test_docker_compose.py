"""docker-compose.yml is valid against the Compose-spec schema (no Docker engine runs here), runs
the CeleryExecutor with workers for every queue the DAGs use, and keeps its secrets in the environment."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml

from monitor_dordt_west import config
from monitor_dordt_west.ingestion import registry
from monitor_dordt_west.orchestration import tasks

SCHEMA = config.PROJECT_DIR / "tests" / "schemas" / "compose-spec.schema.json"


def load_compose() -> dict:
    return yaml.safe_load((config.PROJECT_DIR / "docker-compose.yml").read_text())


WORKER_COMMAND = ["airflow", "celery", "worker"]
# an environment reference that fails when the variable is unset: ${NAME:?message}
REQUIRED_VAR = re.compile(r"\$\{([A-Z0-9_]+):\?[^}]*\}")


def option(command: list[str], name: str) -> str:
    assert name in command, f"{name} missing in {command}"
    return command[command.index(name) + 1]


def workers(compose: dict) -> dict[str, dict]:
    return {n: s for n, s in compose["services"].items() if s.get("command", [])[:3] == WORKER_COMMAND}


def served_queues(compose: dict) -> dict[str, set[str]]:
    return {n: set(option(s["command"], "--queues").split(",")) for n, s in workers(compose).items()}


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
        "AIRFLOW_API_SECRET_KEY",
        "REDIS_PASSWORD",
        "MDW_PSEUDONYM_KEY",
    ):
        assert f"${{{var}:?" in text, f"{var} must come from the environment"


def test_compose_has_no_secret_literal_and_env_example_names_every_variable():
    compose = load_compose()
    text = (config.PROJECT_DIR / "docker-compose.yml").read_text()
    # the password of every URL (warehouse connections, metadata DB, result backend, broker)
    passwords = re.findall(r"[a-z0-9+]+://[\w.-]*:(\$\{[^}]*\}|[^@\s/]*)@", text)
    assert len(passwords) >= 7  # metadata DB, result backend, broker, three connections, the owner's URI
    for password in passwords:
        assert REQUIRED_VAR.fullmatch(password), f"literal password in a URL: {password[:3]}…"
    # every setting that holds a secret, and the broker's requirepass
    secret_name = re.compile(r"PASSWORD|SECRET|_KEY$|AUTH$")
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if secret_name.search(key):
                assert REQUIRED_VAR.fullmatch(str(value)), f"{name}: {key} is not taken from the environment"
    assert REQUIRED_VAR.fullmatch(option(compose["services"]["redis"]["command"], "--requirepass"))
    # .env.example lists every variable the file requires, with no value filled in
    example = (config.PROJECT_DIR / ".env.example").read_text().splitlines()
    for var in set(REQUIRED_VAR.findall(text)):
        assert f"{var}=" in example, f".env.example lacks {var}="


def test_compose_runs_the_celery_executor_with_redis_and_a_postgresql_result_backend():
    compose = load_compose()
    services = compose["services"]
    airflow = {n: s for n, s in services.items() if n.startswith("airflow-") and n != "airflow-metadata"}
    for name, service in airflow.items():
        env = service["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        broker = env["AIRFLOW__CELERY__BROKER_URL"]
        assert broker.startswith("redis://:${REDIS_PASSWORD:?") and broker.endswith("@redis:6379/0"), name
        backend = env["AIRFLOW__CELERY__RESULT_BACKEND"]
        assert backend.startswith("db+postgresql://airflow:${AIRFLOW_DB_PASSWORD:?"), name
        assert backend.endswith("@airflow-metadata:5432/airflow"), name
        assert service["depends_on"]["redis"] == {"condition": "service_healthy"}, name
    redis = services["redis"]
    assert redis["image"].startswith("redis:")
    assert option(redis["command"], "--requirepass").startswith("${REDIS_PASSWORD:?")
    assert all(str(p).startswith("127.0.0.1:") for p in redis.get("ports", [])), "the broker is not published"
    assert "redis-cli ping" in " ".join(redis["healthcheck"]["test"])
    assert redis["environment"]["REDISCLI_AUTH"].startswith("${REDIS_PASSWORD:?"), "the healthcheck authenticates"


def test_compose_has_two_workers_serving_ingest_dbt_and_publication_with_their_logs():
    compose = load_compose()
    services = compose["services"]
    queues = served_queues(compose)
    assert set(queues) == {"airflow-worker-1", "airflow-worker-2"}
    assert set().union(*queues.values()) == set(tasks.QUEUES) == {"ingest", "dbt", "publication"}
    # dbt: one worker (the dbt project, its target and cosmos' cache on one machine)
    assert len([n for n, q in queues.items() if tasks.QUEUE_DBT in q]) == 1
    api_env = services["airflow-apiserver"]["environment"]
    for name in queues:
        worker = services[name]
        assert 1 <= int(option(worker["command"], "--concurrency")) <= 2, f"{name}: concurrency for 2 cores"
        env = worker["environment"]
        # the api-server fetches task logs from http://<hostname>:8793, signed with [api] secret_key
        assert worker["hostname"] == name
        assert env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] == "8793"
        assert "8793" in [str(p) for p in worker["expose"]]
        assert "--skip-serve-logs" not in worker["command"] and "-s" not in worker["command"]
        for key in (
            "AIRFLOW__API__SECRET_KEY",
            "AIRFLOW__API_AUTH__JWT_SECRET",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
        ):
            assert env[key] == api_env[key], f"{name}: {key} differs from the api-server's"
        assert env["DUMB_INIT_SETSID"] == "0", f"{name}: warm shutdown"
        assert "inspect ping" in " ".join(worker["healthcheck"]["test"])
        assert worker["depends_on"]["airflow-init"] == {"condition": "service_completed_successfully"}
        assert env["AIRFLOW__COSMOS__WATCHER_DBT_EXECUTION_QUEUE"] == tasks.QUEUE_DBT
    assert "AIRFLOW__API__SECRET_KEY" in services["airflow-scheduler"]["environment"]


@pytest.fixture(scope="module")
def dagbag(dbt_manifest, airflow_home):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(config.PROJECT_DIR / "dags"))


QUEUE_OF_DAG = {f"ingest_{p}": tasks.QUEUE_INGEST for p in registry.PARTNERS} | {
    "build_warehouse": tasks.QUEUE_DBT,
    "publish_quarter": tasks.QUEUE_PUBLICATION,
}


@pytest.mark.parametrize(
    "dag_id",
    sorted(QUEUE_OF_DAG),
)
def test_every_task_runs_on_the_queue_of_its_work_and_a_worker_serves_it(dagbag, dag_id):
    served = set().union(*served_queues(load_compose()).values())
    dag = dagbag.dags[dag_id]
    wrong = {t.task_id: t.queue for t in dag.tasks if t.queue != QUEUE_OF_DAG[dag_id]}
    assert not wrong, f"{dag_id}: tasks not on queue {QUEUE_OF_DAG[dag_id]}: {wrong}"
    assert {t.queue for t in dag.tasks} <= served, f"{dag_id}: a queue no worker serves"


def test_every_dag_is_assigned_its_queue(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dags) == set(QUEUE_OF_DAG)


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


def test_the_workers_preload_the_task_modules_before_they_fork():
    """Each Celery worker imports GX, cosmos and dbt once, in its main process, through the Celery
    configuration the provider reads there (orchestration/preload.py); the configuration itself
    stays the provider's."""
    import importlib

    from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG

    from monitor_dordt_west.orchestration import preload

    compose = load_compose()
    for name in ("airflow-worker-1", "airflow-worker-2"):
        env = compose["services"][name]["environment"]
        assert env[preload.ENV] == "1"
        assert env["AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS"] == preload.CELERY_CONFIG_OPTIONS
    module, attr = preload.CELERY_CONFIG_OPTIONS.rsplit(".", 1)
    assert getattr(importlib.import_module(module), attr) is DEFAULT_CELERY_CONFIG
