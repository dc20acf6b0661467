"""Settings: where the project's data lives and which PostgreSQL is the warehouse.

One setting points everything (loads, Great Expectations, dbt, cosmos) at another
PostgreSQL: ``MDW_WAREHOUSE_URI`` (``postgresql://owner:password@host:port/dbname``, the
warehouse's owner). Inside Airflow, an Airflow connection ``mdw_warehouse`` is used when the
variable is not set. Without either, the project starts its embedded PostgreSQL in
``$MDW_HOME/pgdata`` (password authentication only). Each component connects to that server and
database as its own role (``warehouse.connection.target(role)``, ``warehouse.roles``, ``warehouse.credentials``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(os.environ.get("MDW_PROJECT_DIR", Path(__file__).resolve().parents[2]))
DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"
EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"

WAREHOUSE_CONN_ID = "mdw_warehouse"
# Write-audit-publish: dbt builds into <schema>__build (macro generate_schema_name reads the suffix
# from MDW_DBT_SCHEMA_SUFFIX); monitor_dordt_west.warehouse.builds swaps them into place.
DBT_SCHEMA_SUFFIX_VAR = "MDW_DBT_SCHEMA_SUFFIX"
DBT_BUILD_SUFFIX = "__build"
DEFAULT_EMBEDDED_PORT = 55432
EMBEDDED_DATABASE = "monitor"


@dataclass(frozen=True)
class Paths:
    """The project's data folders under ``MDW_HOME`` (default ``<project>/.mdw``)."""

    home: Path

    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def landing(self) -> Path:
        return Path(os.environ.get("MDW_LANDING_DIR", self.home / "landing"))

    @property
    def publications(self) -> Path:
        """Where the stuurgroep publications are written (``MDW_PUBLICATIONS_DIR``, e.g. a share)."""
        return Path(os.environ.get("MDW_PUBLICATIONS_DIR", self.home / "publicaties"))

    @property
    def archive(self) -> Path:
        """The loaded originals (``MDW_ARCHIVE_DIR``, e.g. a volume of its own)."""
        return Path(os.environ.get("MDW_ARCHIVE_DIR", self.home / "archive"))

    @property
    def quarantine(self) -> Path:
        """The refused originals with their reasons (``MDW_QUARANTINE_DIR``)."""
        return Path(os.environ.get("MDW_QUARANTINE_DIR", self.home / "quarantine"))

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def dbt_target(self) -> Path:
        return self.home / "dbt_target"

    @property
    def dbt_build_target(self) -> Path:
        """dbt's target path of the write-audit-publish builds (run_results.json of the last build)."""
        return self.home / "dbt_build_target"


def paths() -> Paths:
    return Paths(Path(os.environ.get("MDW_HOME", PROJECT_DIR / ".mdw")).resolve())


def embedded_port() -> int:
    return int(os.environ.get("MDW_PG_PORT", DEFAULT_EMBEDDED_PORT))
