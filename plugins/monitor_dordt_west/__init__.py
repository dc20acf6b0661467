"""Monitor Dordt West data platform: ingestion, validation and warehouse build.

The DAG files in ``dags/`` are thin wrappers around this package; everything here is
importable without Airflow, Great Expectations or dbt being imported (those are imported
lazily inside the functions that need them).
"""

#: ``extra=`` of a log record whose message the caller gets back as well (a load's outcome, a
#: refusal, a build's result). Airflow's task log shows the record; ``mdw``'s commands print the
#: results themselves and leave such records out, so that each line appears once.
REPORTED = {"mdw_reported": True}
