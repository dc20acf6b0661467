"""Airflow DAGs ``ingest_<partner>``: one per partner, generated from the delivery registry.

Thin on purpose: the work is in ``monitor_dordt_west.orchestration.tasks`` and ``.ingest``.
"""

from airflow.sdk import Asset, dag, task

from monitor_dordt_west.ingestion import registry
from monitor_dordt_west.orchestration.tasks import (
    DEFAULT_ARGS,
    QUEUE_INGEST,
    START_DATE,
    dag_doc,
    ingest_dataset,
    raw_asset_uri,
)


def make_ingest_dag(partner: str):
    @dag(
        dag_id=f"ingest_{partner}",
        schedule="0 6 * * *",  # partners drop files by the 10th/15th; daily pick-up is enough
        start_date=START_DATE,
        catchup=False,  # a run processes whatever is waiting; past days have nothing to add
        max_active_runs=1,  # loads of one dataset must not overlap (corrections apply in order)
        default_args={**DEFAULT_ARGS, "queue": QUEUE_INGEST},
        tags=["ingest", partner],
        doc_md=dag_doc(partner),
    )
    def ingest():
        for ds in registry.datasets(partner):
            task(task_id=f"load_{ds.name}", outlets=[Asset(name=ds.raw_table, uri=raw_asset_uri(ds))])(ingest_dataset)(
                partner, ds.id
            )
        task(task_id="refuse_unrecognised_files", retries=0)(ingest_dataset)(partner, None)

    return ingest()


for _partner in registry.PARTNERS:
    globals()[f"ingest_{_partner}"] = make_ingest_dag(_partner)
