"""The key that signs session cookies: from ``LOOM_SECRET_KEY`` or a key file beside the database,
and never a default or short one (W7)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url

from loom.kernel.errors import ConfigurationError

#: The least number of bytes a secret key has (32 random bytes, as ``loom serve`` writes).
MIN_BYTES = 32
#: Keys copied from tutorials and templates, refused whatever their length.
DEFAULT_KEYS = frozenset({b"dev", b"secret", b"changeme", b"change-me", b"development", b"loom",
                          b"please-change-me", b"your-secret-key", b"secret-key", b"super-secret"})


def key_file(database_url: str) -> Path:
    """Where the key file of ``database_url`` lives: ``<database file>.secret`` beside a SQLite
    database, ``loom.secret`` in the working directory for a server database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database).resolve()
        return database.with_name(database.name + ".secret")
    return Path("loom.secret").resolve()


def load_secret_key(database_url: str, *, create: bool = False) -> bytes:
    """The secret key of the application serving ``database_url``: ``LOOM_SECRET_KEY`` if set,
    else the key file (written with 32 random bytes and mode 0600 when ``create`` and missing).
    A missing, short or default key is refused with the reason."""
    given = os.environ.get("LOOM_SECRET_KEY")
    if given:
        return check_secret_key(given.encode(), source="LOOM_SECRET_KEY")
    path = key_file(database_url)
    if not path.exists():
        if not create:
            raise ConfigurationError("kernel.web_secret_key_missing", field="LOOM_SECRET_KEY", path=str(path))
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(secrets.token_bytes(MIN_BYTES))
    return check_secret_key(path.read_bytes(), source=str(path))


def check_secret_key(key: bytes | str, *, source: str = "SECRET_KEY") -> bytes:
    """``key`` as bytes if it is at least :data:`MIN_BYTES` long, not a known default and not
    made of a few repeated characters; a ``ConfigurationError`` naming ``source`` otherwise."""
    raw = key.encode() if isinstance(key, str) else bytes(key or b"")
    if len(raw) < MIN_BYTES or raw.strip().lower() in DEFAULT_KEYS or len(set(raw)) < 8:
        raise ConfigurationError("kernel.web_secret_key_weak", field="SECRET_KEY", source=source, minimum=MIN_BYTES)
    return raw
