"""Where delivered files are kept: the archive (a verified copy of every loaded delivery, or its
pseudonymised copy) and the quarantine (a refused or held file beside its reason). Both are
private: folders 0700, files 0600 (a delivery may hold personal data). Stored names start with
the delivery's number, ``<delivery_id:08d>__<file name>``."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import stat
from pathlib import Path

from monitor_dordt_west import config
from monitor_dordt_west.ingestion import registry
from monitor_dordt_west.ingestion.errors import FileChanged, InfrastructureError
from monitor_dordt_west.ingestion.file_checks import CHUNK, fingerprint, open_regular
from monitor_dordt_west.ingestion.registry import display_name

log = logging.getLogger(__name__)


def stored_name(name: str, delivery_id: int) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", display_name(name))[: registry.MAX_NAME]
    return f"{delivery_id:08d}__{safe}"


def private_dir(folder: Path) -> Path:
    """A folder for delivered files: readable by the owner only (they may hold personal data)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(folder.stat().st_mode) != 0o700:
        folder.chmod(0o700)
    return folder


def fsync(path: Path) -> None:
    """Flush a file, or a folder (its entries), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_verified(src: Path, dest: Path, sha: str) -> None:
    """Copy ``src`` to ``dest`` (0600), via a temporary name, checking that what was written has the
    SHA-256 the ledger recorded; raises ``FileChanged`` when it has not."""
    tmp = dest.with_name(dest.name + ".tmp")
    digest = hashlib.sha256()
    try:
        with open_regular(src) as fin, open(tmp, "wb", opener=private_opener) as fout:
            while chunk := fin.read(CHUNK):
                fout.write(chunk)
            fout.flush()
            os.fsync(fout.fileno())
        with open(tmp, "rb") as check:
            while chunk := check.read(CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != sha:
            raise FileChanged(f"{display_name(src.name)}: veranderde terwijl het werd verwerkt")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def private_opener(path: str, flags: int) -> int:
    """Open for writing, owner only: also a file that exists already (a reason file of an earlier
    receipt, a leftover ``.tmp``) becomes 0600, whatever mode it had."""
    fd = os.open(path, flags | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
    except OSError:
        os.close(fd)
        raise
    return fd


def sha256_of(path: Path) -> str:
    return fingerprint(path)[0]


def archive_folder(partner: str) -> Path:
    return config.paths().archive / partner


def quarantine(path: Path, partner: str, delivery_id: int, message: str) -> Path:
    """Move the file to quarantine (0600, in a 0700 folder) beside ``<name>.reden.txt`` with
    ``message``; returns where it is. If the file cannot be stored, nothing is left behind:
    ``InfrastructureError`` (a fault of the platform, not the partner's)."""
    folder = config.paths().quarantine / partner
    dest = folder / stored_name(path.name, delivery_id)
    reason = dest.with_name(dest.name + ".reden.txt")
    try:
        private_dir(folder)
        with open(reason, "w", encoding="utf-8", opener=private_opener) as fh:
            fh.write(message + "\n")
        os.replace(path, dest)  # the same file system as the landing folder, or EXDEV
        if not dest.is_symlink():
            dest.chmod(0o700 if dest.is_dir() else 0o600)  # a refused delivery may hold personal data
    except OSError as exc:
        with contextlib.suppress(OSError):  # e.g. EROFS: even a missing file cannot be unlinked there
            reason.unlink(missing_ok=True)
        raise InfrastructureError(
            f"{display_name(path.name)}: kon niet in quarantaine worden gezet in {folder} ({exc.strerror}); "
            "het bestand blijft in de landingsmap. Los de oorzaak op (schijfruimte, rechten, zelfde "
            "bestandssysteem als de landingsmap); de volgende run verwerkt het opnieuw."
        ) from exc
    return dest


def remove_archived(partner: str, delivery_id: int) -> None:
    """What a load of this delivery wrote to the archive (an unfinished copy of an interrupted load)."""
    for leftover in archive_folder(partner).glob(f"{delivery_id:08d}__*"):
        leftover.unlink(missing_ok=True)


def sweep(partner: str, file_names: dict[int, str]) -> None:
    """The ``*.tmp`` files in a partner's archive and quarantine folders that loads of these
    deliveries (``delivery_id: file name``) left; and every stored file made 0600."""
    for folder in (archive_folder(partner), config.paths().quarantine / partner):
        if not folder.is_dir():
            continue
        for entry in os.scandir(folder):
            head = entry.name.split("__", 1)[0]
            if entry.name.endswith(".tmp") and head.isdigit() and int(head) in file_names:
                if entry.name.startswith(stored_name(file_names[int(head)], int(head))):
                    Path(entry.path).unlink(missing_ok=True)
                    log.warning("removed %s, left by an interrupted load", entry.name)
            elif entry.is_file(follow_symlinks=False) and stat.S_IMODE(entry.stat().st_mode) & 0o077:
                os.chmod(entry.path, 0o600)
