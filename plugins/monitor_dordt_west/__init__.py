"""Monitor Dordt West data platform: ingestion, validation and warehouse build.

The DAG files in ``dags/`` are thin wrappers around this package; everything here is
importable without Airflow, Great Expectations or dbt being imported (those are imported
lazily inside the functions that need them).
"""
