"""Load one partner delivery: fingerprint -> ledger -> structure checks -> COPY -> GX -> swap -> archive.

The load pattern follows the municipality's usual one (load into a work table, check, swap
into place): the file is streamed with ``COPY`` into a text work table in schema ``loading``,
validated there in SQL by the dataset's Great Expectations suite, and only then turned into a
typed partition of the raw table, attached in the same transaction that retires the delivery it
corrects and updates the ledger. Either all of a delivery is visible, or nothing of it.

This module ties the stages together and holds the entry points (``ingest_partner``,
``ingest_file``, ``pending_files``, ``release``); the checks are in ``file_checks`` and
``delivery_rules``, the readers in ``readers``, the tables in ``raw_tables``, the archive and
the quarantine in ``storage``, the ledger's states and transitions in ``ledger``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from monitor_dordt_west import REPORTED, config
from monitor_dordt_west.ingestion import delivery_rules, ledger, raw_tables, registry, storage
from monitor_dordt_west.ingestion.errors import FileChanged, InfrastructureError
from monitor_dordt_west.ingestion.file_checks import MAX_PROBLEMS, check_structure, fingerprint, mask_bsn_like
from monitor_dordt_west.ingestion.key_rotation import require_current_chain
from monitor_dordt_west.ingestion.readers import StreamProblems
from monitor_dordt_west.ingestion.registry import Dataset, Period, display_name
from monitor_dordt_west.ingestion.storage import private_opener, sha256_of
from monitor_dordt_west.warehouse import credentials
from monitor_dordt_west.warehouse.connection import PgTarget, as_role, connect

log = logging.getLogger(__name__)


class DeliveryRejected(Exception):
    """A delivery that is refused; ``str()`` is the message for the partner and the operator."""

    def __init__(self, file_name: str, problems: list[str], delivery_id: int | None = None, held: bool = False):
        self.file_name = file_name
        self.problems = [mask_bsn_like(p) for p in problems]
        self.delivery_id = delivery_id
        self.held = held
        super().__init__(self.message)

    @property
    def message(self) -> str:
        ref = f" (levering {self.delivery_id})" if self.delivery_id else ""
        what = "aangehouden ter beoordeling" if self.held else "geweigerd en in quarantaine gezet"
        lines = [f"Levering {self.file_name}{ref} is {what}; er is niets van geladen."]
        lines += [f"- {p}" for p in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            lines.append(f"- ... en nog {len(self.problems) - MAX_PROBLEMS} bevinding(en)")
        return "\n".join(lines)


@dataclass
class Outcome:
    file_name: str
    dataset: str | None
    period: str | None
    delivery_id: int | None
    status: str  # loaded | unchanged | quarantined | held | skipped (left for the next run) | failed (platform)
    rows: int = 0
    replaced: list[int] = field(default_factory=list)
    message: str = ""
    timings: dict[str, float] = field(default_factory=dict)


class _Clock:
    """Seconds spent per stage of a load (reported by the benchmark and logged)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = round(now - self._last, 3)
        self._last = now


def _refuse(conn, path: Path, partner: str, delivery_id: int, problems: list[str], held: bool = False):
    """Move the file to quarantine with its reason, and record it: refused (``quarantined``) or held
    back for review (``held``). If the file cannot be stored, nothing is recorded against the
    partner: ``InfrastructureError``."""
    rejected = DeliveryRejected(display_name(path.name), problems, delivery_id, held=held)
    dest = storage.quarantine(path, partner, delivery_id, rejected.message)
    (ledger.hold if held else ledger.quarantine)(conn, delivery_id, rejected.message, dest)
    conn.commit()
    log.error("%s", rejected.message, extra=REPORTED)  # held or refused: the task fails with this reason
    return rejected


def settle_seconds() -> float:
    """A file is picked up once it has not changed for this long (``MDW_SETTLE_SECONDS``): a file
    still being written is left for the next run."""
    return float(os.environ.get("MDW_SETTLE_SECONDS", "30"))


def _signature(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def ingest_file(path: Path, partner: str, tgt: PgTarget, validator) -> Outcome:
    """Process one delivered file. Raises ``DeliveryRejected`` when the file is refused or held,
    ``InfrastructureError`` when the platform failed (the file then stays where it is)."""
    name = display_name(path.name)
    try:
        st = path.lstat()
    except FileNotFoundError:
        return _skipped(path, f"{name}: al verwerkt door een gelijktijdige run")
    if not stat.S_ISREG(st.st_mode):
        return _refuse_entry(path, partner, tgt, st)
    try:
        sha, size = fingerprint(path)
        if _signature(path.lstat()) != _signature(st):
            raise FileChanged(f"{name}: veranderde terwijl het werd gelezen")
    except (FileChanged, FileNotFoundError) as exc:
        return _skipped(path, str(exc) if isinstance(exc, FileChanged) else f"{name}: verdwenen")
    try:
        with connect(tgt) as conn:
            try:
                ds, period = registry.identify(partner, path.name)
                period_problem = registry.period_problem(period)
            except ValueError as exc:
                ds, period, period_problem = None, None, str(exc)
            if ds is None or period_problem:
                delivery_id = ledger.register(conn, partner, ds, period, name, sha, size, st.st_mtime)
                raise _refuse(conn, path, partner, delivery_id, [period_problem or f"{name}: geen periode"])
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (ds.id,))  # one load per dataset at a time
            conn.commit()
            try:
                return _ingest_locked(conn, path, st, partner, ds, period, sha, size, validator)
            finally:
                with contextlib.suppress(psycopg.Error):
                    conn.rollback()
                    conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (ds.id,))
                    conn.commit()
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        raise InfrastructureError(
            f"{name}: de verbinding met het warehouse viel weg ({type(exc).__name__}); het bestand blijft in de "
            "landingsmap en de volgende run verwerkt het opnieuw (de onderbroken lading wordt dan 'aborted')."
        ) from exc


def _require_unchanged(path: Path, st: os.stat_result, sha: str, name: str) -> None:
    """Raise ``FileChanged`` unless the file still is what was fingerprinted: a file that changed while it
    was read (an upload that resumed) is read again by the next run, never refused or loaded half."""
    with contextlib.suppress(FileNotFoundError):
        if _signature(path.lstat()) == _signature(st) and sha256_of(path) == sha:
            return
    raise FileChanged(f"{name}: veranderde terwijl het werd verwerkt")


def _skipped(path: Path, reason: str) -> Outcome:
    msg = f"{reason}; het bestand blijft in de landingsmap en komt bij een volgende run aan de beurt"
    log.warning("%s", msg, extra=REPORTED)
    return Outcome(display_name(path.name), None, None, None, "skipped", message=msg)


def _refuse_entry(path: Path, partner: str, tgt: PgTarget, st: os.stat_result) -> Outcome:
    """Not a regular file (a symbolic link, a folder, a pipe ...): refused without being followed or
    read; the entry itself (not what it points to) is moved to quarantine."""
    kind = "symbolische koppeling" if stat.S_ISLNK(st.st_mode) else "map" if stat.S_ISDIR(st.st_mode) else "ander"
    problem = (
        f"{display_name(path.name)}: is een {kind}, geen gewoon bestand; alleen gewone bestanden worden gelezen "
        "(de inhoud is niet gelezen en niet gevolgd)"
    )
    with connect(tgt) as conn:
        delivery_id = ledger.register(conn, partner, None, None, display_name(path.name), None, 0, None)
        raise _refuse(conn, path, partner, delivery_id, [problem])


def _ingest_locked(conn, path, st, partner, ds, period, sha, size, validator) -> Outcome:
    name = display_name(path.name)
    raw_tables.clean_up_aborted_loads(conn, ds, partner)
    try:
        if _signature(path.lstat()) != _signature(st):
            return _skipped(path, f"{name}: veranderde sinds het werd gelezen")
    except FileNotFoundError:  # another run at the same time has processed it
        msg = f"{name}: al verwerkt door een gelijktijdige run; niets gedaan"
        log.info("%s", msg, extra=REPORTED)
        return Outcome(name, ds.id, period.label, None, "skipped", message=msg)

    prior = ledger.same_content(conn, ds, period, sha)
    if prior and prior.status in (ledger.Status.LOADED, ledger.Status.SUPERSEDED):
        return _unchanged(conn, path, partner, ds, period, prior)
    if prior and prior.status in (ledger.Status.QUARANTINED, ledger.Status.HELD):
        again = "geweigerde" if prior.status == ledger.Status.QUARANTINED else "aangehouden"
        lines = [  # the earlier findings, without the header line and without earlier "byte-identiek" lines
            line[2:]
            for line in (prior.reason or "").splitlines()[1:]
            if line.startswith("- ") and not line.startswith("- byte-identiek")
        ]
        same = f"byte-identiek aan de eerder {again} levering {prior.delivery_id}"
        held = prior.status == ledger.Status.HELD
        refused = _refuse(conn, path, partner, prior.delivery_id, [same, *lines], held=held)
        ledger.count_receipt(conn, prior.delivery_id)  # only once the copy is safely in quarantine
        conn.commit()
        raise refused
    released = prior is not None and prior.status == ledger.Status.RELEASED

    delivery_id = ledger.register(conn, partner, ds, period, name, sha, size, st.st_mtime)
    conn.commit()
    order_problems, hold = delivery_rules.order_problems(conn, ds, period, st.st_mtime, name, released)
    if order_problems:
        try:
            refused = _refuse(conn, path, partner, delivery_id, order_problems, held=hold)
        except InfrastructureError as exc:
            _abort(conn, delivery_id, str(exc))
            raise
        raise refused
    work = ds.partition(delivery_id)
    clock = _Clock()
    archive_dir = storage.archive_folder(partner)
    dest = archive_dir / storage.stored_name(path.name, delivery_id)
    archive_copy = dest.with_name(dest.name + ".tmp") if ds.pseudonymised else None
    try:
        storage.private_dir(archive_dir)  # inside: an archive that cannot be created is a platform fault (aborted)
        problems, rows, archive_sha = _read_and_check(conn, path, ds, period, work, archive_copy, validator, clock)
        if not problems:
            problems = delivery_rules.key_conflicts(conn, ds, period, delivery_id, work, name)
        if problems:
            _require_unchanged(path, st, sha, name)  # problems of a file read while it changed are not the partner's
            raise _refuse(conn, path, partner, delivery_id, problems)
        if not released:
            review = delivery_rules.plausibility(conn, ds, period, delivery_id, work, rows, name)
            if review:
                _require_unchanged(path, st, sha, name)
                raise _refuse(conn, path, partner, delivery_id, review, held=True)
        # archive first, verified; the delivery becomes visible only once its copy is safe
        try:
            if archive_copy:
                _require_unchanged(path, st, sha, name)  # the pseudonymised copy is of the fingerprinted bytes
                os.replace(archive_copy, dest)
                with open(dest.with_name(dest.name + ".sha256"), "w", opener=private_opener) as fh:
                    fh.write(f"{sha}  origineel {name} (met BSN; niet bewaard)\n")
            else:
                storage.copy_verified(path, dest, sha)
                archive_sha = sha
        except OSError as exc:
            raise _infrastructure(f"{name}: kon niet worden gearchiveerd in {archive_dir} ({exc.strerror})") from exc
        clock.lap("archive")
        try:
            replaced = raw_tables.swap_into_place(conn, ds, period, delivery_id, work)
            ledger.mark_loaded(conn, delivery_id, rows, dest, archive_sha)
            conn.commit()  # the delivery is in place; only then leave the landing folder
        except BaseException:
            dest.unlink(missing_ok=True)
            dest.with_name(dest.name + ".sha256").unlink(missing_ok=True)
            raise
        clock.lap("swap")
        try:
            path.unlink()
        except OSError as exc:  # the next run sees identical bytes, already loaded, and removes it
            log.warning("%s: geladen, maar niet uit de landingsmap verwijderd (%s)", name, exc.strerror)
    except (InfrastructureError, FileChanged) as exc:
        _abort(conn, delivery_id, str(exc))
        if isinstance(exc, FileChanged):
            return _skipped(path, str(exc))
        raise
    except OSError as exc:
        _abort(conn, delivery_id, str(exc.strerror))
        raise _infrastructure(f"{name}: fout in het bestandssysteem ({exc.strerror})") from exc
    finally:
        if archive_copy:
            archive_copy.unlink(missing_ok=True)
        with contextlib.suppress(Exception):
            conn.rollback()
            conn.execute(sql.SQL("DROP TABLE IF EXISTS loading.{}").format(sql.Identifier(work)))
            conn.commit()
    msg = f"{name}: {rows} rijen geladen als levering {delivery_id}" + (
        f"; vervangt levering {', '.join(map(str, replaced))}" if replaced else ""
    )
    log.info("%s", msg, extra=REPORTED)
    log.info("%s stage timings (s): %s", name, clock.laps)
    return Outcome(name, ds.id, period.label, delivery_id, "loaded", rows, replaced, msg, clock.laps)


def _abort(conn, delivery_id: int, fault: str) -> None:
    """A fault of the platform: what the load did is rolled back, and its ledger row is ``aborted``."""
    conn.rollback()
    ledger.abort(conn, delivery_id, f"infrastructuur: {fault}")
    conn.commit()


def _infrastructure(what: str) -> InfrastructureError:
    return InfrastructureError(
        f"{what}. Het bestand blijft in de landingsmap; niets is geladen. Los de oorzaak op (schijfruimte, "
        "rechten); de volgende run verwerkt het opnieuw."
    )


def _unchanged(conn, path: Path, partner: str, ds: Dataset, period: Period, prior: ledger.Entry) -> Outcome:
    """A re-delivery of bytes already received for this period: nothing changes."""
    name = display_name(path.name)
    ledger.count_receipt(conn, prior.delivery_id)
    stored = Path(prior.stored_as) if prior.stored_as else None
    if stored is not None and not stored.exists() and not ds.pseudonymised:  # a lost archive copy: restore it
        storage.copy_verified(path, stored, sha256_of(path))
    conn.commit()
    path.unlink(missing_ok=True)  # the archive holds these bytes already (or their pseudonymised copy)
    state = (
        "de actieve levering"
        if prior.status == ledger.Status.LOADED
        else f"een levering die al is vervangen door levering {prior.superseded_by}"
    )
    msg = f"{name}: byte-identiek aan levering {prior.delivery_id} ({state}); niets gewijzigd"
    log.info("%s", msg, extra=REPORTED)
    return Outcome(name, ds.id, period.label, prior.delivery_id, "unchanged", message=msg)


def _read_and_check(conn, path, ds, period, work, archive_copy, validator, clock):
    """Structure checks, COPY, GX. Problems in the file are returned (the partner's); faults of the
    platform raise. Any other error while reading the file is a refusal of that file."""
    name = display_name(path.name)
    rows, archive_sha = 0, None
    try:
        problems, offset = check_structure(path, ds)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - a hostile file must not stop the run: refuse it
        log.error("%s: unexpected %s in the structure checks", name, type(exc).__name__)
        return [f"{name}: het bestand kon niet worden gelezen ({type(exc).__name__})"], 0, None
    clock.lap("structure")
    if problems:
        return problems, 0, None
    try:
        rows, archive_sha = raw_tables.copy_into_work_table(conn, path, ds, offset, work, archive_copy)
        conn.commit()
        clock.lap("copy")
    except StreamProblems as exc:
        conn.rollback()
        return exc.problems, 0, None
    except (psycopg.errors.DataError, psycopg.errors.BadCopyFileFormat) as exc:
        conn.rollback()
        return [raw_tables.copy_error_message(name, exc)], 0, None
    except (OSError, psycopg.OperationalError, psycopg.InterfaceError, InfrastructureError):
        raise
    except psycopg.Error as exc:
        raise _infrastructure(f"{name}: onverwachte databasefout bij COPY ({type(exc).__name__})") from exc
    except Exception as exc:  # noqa: BLE001 - e.g. a workbook the reader cannot handle: refuse that file
        conn.rollback()
        log.error("%s: unexpected %s while reading", name, type(exc).__name__)
        return [f"{name}: het bestand kon niet worden gelezen ({type(exc).__name__})"], 0, None
    problems = validator.validate(ds, period, work, name)
    clock.lap("gx")
    return problems, rows, archive_sha


def release(tgt: PgTarget, delivery_id: int, by: str) -> Path:
    """An operator releases a held delivery: its file goes back to the landing folder and the next
    run loads it without the check it was held for (order or plausibility); every other check still
    applies. Returns where the file was put."""
    tgt = as_role(tgt, credentials.LOADER)
    with connect(tgt) as conn:
        entry = ledger.get(conn, delivery_id)
        if entry is None:
            raise ValueError(f"levering {delivery_id} bestaat niet")
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (entry.dataset,))
        ledger.release(conn, delivery_id, by)  # TransitionRefused (a ValueError) unless it is held
        folder = config.paths().landing / entry.partner
        folder.mkdir(parents=True, exist_ok=True)
        dest = folder / entry.file_name
        if dest.exists():
            raise ValueError(
                f"{display_name(entry.file_name)} staat al in de landingsmap; verwerk of verwijder dat eerst"
            )
        if entry.stored_as is None:  # a held delivery always has its original in the quarantine
            raise ValueError(f"levering {delivery_id}: het bestand is niet bewaard")
        os.replace(entry.stored_as, dest)  # keeps its modification time: the release is in the ledger, not the file
        Path(entry.stored_as + ".reden.txt").unlink(missing_ok=True)
        conn.commit()
    log.info("delivery %s released by %s; %s is back in %s", delivery_id, by, display_name(entry.file_name), folder)
    return dest


def pending_files(partner: str, landing: Path | None = None, settle: float | None = None) -> list[Path]:
    """Entries waiting in a partner's landing folder, oldest first (a correction after its original).

    Names starting with a dot are uploads in progress (the usual convention of SFTP clients) and are
    left alone; so is any entry changed less than ``settle`` seconds ago (still being written).
    Entries that are not regular files are returned too: they are refused, never followed.
    """
    folder = (landing or config.paths().landing) / partner
    if not folder.is_dir():
        return []
    settle = settle_seconds() if settle is None else settle
    now = time.time()
    entries = []
    for p in folder.iterdir():
        if p.name.startswith("."):
            continue
        try:
            st = p.lstat()
        except FileNotFoundError:  # taken by a concurrent run
            continue
        if now - st.st_mtime < settle:
            log.info("%s: nog in ontvangst (gewijzigd < %.0f s geleden); volgende run", display_name(p.name), settle)
            continue
        entries.append((st.st_mtime, p.name, p))
    return [p for _, _, p in sorted(entries)]


def ingest_partner(
    partner: str, tgt: PgTarget, landing: Path | None = None, datasets: Iterable[str | None] | None = None
) -> tuple[list[Outcome], list[DeliveryRejected]]:
    """Process every pending file of a partner; a refused file, or a platform fault on one file, does
    not stop the others (faults are outcomes with status ``failed``).

    ``datasets`` limits the run to these dataset ids; ``None`` in it stands for entries whose
    name matches no agreed delivery (they are refused).
    """
    tgt = as_role(tgt, credentials.LOADER)
    wanted = set(datasets) if datasets else None
    files = pending_files(partner, landing)
    if wanted is not None:
        files = [f for f in files if _dataset_of(partner, f.name) in wanted]
    outcomes: list[Outcome] = []
    rejected: list[DeliveryRejected] = []
    try:
        raw_tables.sweep_leftovers(tgt, partner)
    except Exception as exc:  # noqa: BLE001 - never stops the loads; the next run tries again
        log.warning("leftovers of %s not swept (%s)", partner, type(exc).__name__)
    if not files:
        return outcomes, rejected
    validator = _LazyValidator(tgt)
    for path in files:
        try:
            if _pseudonymised(partner, path.name):  # no key, or a stale one: refused before the file is touched
                require_current_chain(tgt)
            outcomes.append(ingest_file(path, partner, tgt, validator))
        except DeliveryRejected as exc:
            rejected.append(exc)
            outcomes.append(
                Outcome(
                    display_name(path.name),
                    _dataset_of(partner, path.name),
                    None,
                    exc.delivery_id,
                    "held" if exc.held else "quarantined",
                    message=exc.message,
                )
            )
        except Exception as exc:  # noqa: BLE001 - one file's fault must not stop the others
            if isinstance(exc, InfrastructureError):
                msg = str(exc)
                log.error("%s", msg, extra=REPORTED)
            else:
                msg = f"{display_name(path.name)}: onverwachte fout ({type(exc).__name__}); het bestand blijft staan"
                log.error("%s", msg, extra=REPORTED)  # the reason first, then where it came from
                log.error("%s: raised at (frames only, not the text):\n%s", display_name(path.name), _frames_only(exc))
            ds_id = _dataset_of(partner, path.name)
            outcomes.append(Outcome(display_name(path.name), ds_id, None, None, "failed", message=msg))
    return outcomes, rejected


class _LazyValidator:
    """The GX validator, created when the first file needs it (``import great_expectations`` ~6 s)."""

    def __init__(self, tgt: PgTarget):
        self.tgt = tgt
        self._validator: Any = None

    def validate(self, *args):
        if self._validator is None:
            from monitor_dordt_west.ingestion.validation import GxValidator

            self._validator = GxValidator(self.tgt)
        return self._validator.validate(*args)


def _frames_only(exc: BaseException) -> str:
    """Where an exception came from, for the log: its frames and type, never its text (nor that of
    the exceptions it was raised from), which may quote a value of the file."""
    return "".join(traceback.format_tb(exc.__traceback__)) + type(exc).__name__


def _pseudonymised(partner: str, file_name: str) -> bool:
    try:
        ds = registry.identify(partner, file_name)[0]
    except ValueError:
        return False
    return ds is not None and ds.pseudonymised


def _dataset_of(partner: str, file_name: str) -> str | None:
    try:
        return registry.identify(partner, file_name)[0].id
    except ValueError:
        return None
