"""BSN handling: the 11-proef and a keyed pseudonym (HMAC-SHA256), under a chain of keys.

A plain hash of a BSN is not a pseudonym (all valid BSNs can be hashed in minutes); the key
makes the pseudonym unguessable without it. The same key gives the same person the same
pseudonym in every delivery and dataset.

**Key chain.** The configured key is a chain ``k1,k2,...`` (hex, oldest first): a BSN's pseudonym
is ``HMAC(kn, ... HMAC(k2, HMAC(k1, bsn)))``. A key rotation (``key_rotation.rotate``) appends a
key and rewrites every stored pseudonym ``p`` as ``HMAC(k_new, p)``, so a person keeps one
pseudonym across the rotation without the BSNs (which are never stored). A chain of one key is
the plain ``HMAC(k1, bsn)``.

The chain comes, in this order, from:

1. ``MDW_PSEUDONYM_KEY`` (the chain, hex), e.g. injected by a secrets manager;
2. the Airflow connection ``mdw_pseudonym_key`` (its password field, the same format) — inside
   Airflow, or when ``AIRFLOW_CONN_MDW_PSEUDONYM_KEY`` is set;
3. ``MDW_PSEUDONYM_KEY_FILE``: a file holding the chain (the local Airflow of the demo sets it);
4. for local use only: ``$MDW_HOME/secrets/pseudonym.key``, created once with a random key
   (mode 0600 in a 0700 folder, outside the repository; losing it means new pseudonyms for
   everyone). **Never** inside an Airflow task (``AIRFLOW_CTX_DAG_ID``) or with
   ``MDW_ENV=production``: there a missing key is an error (``PseudonymKeyError``), not a new key.

The key never goes to the warehouse, the logs, XCom or an error message (only a keyed
fingerprint, ``fingerprint``), and BSNs are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from monitor_dordt_west import config

log = logging.getLogger(__name__)

KEY_CONN_ID = "mdw_pseudonym_key"
KEY_ENV = "MDW_PSEUDONYM_KEY"
KEY_FILE_ENV = "MDW_PSEUDONYM_KEY_FILE"
KEY_BYTES = 32
WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
_HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")
FINGERPRINT_MESSAGE = b"mdw-key-id"

HOW_TO_CONFIGURE = (
    f"set {KEY_ENV} (the key chain: 64 hex characters per key, comma-separated, oldest first), "
    f"or the password of the Airflow connection {KEY_CONN_ID} (same format), "
    f"or {KEY_FILE_ENV} (the path of a file holding the chain, mode 0600)"
)


class PseudonymKeyError(Exception):
    """The pseudonym key is missing, malformed or does not fit the warehouse. The message says
    what to configure; it never holds key material."""


@dataclass(frozen=True)
class KeyChain:
    """The configured keys, oldest first, and where they came from (``env``, ``airflow``,
    ``file``: an explicitly configured key file, ``local``: the local default file)."""

    keys: tuple[bytes, ...] = field(repr=False)
    source: str
    path: Path | None = None

    @property
    def generation(self) -> int:
        """0 for a single key; one more per rotation."""
        return len(self.keys) - 1

    @property
    def where(self) -> str:
        return {
            "env": KEY_ENV,
            "airflow": f"Airflow connection {KEY_CONN_ID} (password)",
            "file": f"{KEY_FILE_ENV} ({self.path})",
            "local": f"local key file {self.path}",
        }[self.source]


def is_valid_bsn(value: str) -> bool:
    """9 digits and the 11-proef: 9a + 8b + ... + 2h - 1i is divisible by 11 (and not all zeros)."""
    if len(value) != 9 or not value.isdigit() or value == "000000000":
        return False
    return sum(w * int(d) for w, d in zip(WEIGHTS, value, strict=True)) % 11 == 0


def pseudonymise(key: bytes | Sequence[bytes], bsn: str) -> str:
    """The pseudonym of ``bsn`` under one key or a key chain (oldest first): the HMAC-SHA256 (hex) of
    the BSN under the first key, of that under the second key, and so on."""
    chain = (key,) if isinstance(key, bytes | bytearray) else tuple(key)
    value = bsn
    for k in chain:
        value = hmac.new(k, value.encode("ascii"), hashlib.sha256).hexdigest()
    return value


def fingerprint(k: bytes) -> str:
    """A keyed fingerprint of a key (16 hex characters) that identifies it without revealing it."""
    return hmac.new(k, FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]


def production_mode() -> bool:
    """Inside an Airflow task, or ``MDW_ENV=production``: the key must be configured."""
    return bool(os.environ.get("AIRFLOW_CTX_DAG_ID")) or os.environ.get("MDW_ENV", "").lower() == "production"


def parse_chain(text: str, where: str) -> tuple[bytes, ...]:
    """``k1,k2,...`` (hex, oldest first) as keys; a malformed chain is refused without repeating it."""
    parts = [p.strip() for p in text.strip().split(",")]
    for i, part in enumerate(parts, start=1):
        if not _HEX_KEY.fullmatch(part):
            raise PseudonymKeyError(
                f"{where}: key {i} of {len(parts)} is not a 32-byte key written as 64 hexadecimal characters "
                f"({len(part)} characters found; the value is not repeated). Expected: 64 hex characters per key, "
                "comma-separated, oldest first."
            )
    keys = tuple(bytes.fromhex(p) for p in parts)
    if len(set(keys)) != len(keys):
        raise PseudonymKeyError(f"{where}: the key chain holds the same key twice")
    return keys


def format_chain(keys: Sequence[bytes]) -> str:
    return ",".join(k.hex() for k in keys)


def local_key_file() -> Path:
    return config.paths().home / "secrets" / "pseudonym.key"


def ensure_local_key_file() -> Path:
    """The local default key file, created once with a random key (0600 in a 0700 folder)."""
    path = local_key_file()
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(folder.stat().st_mode) != 0o700:
        folder.chmod(0o700)
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:  # created at the same moment by another process
            return path
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(KEY_BYTES) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        log.warning("created a local pseudonym key in %s (production: set %s)", path, KEY_ENV)
    return path


def _read_key_file(path: Path, where: str) -> tuple[bytes, ...]:
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise PseudonymKeyError(f"{where}: cannot be read ({type(exc).__name__}); {HOW_TO_CONFIGURE}") from None
    return parse_chain(text, where)


def _airflow_password() -> tuple[str | None, str | None]:
    """The password of the Airflow connection, or None, and why not (for the error message)."""
    if not (os.environ.get("AIRFLOW_CTX_DAG_ID") or os.environ.get("AIRFLOW_CONN_" + KEY_CONN_ID.upper())):
        return None, None
    try:
        from airflow.sdk import Connection

        password = Connection.get(KEY_CONN_ID).password
    except Exception as exc:  # noqa: BLE001 - not defined, or the secrets backend failed: say so, never guess
        return None, f"the Airflow connection {KEY_CONN_ID} could not be read ({type(exc).__name__})"
    if not password:
        return None, f"the Airflow connection {KEY_CONN_ID} has no password"
    return password, None


def resolve() -> KeyChain:
    """The configured key chain (not cached; ``key()`` is). Raises ``PseudonymKeyError``."""
    env = os.environ.get(KEY_ENV, "").strip()
    if env:
        return KeyChain(parse_chain(env, KEY_ENV), "env")
    password, airflow_problem = _airflow_password()
    if password is not None:
        return KeyChain(parse_chain(password, f"Airflow connection {KEY_CONN_ID} (password)"), "airflow")
    explicit = os.environ.get(KEY_FILE_ENV, "").strip()
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise PseudonymKeyError(
                f"{KEY_FILE_ENV} names {path}, which is not an existing file (an explicitly configured key file is "
                f"never created); {HOW_TO_CONFIGURE}"
            )
        return KeyChain(_read_key_file(path, f"{KEY_FILE_ENV} ({path})"), "file", path)
    if production_mode():
        mode = "inside an Airflow task" if os.environ.get("AIRFLOW_CTX_DAG_ID") else "with MDW_ENV=production"
        raise PseudonymKeyError(
            f"No pseudonym key configured ({mode} a key is never created on the fly"
            + (f"; {airflow_problem}" if airflow_problem else "")
            + f"): {HOW_TO_CONFIGURE}. SDD ingestion does not start; the files stay in the landing folder."
        )
    path = ensure_local_key_file()
    return KeyChain(_read_key_file(path, f"local key file {path}"), "local", path)


@cache
def configured() -> KeyChain:
    """The configured key chain, resolved once (``key.cache_clear()`` resolves it again)."""
    return resolve()


def key() -> tuple[bytes, ...]:
    """The configured keys (oldest first), for ``pseudonymise``."""
    return configured().keys


key.cache_clear = configured.cache_clear  # type: ignore[attr-defined]


def synthetic_bsn(n: int) -> str:
    """A made-up number that passes the 11-proef, for sample deliveries and tests (computed, so
    no BSN-like literal sits in the repository). Different ``n`` give different numbers."""
    base = 100_000_000 + n * 7919
    while True:
        digits = f"{base:09d}"[:8]
        rest = sum(w * int(d) for w, d in zip(WEIGHTS[:8], digits, strict=True)) % 11
        if rest < 10:
            return digits + str(rest)
        base += 10
