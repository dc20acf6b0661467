"""The demo's delivery: the sample set into the landing folder, only what the warehouse lacks.

``deliver_unreceived`` generates the sample set next to the landing folder and moves in only the
files the warehouse has not received yet (same dataset, period and sha256 in the load ledger, any
status), so a second ``mdw demo`` delivers nothing it already had.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from mdw_dev.samples import core
from monitor_dordt_west.ingestion import registry


@dataclass
class SampleDelivery:
    """What ``deliver_unreceived`` did, per file ``<partner>/<name>``."""

    delivered: list[str] = field(default_factory=list)  # moved into the landing folder
    received: list[str] = field(default_factory=list)  # the warehouse has these bytes already
    waiting: list[str] = field(default_factory=list)  # a file of that name waits in the landing folder

    @property
    def generated(self) -> int:
        return len(self.delivered) + len(self.received) + len(self.waiting)


def received_fingerprints(tgt) -> set[tuple[str, str, str]]:
    """(dataset, period, sha256) of every file in the load ledger, any status; empty without a ledger."""
    from monitor_dordt_west.warehouse.connection import connect

    with connect(tgt) as conn:
        if conn.execute("SELECT to_regclass('mdw_meta.load_ledger')").fetchone()[0] is None:
            return set()
        rows = conn.execute(
            "SELECT dataset, period, sha256 FROM mdw_meta.load_ledger WHERE dataset IS NOT NULL"
        ).fetchall()
    return {(dataset, period, sha.strip().lower()) for dataset, period, sha in rows}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def deliver_unreceived(
    tgt, landing: Path, *, seed: int = 2024, today: date | None = None, first_year: int = 2022
) -> SampleDelivery:
    """Deliver the sample set (``core.generate``) into ``landing``, only what the warehouse lacks.

    The set is generated into a temporary folder next to ``landing`` (same file system: a move is
    a rename and keeps the modification time); a file moves in unless the load ledger holds the
    same bytes for its dataset and period (whatever their status) or a file of that name already
    waits in the landing folder (it is left as it is).
    """
    landing.parent.mkdir(parents=True, exist_ok=True)
    result = SampleDelivery()
    known = received_fingerprints(tgt)
    with tempfile.TemporaryDirectory(dir=landing.parent, prefix=f".{landing.name}-voorbeeld-") as tmp:
        staged = Path(tmp)
        core.generate(staged, seed=seed, first_year=first_year, today=today)
        for path in sorted(p for p in staged.glob("*/*") if p.is_file()):
            partner, name = path.parent.name, path.name
            ds, period = registry.identify(partner, name)
            dest = landing / partner / name
            label = f"{partner}/{name}"
            if (ds.id, period.label, _sha256(path)) in known:
                result.received.append(label)
            elif dest.exists():
                result.waiting.append(label)
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, dest)
                result.delivered.append(label)
    return result
