"""Where the files that belong to a database live: its filestore and its job queue.

Both sit beside the database so that a backup, a restore and a copy find them without
configuration. For ``sqlite:///path/shop.db`` they are ``path/shop.filestore/`` and
``path/shop.jobs.db``; for PostgreSQL, whose database has no folder, they go under
``LOOM_DATA_DIR`` (default ``./loom-data``) in a folder named after the database. ``LOOM_FILESTORE``
overrides the filestore folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import URL, make_url


def data_dir(url: str | URL) -> Path:
    """The folder beside the database where its files live (not created here)."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite":
        database = Path(parsed.database or "loom.db").resolve()
        return database.parent
    return Path(os.environ.get("LOOM_DATA_DIR") or "loom-data").resolve() / (parsed.database or "loom")


def _stem(url: str | URL) -> str:
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite":
        return Path(parsed.database or "loom.db").stem
    return parsed.database or "loom"


def filestore_root(url: str | URL) -> Path:
    """The content-addressed filestore of the database at ``url`` (``shop.filestore/``)."""
    override = os.environ.get("LOOM_FILESTORE")
    if override:
        return Path(override).resolve()
    return data_dir(url) / f"{_stem(url)}.filestore"


def jobs_database(url: str | URL) -> Path:
    """The SQLite file of the embedded job queue (huey) of the database at ``url`` (``shop.jobs.db``)."""
    return data_dir(url) / f"{_stem(url)}.jobs.db"
