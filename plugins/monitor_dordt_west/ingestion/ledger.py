"""The load ledger's states and transitions: the one module that writes ``mdw_meta.load_ledger``.

The ledger has one row per received file content (see ``warehouse/sql/meta.sql``)::

    loading ──► loaded ──► superseded           (a later delivery of the same period/year replaced it)
       │ └────► quarantined                     (refused; the reason is in ``reason``)
       │ └────► held ──► released               (held back for review; an operator released it)
       └──────► aborted                         (interrupted, or an infrastructure fault: processed again)

A new row starts in ``loading`` (``register``). The bytes of a refused or held delivery, received
again, are refused or held again with the new message (``quarantined`` -> ``quarantined``,
``held`` -> ``held``).

``TRANSITIONS`` states the allowed transitions once. Each has one function here (``register``,
``mark_loaded``, ``supersede``, ``quarantine``, ``hold``, ``release``, ``abort``) that runs the one
SQL statement of that transition; the statement changes the row only from a state the table allows,
and the function raises ``TransitionRefused`` when the row was in another state. Besides the
transitions the ledger counts receipts (``count_receipt``) and records a rewritten archive copy's
checksum (``record_archive_sha``); both leave the state as it is.

A delivery's identity is (dataset, period, content): a re-delivery of bytes already received for
the period changes nothing but ``times_received``. Every function here runs in the caller's
transaction; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

from monitor_dordt_west.ingestion.registry import Dataset, Period


class Status(StrEnum):
    LOADING = "loading"  # received; being loaded (a row left in it was interrupted)
    LOADED = "loaded"  # active: its rows are in the raw table
    SUPERSEDED = "superseded"  # replaced by the delivery in ``superseded_by``
    QUARANTINED = "quarantined"  # refused; the file is in quarantine with its reason
    HELD = "held"  # held back for review; the file is in quarantine with its reason
    RELEASED = "released"  # an operator released a held delivery; the same bytes skip the review
    ABORTED = "aborted"  # interrupted or a fault of the platform; the file is processed again


STATUS_NAMES: dict[str, str] = {
    Status.LOADED: "actief",
    Status.SUPERSEDED: "vervangen",
    Status.QUARANTINED: "geweigerd",
    Status.HELD: "aangehouden",
    Status.RELEASED: "vrijgegeven",
}

# The allowed transitions (from, to); ``None``: a file not in the ledger yet.
TRANSITIONS: frozenset[tuple[Status | None, Status]] = frozenset(
    {
        (None, Status.LOADING),  # register
        (Status.LOADING, Status.LOADED),  # mark_loaded
        (Status.LOADED, Status.SUPERSEDED),  # supersede
        (Status.LOADING, Status.QUARANTINED),  # quarantine
        (Status.QUARANTINED, Status.QUARANTINED),  # quarantine: the same refused bytes again
        (Status.LOADING, Status.HELD),  # hold
        (Status.HELD, Status.HELD),  # hold: the same held bytes again
        (Status.HELD, Status.RELEASED),  # release
        (Status.LOADING, Status.ABORTED),  # abort, abort_interrupted
    }
)


def sources(to: Status) -> list[Status]:
    """The states a delivery may be in to move to ``to``."""
    return sorted(s for s, t in TRANSITIONS if t == to and s is not None)


class TransitionRefused(ValueError):
    """A transition the table does not allow (or of a delivery that does not exist); nothing changed."""


@dataclass(frozen=True)
class Entry:
    delivery_id: int
    partner: str
    dataset: str | None
    file_name: str
    status: str
    period: str | None
    reason: str | None
    superseded_by: int | None
    stored_as: str | None
    archive_sha256: str | None
    file_modified_at: datetime | None
    period_end: date | None
    rows_loaded: int | None


_ENTRY = (
    "delivery_id, partner, dataset, file_name, status, period, reason, superseded_by, stored_as, archive_sha256, "
    "file_modified_at, period_end, rows_loaded"
)


def _entries(conn, where: str, params: tuple) -> list[Entry]:
    rows = conn.execute(f"SELECT {_ENTRY} FROM mdw_meta.load_ledger WHERE {where} ORDER BY delivery_id", params)
    return [Entry(*r) for r in rows.fetchall()]


# --------------------------------------------------------------------------- reading


def exists(conn) -> bool:
    """Whether the ledger exists (otherwise the warehouse was not migrated)."""
    return conn.execute("SELECT to_regclass('mdw_meta.load_ledger')").fetchone()[0] is not None


def get(conn, delivery_id: int) -> Entry | None:
    found = _entries(conn, "delivery_id = %s", (delivery_id,))
    return found[0] if found else None


def same_content(conn, ds: Dataset, period: Period, sha: str) -> Entry | None:
    """The latest delivery of these bytes for this dataset and period (aborted loads do not count)."""
    found = _entries(
        conn,
        "dataset = %s AND period = %s AND sha256 = %s AND status <> %s",
        (ds.id, period.label, sha, Status.ABORTED),
    )
    return found[-1] if found else None


def of_dataset(conn, ds: Dataset) -> list[Entry]:
    """Every delivery of a dataset, in any state."""
    return _entries(conn, "dataset = %s", (ds.id,))


def in_state(conn, status: Status, dataset_ids: list[str]) -> list[Entry]:
    """The deliveries of these datasets in state ``status``."""
    return _entries(conn, "status = %s AND dataset = ANY(%s)", (status, dataset_ids))


def active(conn, ds: Dataset) -> list[Entry]:
    """The loaded deliveries of a dataset (their rows are in the raw table)."""
    return in_state(conn, Status.LOADED, [ds.id])


def replaced_by(conn, ds: Dataset, period: Period, delivery_id: int | None = None) -> list[Entry]:
    """The loaded deliveries a delivery of ``period`` replaces: the same period, or (year-to-date
    files) the same year."""
    param: str | int
    if ds.replaces == "period":
        where, param = "period = %s", period.label
    else:
        where, param = "extract(year FROM period_start) = %s", period.start.year
    return [
        e
        for e in _entries(conn, f"dataset = %s AND status = %s AND {where}", (ds.id, Status.LOADED, param))
        if e.delivery_id != delivery_id
    ]


def archived(conn, dataset_ids: list[str]) -> list[Entry]:
    """The deliveries of these datasets whose archive copy the ledger records (active and superseded)."""
    return _entries(
        conn,
        "dataset = ANY(%s) AND status IN (%s, %s) AND stored_as IS NOT NULL AND archive_sha256 IS NOT NULL",
        (dataset_ids, Status.LOADED, Status.SUPERSEDED),
    )


# --------------------------------------------------------------------------- the transitions


def register(
    conn,
    partner: str,
    ds: Dataset | None,
    period: Period | None,
    file_name: str,
    sha: str | None,
    size: int,
    mtime: float | None,
) -> int:
    """A received file: a new row in state ``loading``; returns its delivery id."""
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
            Status.LOADING,
        ),
    ).fetchone()
    return int(row[0])


def _move(conn, delivery_id: int, to: Status, assignments: str = "", params: tuple = ()) -> None:
    """The one statement of a transition to ``to``: it changes the row only from a state
    ``TRANSITIONS`` allows; ``TransitionRefused`` when it changed nothing."""
    moved = conn.execute(
        f"UPDATE mdw_meta.load_ledger SET status = %s{assignments} WHERE delivery_id = %s AND status = ANY(%s) "
        "RETURNING delivery_id",
        (to, *params, delivery_id, sources(to)),
    ).fetchone()
    if moved is None:
        entry = get(conn, delivery_id)
        if entry is None:
            raise TransitionRefused(f"levering {delivery_id} bestaat niet")
        allowed = " of ".join(STATUS_NAMES.get(s, s) for s in sources(to))
        raise TransitionRefused(
            f"levering {delivery_id} is {STATUS_NAMES.get(entry.status, entry.status)}, niet {allowed}"
        )


def mark_loaded(conn, delivery_id: int, rows: int, stored_as: Path, archive_sha: str) -> None:
    """In place in the raw table, its copy in the archive: ``loading`` -> ``loaded``."""
    _move(
        conn,
        delivery_id,
        Status.LOADED,
        ", rows_loaded = %s, loaded_at = now(), stored_as = %s, archive_sha256 = %s",
        (rows, str(stored_as), archive_sha),
    )


def supersede(conn, old: int, new: int) -> None:
    """Delivery ``new`` replaced ``old``: ``loaded`` -> ``superseded``."""
    _move(conn, old, Status.SUPERSEDED, ", superseded_by = %s", (new,))


def quarantine(conn, delivery_id: int, reason: str, stored_as: Path) -> None:
    """Refused, the file in quarantine: ``loading`` (or ``quarantined``: the same bytes again) -> ``quarantined``."""
    _move(conn, delivery_id, Status.QUARANTINED, ", reason = %s, stored_as = %s", (reason, str(stored_as)))


def hold(conn, delivery_id: int, reason: str, stored_as: Path) -> None:
    """Held back for review, the file in quarantine: ``loading`` (or ``held``: the same bytes again) -> ``held``."""
    _move(conn, delivery_id, Status.HELD, ", reason = %s, stored_as = %s", (reason, str(stored_as)))


def release(conn, delivery_id: int, by: str) -> None:
    """An operator releases a held delivery (``held`` -> ``released``): the same bytes, delivered
    again, skip the review. ``TransitionRefused`` (a ``ValueError``) names the delivery's state."""
    when = f"\nVrijgegeven door {by} op {datetime.now(UTC):%Y-%m-%d %H:%M} UTC."
    _move(conn, delivery_id, Status.RELEASED, ", reason = reason || %s", (when,))


def abort(conn, delivery_id: int, reason: str) -> None:
    """Interrupted, or a fault of the platform: ``loading`` -> ``aborted``; the file is processed again."""
    _move(conn, delivery_id, Status.ABORTED, ", reason = %s", (reason,))


INTERRUPTED = "lading onderbroken (proces gestopt); het bestand bleef in de landingsmap en wordt opnieuw verwerkt"


def abort_interrupted(conn, ds: Dataset) -> list[int]:
    """Loads of this dataset still ``loading`` were interrupted (the caller holds the dataset's lock):
    each is aborted; returns their delivery ids."""
    interrupted = [e.delivery_id for e in in_state(conn, Status.LOADING, [ds.id])]
    for delivery_id in interrupted:
        abort(conn, delivery_id, INTERRUPTED)
    return interrupted


# --------------------------------------------------------------------------- bookkeeping (the state stays)


def count_receipt(conn, delivery_id: int) -> None:
    """The same bytes received again."""
    conn.execute(
        "UPDATE mdw_meta.load_ledger SET times_received = times_received + 1, last_received_at = now() "
        "WHERE delivery_id = %s",
        (delivery_id,),
    )


def record_archive_sha(conn, delivery_id: int, sha: str) -> None:
    """The archive copy was rewritten (a key rotation): its new SHA-256."""
    conn.execute("UPDATE mdw_meta.load_ledger SET archive_sha256 = %s WHERE delivery_id = %s", (sha, delivery_id))
