"""What the Airflow tasks run. Kept out of the DAG files so it is importable and tested
without a scheduler; nothing here imports Airflow, GX or dbt at module import time."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from . import config, ingest, registry, warehouse

log = logging.getLogger(__name__)

OWNER = "data-engineering"
DEFAULT_ARGS: dict[str, Any] = {"owner": OWNER, "retries": 2, "retry_delay": timedelta(minutes=5)}
START_DATE = datetime(2026, 1, 1)


def raw_asset_uri(ds: registry.Dataset) -> str:
    return f"mdw://warehouse/{ds.raw_schema}/{ds.name}"


def ingest_dataset(partner: str, dataset_id: str | None) -> list[dict[str, Any]]:
    """Load every pending file of one dataset (``None``: refuse files matching no agreed name).

    Fails (without retries: a bad file does not get better) when any file was refused; the
    message names every refused file and why. Skips when nothing new was loaded, so that no
    asset event triggers a needless warehouse build.
    """
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    tgt = warehouse.target()
    ingest.ensure_schema(tgt)
    outcomes, rejected = ingest.ingest_partner(partner, tgt, datasets=[dataset_id])
    summary = [
        {"file": o.file_name, "status": o.status, "rows": o.rows, "delivery_id": o.delivery_id, "replaced": o.replaced}
        for o in outcomes
    ]
    for o in outcomes:
        log.info("%s", o.message)
    if rejected:
        raise AirflowFailException("\n\n".join(r.message for r in rejected))
    if not any(o.status == "loaded" for o in outcomes):
        raise AirflowSkipException(f"geen nieuwe leveringen voor {dataset_id or partner}")
    return summary


def prepare_warehouse() -> str:
    """Make sure the ledger and every raw table exist before dbt reads its sources."""
    tgt = warehouse.target()
    ingest.ensure_schema(tgt)
    return tgt.display_uri


def dbt_env_template() -> dict[str, str]:
    """Env for cosmos' dbt tasks, rendered from the Airflow connection at run time."""
    c = f"conn.{config.WAREHOUSE_CONN_ID}"
    return {
        "MDW_PGHOST": f"{{{{ {c}.host }}}}",
        "MDW_PGPORT": f"{{{{ {c}.port or 5432 }}}}",
        "MDW_PGUSER": f"{{{{ {c}.login }}}}",
        "MDW_PGPASSWORD": f"{{{{ {c}.password or '' }}}}",
        "MDW_PGDATABASE": f"{{{{ {c}.schema }}}}",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }


def dag_doc(partner: str) -> str:
    rows = "\n".join(f"| `{d.example}` | `{d.raw_table}` | {d.description} |" for d in registry.datasets(partner))
    return f"""### Ingestie {registry.PARTNERS[partner]}

Loads every file waiting in `<landing>/{partner}/`: fingerprint, ledger, structure checks,
COPY, Great Expectations suite (`expectations/`), swap into the raw table, archive.
A refused file is moved to the quarantine folder with a `.reden.txt` beside it and the
task fails with the same message (no retries). A byte-identical re-delivery changes nothing.

| file | raw table | content |
| --- | --- | --- |
{rows}

What arrived and what was refused: `select * from mdw_meta.deliveries`.
"""
