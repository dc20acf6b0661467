"""Passwords of the warehouse roles and the project's other generated secrets.

Nothing here is in the repository. A secret comes, in this order, from:

1. an environment variable (``MDW_PG_PASSWORD_<ROLE>``, e.g. from docker-compose's ``.env`` or a
   secrets manager);
2. for local use: ``$MDW_HOME/secrets/<name>`` (folder 0700, file 0600), generated once by the
   owner's migration (``mdw migrate``) or the embedded server's bootstrap.

Secrets are never logged; a missing one raises :class:`MissingSecret`, which names the variable
and the file to set, never a value.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from monitor_dordt_west import config

# the warehouse's login roles (PostgreSQL role mdw_<role>); see roles.py for what each may do
OWNER = "owner"
LOADER = "loader"
TRANSFORMER = "transformer"
PUBLISHER = "publisher"
ANALYST = "analyst"
COMPONENT_ROLES = (LOADER, TRANSFORMER, PUBLISHER, ANALYST)
ROLES = (OWNER, *COMPONENT_ROLES)
SUPERUSER = "superuser"  # the embedded server's bootstrap superuser (postgres): creates mdw_owner only


class MissingSecret(RuntimeError):
    """A secret the component needs is not configured (an operator's task, not a partner's)."""


def role_name(role: str) -> str:
    return "postgres" if role == SUPERUSER else f"mdw_{role}"


def env_var(role: str) -> str:
    return f"MDW_PG_PASSWORD_{role.upper()}"


def secrets_dir() -> Path:
    folder = config.paths().home / "secrets"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(folder.stat().st_mode) != 0o700:
        folder.chmod(0o700)
    return folder


def _file(role: str) -> Path:
    return secrets_dir() / f"pg_{role}.password"


def password(role: str, *, create: bool = False) -> str:
    """The password of ``role``; ``create``: generate and keep it when none is configured yet."""
    from_env = os.environ.get(env_var(role))
    if from_env:
        return from_env
    path = _file(role)
    if path.exists():
        return read_secret_file(path)
    if not create:
        raise MissingSecret(
            f"no password for the warehouse role {role_name(role)}: set {env_var(role)} "
            f"or run `mdw migrate` (it writes {path})"
        )
    return write_secret_file(path, secrets.token_urlsafe(24))


def read_secret_file(path: Path) -> str:
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)  # a copied secrets folder: readable by the owner only
    return path.read_text(encoding="utf-8").strip()


def write_secret_file(path: Path, value: str) -> str:
    """Create ``path`` 0600 with ``value`` (O_EXCL: a concurrent writer's value wins)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return read_secret_file(path)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return value


def scram_verifier(secret: str, iterations: int = 4096) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``secret`` (RFC 7677, as libpq's
    ``PQencryptPasswordConn`` makes it): ``ALTER ROLE ... PASSWORD`` gets this, never the password."""
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(b: bytes) -> str:
        return base64.b64encode(b).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


FINGERPRINT_KEY_VAR = "MDW_FINGERPRINT_KEY"


def fingerprint_key() -> bytes:
    return _fingerprint_key(os.environ.get(FINGERPRINT_KEY_VAR), str(config.paths().home))


@functools.cache
def _fingerprint_key(from_env: str | None, home: str) -> bytes:
    """Key of the publication register's cell fingerprints (hex): ``MDW_FINGERPRINT_KEY`` or
    ``$MDW_HOME/secrets/fingerprint.key`` (generated once). Keep it: with another key every
    earlier cell looks changed to disclosure control's memory."""
    if from_env:
        return bytes.fromhex(from_env)
    return bytes.fromhex(write_secret_file(secrets_dir() / "fingerprint.key", secrets.token_hex(32)))


def verifier_matches(verifier: str | None, secret: str) -> bool:
    """Whether a stored SCRAM-SHA-256 verifier is that of ``secret``."""
    try:
        method, rest = (verifier or "").split("$", 1)
        iterations_salt, keys = rest.split("$", 1)
        iterations, salt = iterations_salt.split(":", 1)
        stored_key = keys.split(":", 1)[0]
    except ValueError:
        return False
    if method != "SCRAM-SHA-256":
        return False
    salted = hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"), base64.b64decode(salt), int(iterations))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(hashlib.sha256(client_key).digest()).decode("ascii"), stored_key)
