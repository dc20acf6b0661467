"""BSN handling: the 11-proef and a keyed pseudonym (HMAC-SHA256).

A plain hash of a BSN is not a pseudonym (all valid BSNs can be hashed in minutes); the key
makes the pseudonym unguessable without it. The same key gives the same person the same
pseudonym in every delivery and dataset. The key comes, in this order, from:

1. ``MDW_PSEUDONYM_KEY`` (hex), e.g. injected by a secrets manager;
2. the Airflow connection ``mdw_pseudonym_key`` (its password field, hex) — inside Airflow;
3. for local use only: ``$MDW_HOME/secrets/pseudonym.key``, created once with a random key
   (mode 0600, outside the repository; losing it means new pseudonyms for everyone).

The key never goes to the warehouse, the logs or XCom, and BSNs are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from functools import cache

from . import config

log = logging.getLogger(__name__)

KEY_CONN_ID = "mdw_pseudonym_key"
WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def is_valid_bsn(value: str) -> bool:
    """9 digits and the 11-proef: 9a + 8b + ... + 2h - 1i is divisible by 11 (and not all zeros)."""
    if len(value) != 9 or not value.isdigit() or value == "000000000":
        return False
    return sum(w * int(d) for w, d in zip(WEIGHTS, value, strict=True)) % 11 == 0


def pseudonymise(key: bytes, bsn: str) -> str:
    return hmac.new(key, bsn.encode("ascii"), hashlib.sha256).hexdigest()


@cache
def key() -> bytes:
    env = os.environ.get("MDW_PSEUDONYM_KEY")
    if env:
        return bytes.fromhex(env)
    if os.environ.get("AIRFLOW_CTX_DAG_ID") or os.environ.get("AIRFLOW_CONN_" + KEY_CONN_ID.upper()):
        try:
            from airflow.sdk import Connection

            return bytes.fromhex(Connection.get(KEY_CONN_ID).password)
        except Exception:  # noqa: BLE001 - fall back to the local key below, with a warning
            log.warning("Airflow connection %s not available; using the local pseudonym key", KEY_CONN_ID)
    path = config.paths().home / "secrets" / "pseudonym.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        log.warning("created a local pseudonym key in %s (set MDW_PSEUDONYM_KEY in production)", path)
    return bytes.fromhex(path.read_text().strip())


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
