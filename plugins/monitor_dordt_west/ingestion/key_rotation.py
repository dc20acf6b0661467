"""Pseudonym key generations: the check that ingestion uses the warehouse's key chain, and the rotation.

A new key means new pseudonyms: loaded with another key, the same person would be counted as two
people (distinct persons over a year, inflow of new clients, repeat counts). The archive keeps only
pseudonymised copies (BSNs are never stored), so stored rows cannot be pseudonymised again from the
BSN. A rotation therefore *chains* the keys: it rewrites every stored pseudonym ``p`` as
``HMAC(k_new, p)`` — in the raw tables of every pseudonymised dataset and in the archived copies —
and from then on a BSN's pseudonym is ``HMAC(k_new, HMAC(k_old, bsn))`` (``pseudonym.pseudonymise``
over the chain ``k_old,k_new``). Everything in one database transaction: the archive copies are
written beside the originals first (temporary name, fsync, mode 0600), switched in just before the
commit with a hard-linked backup of each original, and put back from those backups if the commit
does not happen; a rotation interrupted harder than that (the process killed) is reconciled by
the next one from ``mdw_meta.load_ledger.archive_sha256``.

``mdw_meta.pseudonym_key_rotation`` records every generation: when, by whom, and a keyed
fingerprint of its key (``pseudonym.fingerprint``), never the key. Ingestion refuses a chain that
does not fit the recorded generations (``check_chain``): a stale secret would otherwise silently
give everyone new pseudonyms.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import logging
import os
import secrets
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from psycopg import sql

from monitor_dordt_west import config
from monitor_dordt_west.ingestion import ledger, pseudonym, registry, storage
from monitor_dordt_west.ingestion.errors import InfrastructureError
from monitor_dordt_west.ingestion.file_checks import CHUNK, open_regular
from monitor_dordt_west.warehouse.connection import PgTarget, connect

log = logging.getLogger(__name__)

TABLE = "mdw_meta.pseudonym_key_rotation"
LOCK = "mdw_meta.pseudonym_key_rotation"
TMP_SUFFIX = ".rotating"  # the rewritten archive copy, before the switch
BACKUP_SUFFIX = ".pre-rotation"  # a hard link to the original copy, until the rotation has committed
PENDING_SUFFIX = ".new"  # the new chain beside the key file, until the rotation has committed

DDL = """
CREATE TABLE IF NOT EXISTS mdw_meta.pseudonym_key_rotation (
    generation      integer     PRIMARY KEY CHECK (generation >= 0),
    key_fingerprint char(16)    NOT NULL,
    rotated_at      timestamptz NOT NULL DEFAULT now(),
    rotated_by      text        NOT NULL,
    raw_rows        bigint,
    pseudonyms      bigint,
    archive_files   integer
);
COMMENT ON TABLE mdw_meta.pseudonym_key_rotation IS
    'Generaties van de pseudoniemsleutel: generatie 0 is de eerste sleutel, elke rotatie voegt er een toe. '
    'key_fingerprint = HMAC-SHA256(sleutel, ''mdw-key-id''), eerste 16 tekens: herkent de sleutel zonder hem te '
    'onthullen. De ingestie weigert een sleutelketen die niet bij de laatste generatie past.';
"""

NO_LOSS = "SDD ingestion does not start; the files stay in the landing folder."


class KeyNotUsable(InfrastructureError):
    """The configured key chain is missing, malformed or does not fit the warehouse: a fault of the
    platform's configuration, never the partner's (the file stays in the landing folder)."""


class RotationRefused(Exception):
    """The rotation did not start or was undone; nothing changed. The message says why."""


def pseudonymised_datasets() -> list[registry.Dataset]:
    return [ds for ds in registry.DATASETS if ds.pseudonymised]


def pseudonym_columns(ds: registry.Dataset) -> list[registry.Column]:
    return [c for c in ds.columns if c.pseudonymise]


# --------------------------------------------------------------------------- the check


@dataclass(frozen=True)
class Generation:
    generation: int
    fingerprint: str
    rotated_at: object
    rotated_by: str


def generations(conn) -> list[Generation]:
    """The recorded generations, oldest first ([] when the warehouse was never rotated)."""
    if conn.execute("SELECT to_regclass(%s)", (TABLE,)).fetchone()[0] is None:
        return []
    rows = conn.execute(
        f"SELECT generation, key_fingerprint, rotated_at, rotated_by FROM {TABLE} ORDER BY generation"
    ).fetchall()
    return [Generation(*r) for r in rows]


def chain_problem(keys: tuple[bytes, ...], recorded: list[Generation]) -> str | None:
    """Why this chain does not fit the warehouse, or None. Fingerprints only, never key material."""
    current = recorded[-1].generation if recorded else 0
    if len(keys) - 1 != current:
        if not recorded:
            return (
                f"the configured key chain has {len(keys)} keys (generation {len(keys) - 1}), but this warehouse was "
                "never rotated (generation 0, one key): it is not the warehouse this chain was rotated for"
            )
        last = recorded[-1]
        stale = len(keys) - 1 < current
        when = f"{last.rotated_at:%Y-%m-%d %H:%M}"
        return (
            f"the configured key chain is {'stale' if stale else 'ahead of this warehouse'}: it has {len(keys)} key(s) "
            f"(generation {len(keys) - 1}), the warehouse is at generation {current} (rotated {when} by "
            f"{last.rotated_by}, key fingerprint {last.fingerprint}); loading with it would give every "
            "person a new pseudonym. Configure the chain that `mdw rotate-pseudonym-key` wrote"
        )
    for g in recorded:
        if pseudonym.fingerprint(keys[g.generation]) != g.fingerprint:
            return (
                f"key {g.generation + 1} of the configured chain is not the key of generation {g.generation} of this "
                f"warehouse (fingerprint {pseudonym.fingerprint(keys[g.generation])}, expected {g.fingerprint}); "
                "loading with it would give every person a new pseudonym"
            )
    return None


def check_chain(conn) -> tuple[bytes, ...]:
    """The configured chain, if it fits the warehouse's recorded generations; else ``KeyNotUsable``
    (an infrastructure fault: the SDD file stays in the landing folder). Runs in ``conn``'s
    transaction (ingestion calls it under the dataset's lock, which a rotation takes too)."""
    pseudonym.configured.cache_clear()  # resolved afresh, and then what pseudonymise uses is what was checked here
    try:
        chain = pseudonym.configured()
    except pseudonym.PseudonymKeyError as exc:
        raise KeyNotUsable(f"Pseudonym key: {exc}") from None
    problem = chain_problem(chain.keys, generations(conn))
    if problem:
        raise KeyNotUsable(f"Pseudonym key ({chain.where}): {problem}.{_pending_hint(conn, chain)} {NO_LOSS}")
    return chain.keys


def require_current_chain(tgt: PgTarget) -> tuple[bytes, ...]:
    """``check_chain`` on its own connection: the check before an SDD file is touched."""
    import psycopg

    try:
        with connect(tgt) as conn:
            return check_chain(conn)
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        raise InfrastructureError(
            f"het warehouse is niet bereikbaar om de pseudoniemsleutel te controleren ({type(exc).__name__}); de "
            "bestanden blijven in de landingsmap en de volgende run verwerkt ze opnieuw."
        ) from exc


def default_chain_out() -> Path:
    """Where a rotation writes the new chain when the key comes from the environment or Airflow."""
    return config.paths().home / "secrets" / "pseudonym-key-chain.new"


def _pending_hint(conn, chain: pseudonym.KeyChain) -> str:
    """If a rotation wrote a new chain that fits the warehouse and it is not configured yet, say where it is."""
    candidates = [chain.path.with_name(chain.path.name + PENDING_SUFFIX)] if chain.path else []
    candidates.append(default_chain_out())
    recorded = generations(conn)
    for pending in candidates:
        try:
            keys = pseudonym.parse_chain(pending.read_text(encoding="ascii"), str(pending))
        except (OSError, UnicodeDecodeError, pseudonym.PseudonymKeyError):
            continue
        if chain_problem(keys, recorded) is None:
            where = f"move it to {chain.path}" if chain.path else f"put its content into {chain.where}"
            return f" The chain that fits this warehouse is in {pending}: {where}."
    return ""


# --------------------------------------------------------------------------- the rotation


@dataclass
class RotationResult:
    generation: int
    fingerprint: str
    raw_rows: int
    pseudonyms: int
    archive_files: int
    seconds: float
    source: str
    chain_file: Path
    chain_in_place: bool  # the chain file is the configured key file (local/explicit): nothing else to do
    by_dataset: dict[str, int] = field(default_factory=dict)


def rotate(tgt: PgTarget, by: str, new_key: bytes | None = None, chain_out: Path | None = None) -> RotationResult:
    """Rotate the warehouse and the archive from the configured chain to that chain plus ``new_key``
    (default: a random key). Refuses (``RotationRefused``, nothing changed) while a load of a
    pseudonymised dataset runs or is unfinished (ledger ``loading``), when the configured chain does
    not fit the warehouse, or when an archive copy is not what the ledger recorded.

    The new chain is written to the configured key file (local default or ``MDW_PSEUDONYM_KEY_FILE``);
    when the chain comes from the environment or Airflow, to ``chain_out`` (default
    ``$MDW_HOME/secrets/pseudonym-key-chain.new``, 0600), for the operator to put into the secret.
    """
    t0 = time.monotonic()
    chain = pseudonym.resolve()
    new_key = new_key if new_key is not None else secrets.token_bytes(pseudonym.KEY_BYTES)
    if len(new_key) != pseudonym.KEY_BYTES:
        raise RotationRefused(f"the new key must be {pseudonym.KEY_BYTES} bytes (64 hex characters)")
    if new_key in chain.keys:
        raise RotationRefused("the new key is already part of the configured chain")
    new_keys = (*chain.keys, new_key)
    if chain.source in ("local", "file") and chain.path is not None:
        chain_file, in_place = chain.path, True
    else:
        chain_file, in_place = chain_out or default_chain_out(), False
    pending = chain_file.with_name(chain_file.name + PENDING_SUFFIX) if in_place else chain_file
    copies: list[ArchiveCopy] = []
    commit_started = False
    with connect(tgt) as conn:
        try:
            _lock_out_loads(conn)
            reconcile_archive(conn)
            problem = chain_problem(chain.keys, generations(conn))
            if problem:
                raise RotationRefused(f"{chain.where}: {problem}. Nothing was rotated.")
            conn.execute(DDL)
            by_dataset, raw_rows, distinct = _rotate_raw(conn, new_key)
            copies = _rewrite_archive(conn, new_key)
            if not generations(conn):
                _record(conn, 0, chain.keys[0], f"{by} (first key, recorded at the first rotation)")
            _record(conn, len(chain.keys), new_key, by, raw_rows, distinct, len(copies))
            _write_secret_file(pending, pseudonym.format_chain(new_keys))
            for copy in copies:  # the switch: each original kept as a hard link until the commit
                copy.switch()
            _fsync_dirs({c.path.parent for c in copies})
            commit_started = True
            _commit(conn)
        except BaseException:
            with contextlib.suppress(Exception):
                conn.rollback()
            committed = _committed(tgt, len(chain.keys), new_key) if commit_started else False
            if committed is False:
                _undo(copies, pending)
            if committed is not True:
                raise
            log.warning("key rotation: the commit reported an error but did happen; finishing the rotation")
    for copy in copies:
        copy.backup.unlink(missing_ok=True)
    if in_place:
        os.replace(pending, chain_file)
        _fsync_dirs({chain_file.parent})
    pseudonym.configured.cache_clear()
    result = RotationResult(
        generation=len(chain.keys),
        fingerprint=pseudonym.fingerprint(new_key),
        raw_rows=raw_rows,
        pseudonyms=distinct,
        archive_files=len(copies),
        seconds=round(time.monotonic() - t0, 2),
        source=chain.where,
        chain_file=chain_file,
        chain_in_place=in_place,
        by_dataset=by_dataset,
    )
    log.warning(
        "pseudonym key rotated to generation %s (fingerprint %s) by %s: %s raw rows, %s pseudonyms, %s archive copies",
        result.generation,
        result.fingerprint,
        by,
        raw_rows,
        distinct,
        result.archive_files,
    )
    return result


def _commit(conn) -> None:
    conn.commit()


def _lock_out_loads(conn) -> None:
    """No load of a pseudonymised dataset may run during the rotation: take each dataset's load lock
    (ingestion holds it for a whole load and checks the chain under it) for this transaction."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (LOCK,))
    for ds in pseudonymised_datasets():
        if not conn.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", (ds.id,)).fetchone()[0]:
            raise RotationRefused(
                f"a load of {ds.id} is in progress; wait until it has finished (pause the ingest DAGs first). "
                "Nothing was rotated."
            )
    loading = ledger.in_state(conn, ledger.Status.LOADING, [ds.id for ds in pseudonymised_datasets()])
    if loading:
        listed = ", ".join(f"{e.delivery_id} ({e.dataset})" for e in loading[:10])
        raise RotationRefused(
            f"the load ledger has deliveries in state 'loading': {listed}. No load runs now, so they were "
            "interrupted: the next ingestion run of their dataset marks them aborted and cleans up (or wait "
            "until a running load has finished). Nothing was rotated."
        )
    for ds in pseudonymised_datasets():  # outside a load the loading schema holds nothing of these datasets
        for (table,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'loading' AND tablename LIKE %s",
            (ds.name + "\\_\\_d%",),
        ).fetchall():
            conn.execute(sql.SQL("DROP TABLE loading.{}").format(sql.Identifier(table)))


def _rotate_raw(conn, new_key: bytes) -> tuple[dict[str, int], int, int]:
    """Every stored pseudonym p in the raw tables becomes HMAC(new_key, p); computed here, so the key
    never reaches the server (its statements, logs or statistics)."""
    targets = [(ds, c) for ds in pseudonymised_datasets() for c in pseudonym_columns(ds)]
    old: set[str] = set()
    for ds, c in targets:
        rows = conn.execute(
            sql.SQL("SELECT DISTINCT {} FROM {}.{} WHERE {} <> ''").format(
                sql.Identifier(c.name), sql.Identifier(ds.raw_schema), sql.Identifier(ds.name), sql.Identifier(c.name)
            )
        )
        old.update(r[0] for r in rows)
    conn.execute("CREATE TEMP TABLE mdw_key_rotation_map (old text PRIMARY KEY, new text NOT NULL) ON COMMIT DROP")
    with conn.cursor() as cur, cur.copy("COPY mdw_key_rotation_map (old, new) FROM STDIN") as copy:
        for p in old:
            copy.write_row((p, pseudonym.pseudonymise(new_key, p)))
    conn.execute("ANALYZE mdw_key_rotation_map")
    by_dataset: dict[str, int] = {}
    for ds, c in targets:
        table, col = sql.Identifier(ds.raw_schema, ds.name), sql.Identifier(c.name)
        cur = conn.execute(
            sql.SQL("UPDATE {} AS r SET {} = m.new FROM mdw_key_rotation_map AS m WHERE r.{} = m.old").format(
                table, col, col
            )
        )
        by_dataset[ds.id] = by_dataset.get(ds.id, 0) + cur.rowcount
        left = conn.execute(
            sql.SQL("SELECT count(*) FROM {} AS r JOIN mdw_key_rotation_map AS m ON r.{} = m.old").format(table, col)
        ).fetchone()[0]
        if left:
            raise RuntimeError(f"{ds.raw_table}.{c.name}: {left} row(s) still hold an old pseudonym after the rotation")
    return by_dataset, sum(by_dataset.values()), len(old)


@dataclass
class ArchiveCopy:
    delivery_id: int
    path: Path
    tmp: Path
    sha256: str

    @property
    def backup(self) -> Path:
        return self.path.with_name(self.path.name + BACKUP_SUFFIX)

    def switch(self) -> None:
        self.backup.unlink(missing_ok=True)
        os.link(self.path, self.backup)
        os.replace(self.tmp, self.path)


def _archived_copies(conn) -> list[tuple[int, registry.Dataset, Path, str]]:
    """The pseudonymised archive copies the ledger knows of (active and superseded deliveries)."""
    by_id = {ds.id: ds for ds in pseudonymised_datasets()}
    return [
        (e.delivery_id, by_id[e.dataset], Path(e.stored_as), e.archive_sha256.strip())
        for e in ledger.archived(conn, list(by_id))
        if e.dataset and e.stored_as and e.archive_sha256  # what ledger.archived selects
    ]


def _rewrite_archive(conn, new_key: bytes) -> list[ArchiveCopy]:
    """Each archived pseudonymised copy rewritten beside itself (``<name>.rotating``, 0600, fsynced)
    with every pseudonym p as HMAC(new_key, p); the ledger's ``archive_sha256`` updated in the
    transaction. The copy must be what the ledger recorded, else nothing is rotated."""
    copies: list[ArchiveCopy] = []
    try:
        for delivery_id, ds, path, sha in _archived_copies(conn):
            try:
                found = storage.sha256_of(path)
            except OSError as exc:
                raise RotationRefused(
                    f"the archive copy of delivery {delivery_id} ({path}) cannot be read ({exc.strerror}); "
                    "restore it from the backup of the archive. Nothing was rotated."
                ) from None
            if found != sha:
                raise RotationRefused(
                    f"the archive copy of delivery {delivery_id} ({path}) is not what the load ledger recorded "
                    "(archive_sha256 differs); restore it from the backup of the archive. Nothing was rotated."
                )
            tmp = path.with_name(path.name + TMP_SUFFIX)
            new_sha = _rewrite_copy(path, tmp, ds, new_key)
            copies.append(ArchiveCopy(delivery_id, path, tmp, new_sha))
            ledger.record_archive_sha(conn, delivery_id, new_sha)
    except BaseException:
        for copy in copies:
            copy.tmp.unlink(missing_ok=True)
        raise
    return copies


def _rewrite_copy(path: Path, tmp: Path, ds: registry.Dataset, new_key: bytes) -> str:
    """Read the pseudonymised copy as ingestion wrote it (UTF-8, the dataset's separator and quote, LF)
    and write it again with the pseudonym columns rotated; returns the new copy's SHA-256."""
    digest = hashlib.sha256()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=ds.delimiter, quotechar=ds.quote, lineterminator="\n")

    def flush(out) -> None:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        out.write(data)
        digest.update(data)

    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    with (
        io.TextIOWrapper(open_regular(path), encoding="utf-8", newline="") as fin,
        os.fdopen(os.open(tmp, flags, 0o600), "wb") as out,
    ):
        try:
            reader = csv.reader(fin, delimiter=ds.delimiter, quotechar=ds.quote)
            header = next(reader, None)
            if header is not None:
                writer.writerow(header)
                columns = [header.index(c.header) for c in pseudonym_columns(ds) if c.header in header]
                for row in reader:
                    for i in columns:
                        if i < len(row) and row[i]:
                            row[i] = pseudonym.pseudonymise(new_key, row[i])
                    writer.writerow(row)
                    if buffer.tell() >= CHUNK:
                        flush(out)
            flush(out)
            out.flush()
            os.fsync(out.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    if storage.sha256_of(tmp) != digest.hexdigest():  # what is on disk is what was written
        tmp.unlink(missing_ok=True)
        raise OSError(f"{tmp}: the rewritten archive copy was not written correctly")
    return digest.hexdigest()


def _record(conn, generation: int, k: bytes, by: str, raw_rows=None, distinct=None, files=None) -> None:
    conn.execute(
        f"INSERT INTO {TABLE} (generation, key_fingerprint, rotated_by, raw_rows, pseudonyms, archive_files) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        (generation, pseudonym.fingerprint(k), by, raw_rows, distinct, files),
    )


def _write_secret_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temporary name, fsync, rename), mode 0600; a folder it
    creates is 0700 (an existing folder is left as it is: it may be shared, e.g. ``$MDW_HOME``)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    try:
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600), "w") as fh:
            fh.write(text + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dirs({path.parent})


def _fsync_dirs(folders) -> None:
    for folder in folders:
        storage.fsync(folder)


def _committed(tgt: PgTarget, generation: int, new_key: bytes) -> bool | None:
    """After a failed commit: did it happen after all? None when the warehouse cannot tell (then
    nothing is undone: the next rotation reconciles the archive with the ledger first)."""
    try:
        with connect(tgt) as conn:
            recorded = generations(conn)
    except Exception:  # noqa: BLE001 - the database is unreachable
        log.error("key rotation: commit failed and the warehouse cannot be reached; run the rotation again later")
        return None
    return (
        bool(recorded)
        and recorded[-1].generation == generation
        and (recorded[-1].fingerprint == pseudonym.fingerprint(new_key))
    )


def _undo(copies: list[ArchiveCopy], pending: Path) -> None:
    """The rotation did not commit: put every original archive copy back, remove what it wrote."""
    for copy in copies:
        with contextlib.suppress(FileNotFoundError):
            if copy.backup.exists():
                os.replace(copy.backup, copy.path)
        copy.tmp.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        pending.unlink(missing_ok=True)


def reconcile_archive(conn) -> int:
    """Leftovers of an interrupted rotation: a rewritten copy that was never switched in is removed;
    an original kept as backup is put back if the ledger still records it (the rotation did not
    commit), else removed. Returns how many copies were put back."""
    restored = 0
    for delivery_id, _ds, path, sha in _archived_copies(conn):
        tmp = path.with_name(path.name + TMP_SUFFIX)
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISREG(tmp.lstat().st_mode):
                tmp.unlink()
        backup = path.with_name(path.name + BACKUP_SUFFIX)
        if not backup.exists():
            continue
        if path.exists() and storage.sha256_of(path) == sha:
            backup.unlink()
        elif storage.sha256_of(backup) == sha:
            os.replace(backup, path)
            restored += 1
            log.warning("delivery %s: archive copy put back from before an interrupted key rotation", delivery_id)
        else:
            raise RotationRefused(
                f"the archive copy of delivery {delivery_id} ({path}) and its backup {backup} both differ from the "
                "load ledger's archive_sha256; restore the copy from the backup of the archive. Nothing was rotated."
            )
    return restored


PROCEDURE = """\
Rotating the pseudonym key (README, "Pseudonym key"):
  1. pause the ingest DAGs (ingest_sdd at least) and let running loads finish;
  2. ./mdw rotate-pseudonym-key --yes   (rewrites every stored pseudonym, raw tables and archive,
     in one transaction, and writes the new key chain);
  3. if the key comes from MDW_PSEUDONYM_KEY or the Airflow connection mdw_pseudonym_key: put the
     new chain (from the file the rotation names) into that secret, then delete the file;
  4. ./mdw build   (dbt's intermediate tables still hold the old pseudonyms until the next build);
  5. resume the DAGs. Ingestion refuses a chain that does not fit the warehouse's generation."""


def report(result: RotationResult) -> str:
    lines = [
        f"Pseudonym key rotated to generation {result.generation} (key fingerprint {result.fingerprint}) "
        f"in {result.seconds:.1f} s: {result.raw_rows} raw rows ({result.pseudonyms} distinct pseudonyms) and "
        f"{result.archive_files} archive copies rewritten, in one transaction.",
    ]
    lines += [f"  {ds}: {n} rows" for ds, n in sorted(result.by_dataset.items())]
    if result.chain_in_place:
        lines.append(f"The new key chain is in {result.chain_file} (0600); ingestion uses it from now on.")
    else:
        lines.append(
            f"The key came from {result.source}: the new key chain is in {result.chain_file} (0600). Put its "
            f"content into {result.source} now (the whole line: every key, oldest first), then delete the file. "
            "Until the secret is updated, SDD ingestion refuses to run (stale key chain)."
        )
    lines.append("Next: ./mdw build (the intermediate tables still hold the old pseudonyms), then resume the DAGs.")
    return "\n".join(lines)
