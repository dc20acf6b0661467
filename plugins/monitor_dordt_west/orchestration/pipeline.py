"""The whole pipeline on a landing folder, through the same functions the DAGs call.

Operators use it (``mdw run``) to re-run, or to try a delivery outside Airflow.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from monitor_dordt_west import REPORTED
from monitor_dordt_west.ingestion import load, raw_tables, registry
from monitor_dordt_west.ingestion.load import DeliveryRejected, Outcome
from monitor_dordt_west.warehouse import builds
from monitor_dordt_west.warehouse.builds import BuildResult
from monitor_dordt_west.warehouse.connection import PgTarget

log = logging.getLogger(__name__)

# OCD first: the population is the denominator of most police indicators.
PARTNER_ORDER = ("ocd", "politie")


@dataclass
class PipelineResult:
    outcomes: list[Outcome] = field(default_factory=list)
    rejected: list[DeliveryRejected] = field(default_factory=list)
    not_processed: list[str] = field(default_factory=list)  # entries outside the partners' folders
    build: BuildResult | None = None  # the write-audit-publish build (None: not built)

    @property
    def dbt_ok(self) -> bool | None:
        return None if self.build is None else self.build.published

    @property
    def ok(self) -> bool:
        return not self.rejected and self.dbt_ok is not False and not any(o.status == "failed" for o in self.outcomes)


def partner_order() -> list[str]:
    return sorted(registry.PARTNERS, key=lambda p: PARTNER_ORDER.index(p) if p in PARTNER_ORDER else 99)


def outside_partner_folders(landing: Path) -> list[str]:
    """Entries of the landing folder that no partner's ingestion reads: said, never silently left."""
    if not landing.is_dir():
        return []
    return [
        f"{registry.display_name(p.name)}: staat niet in een partnermap ({', '.join(registry.PARTNERS)}) en wordt "
        "niet verwerkt"
        for p in sorted(landing.iterdir())
        if p.name not in registry.PARTNERS and not p.name.startswith(".")
    ]


def run(tgt: PgTarget, landing: Path, build: bool = True, started_by: str | None = None) -> PipelineResult:
    """Load every waiting delivery, then (``build``) build the warehouse by write-audit-publish:
    the live schemas change only when every dbt test passed (``result.build`` says which failed).
    A run that loaded nothing on a warehouse whose last published build is current builds nothing,
    so running it twice changes nothing (not even the build register)."""
    raw_tables.ensure_schema(tgt)
    result = PipelineResult(not_processed=outside_partner_folders(landing))
    for message in result.not_processed:
        log.warning("%s", message, extra=REPORTED)
    for partner in partner_order():
        outcomes, rejected = load.ingest_partner(partner, tgt, landing)
        result.outcomes += outcomes
        result.rejected += rejected
    if build and not any(o.status == "loaded" for o in result.outcomes) and builds.up_to_date(tgt):
        log.info("nothing new was loaded and the last published build covers every delivery: no build")
    elif build:
        result.build = builds.build(tgt, started_by or builds.who("mdw run"))  # logs its outcome
    return result
