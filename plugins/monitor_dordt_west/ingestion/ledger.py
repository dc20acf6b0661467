"""The load ledger's states and transitions: one function per transition.

``mdw_meta.load_ledger`` has one row per received file content (see ``sql/meta.sql``)::

    loading ──► loaded ──► superseded           (a later delivery of the same period/year replaced it)
       │ └────► quarantined                     (refused; the reason is in ``reason``)
       │ └────► held ──► released               (held back for review; an operator released it)
       └──────► aborted                         (interrupted, or an infrastructure fault: processed again)

A delivery's identity is (dataset, period, content): a re-delivery of bytes already received for
the period changes nothing but ``times_received``. Every function here runs in the caller's
transaction; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from monitor_dordt_west.ingestion.registry import Dataset, Period

LOADING, LOADED, SUPERSEDED, QUARANTINED, HELD, RELEASED, ABORTED = (
    "loading",
    "loaded",
    "superseded",
    "quarantined",
    "held",
    "released",
    "aborted",
)
STATUSES = (LOADING, LOADED, SUPERSEDED, QUARANTINED, HELD, RELEASED, ABORTED)
STATUS_NAMES = {
    LOADED: "actief",
    SUPERSEDED: "vervangen",
    QUARANTINED: "geweigerd",
    HELD: "aangehouden",
    RELEASED: "vrijgegeven",
}


@dataclass(frozen=True)
class Entry:
    delivery_id: int
    status: str
    period: str | None
    reason: str | None
    superseded_by: int | None
    stored_as: str | None
    file_modified_at: datetime | None
    period_end: date | None
    rows_loaded: int | None


_ENTRY = "delivery_id, status, period, reason, superseded_by, stored_as, file_modified_at, period_end, rows_loaded"


def _entries(conn, where: str, params: tuple) -> list[Entry]:
    rows = conn.execute(f"SELECT {_ENTRY} FROM mdw_meta.load_ledger WHERE {where} ORDER BY delivery_id", params)
    return [Entry(*r) for r in rows.fetchall()]


def insert(
    conn,
    partner: str,
    ds: Dataset | None,
    period: Period | None,
    file_name: str,
    sha: str | None,
    size: int,
    mtime: float | None,
) -> int:
    """A received file: a new row in state ``loading``."""
    row = conn.execute(
        """INSERT INTO mdw_meta.load_ledger
               (partner, dataset, file_name, sha256, size_bytes, period, period_start, period_end,
                file_modified_at, status)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING delivery_id""",
        (
            partner,
            ds.id if ds else None,
            file_name,
            sha,
            size,
            period.label if period else None,
            period.start if period else None,
            period.end if period else None,
            datetime.fromtimestamp(mtime, tz=UTC) if mtime is not None else None,
            LOADING,
        ),
    ).fetchone()
    return int(row[0])


def same_content(conn, ds: Dataset, period: Period, sha: str) -> Entry | None:
    """The latest delivery of these bytes for this dataset and period (aborted loads do not count)."""
    found = _entries(
        conn, "dataset = %s AND period = %s AND sha256 = %s AND status <> %s", (ds.id, period.label, sha, ABORTED)
    )
    return found[-1] if found else None


def count_receipt(conn, delivery_id: int) -> None:
    conn.execute(
        "UPDATE mdw_meta.load_ledger SET times_received = times_received + 1, last_received_at = now() "
        "WHERE delivery_id = %s",
        (delivery_id,),
    )


def active(conn, ds: Dataset) -> list[Entry]:
    """The loaded deliveries of a dataset (their rows are in the raw table)."""
    return _entries(conn, "dataset = %s AND status = %s", (ds.id, LOADED))


def replaced_by(conn, ds: Dataset, period: Period, delivery_id: int | None = None) -> list[Entry]:
    """The loaded deliveries a delivery of ``period`` replaces: the same period, or (year-to-date
    files) the same year."""
    if ds.replaces == "period":
        where, param = "period = %s", period.label
    else:
        where, param = "extract(year FROM period_start) = %s", period.start.year
    return [
        e
        for e in _entries(conn, f"dataset = %s AND status = %s AND {where}", (ds.id, LOADED, param))
        if e.delivery_id != delivery_id
    ]


def mark_loaded(conn, delivery_id: int, rows: int, stored_as: Path, archive_sha: str) -> None:
    conn.execute(
        "UPDATE mdw_meta.load_ledger SET status = %s, rows_loaded = %s, loaded_at = now(), stored_as = %s, "
        "archive_sha256 = %s WHERE delivery_id = %s AND status = %s",
        (LOADED, rows, str(stored_as), archive_sha, delivery_id, LOADING),
    )


def mark_superseded(conn, old: int, new: int) -> None:
    conn.execute(
        "UPDATE mdw_meta.load_ledger SET status = %s, superseded_by = %s WHERE delivery_id = %s AND status = %s",
        (SUPERSEDED, new, old, LOADED),
    )


def mark_refused(conn, delivery_id: int, status: str, reason: str, stored_as: Path | None) -> None:
    """``quarantined`` (refused) or ``held`` (held back for review), with the message."""
    assert status in (QUARANTINED, HELD)
    conn.execute(
        "UPDATE mdw_meta.load_ledger SET status = %s, reason = %s, stored_as = %s WHERE delivery_id = %s",
        (status, reason, str(stored_as) if stored_as else None, delivery_id),
    )


def mark_aborted(conn, delivery_id: int, reason: str) -> None:
    conn.execute(
        "UPDATE mdw_meta.load_ledger SET status = %s, reason = %s WHERE delivery_id = %s AND status = %s",
        (ABORTED, reason, delivery_id, LOADING),
    )


INTERRUPTED = "lading onderbroken (proces gestopt); het bestand bleef in de landingsmap en wordt opnieuw verwerkt"


def abort_interrupted(conn, ds: Dataset) -> list[int]:
    """Loads of this dataset still ``loading`` were interrupted (the caller holds the dataset's lock)."""
    rows = conn.execute(
        "UPDATE mdw_meta.load_ledger SET status = %s, reason = %s WHERE dataset = %s AND status = %s "
        "RETURNING delivery_id",
        (ABORTED, INTERRUPTED, ds.id, LOADING),
    ).fetchall()
    return [r[0] for r in rows]


def release(conn, delivery_id: int, by: str) -> Entry:
    """An operator releases a held delivery: the same bytes, delivered again, skip the review."""
    found = _entries(conn, "delivery_id = %s", (delivery_id,))
    if not found:
        raise ValueError(f"levering {delivery_id} bestaat niet")
    if found[0].status != HELD:
        raise ValueError(
            f"levering {delivery_id} is {STATUS_NAMES.get(found[0].status, found[0].status)}, niet aangehouden"
        )
    conn.execute(
        "UPDATE mdw_meta.load_ledger SET status = %s, reason = reason || %s WHERE delivery_id = %s",
        (RELEASED, f"\nVrijgegeven door {by} op {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.", delivery_id),
    )
    return found[0]
