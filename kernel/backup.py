"""``loom db backup`` in its simple form: a consistent copy of the database in a file.

SQLite uses the online backup API (consistent while writers work); PostgreSQL uses ``pg_dump``
in custom format. Restores and the filestore arrive with the kernel services (issue 8).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine

from loom.kernel.errors import UserError


def backup_database(engine: Engine, directory: Path | None = None) -> Path:
    """Write a backup of ``engine``'s database into ``directory`` and return its path."""
    url = engine.url
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    if url.get_backend_name() == "sqlite":
        source = Path(url.database or "")
        target = (directory or source.parent) / f"{source.stem}-{stamp}.backup.db"
        _sqlite_backup(source, target)
        return target
    target = (directory or Path.cwd()) / f"{url.database}-{stamp}.dump"
    target.parent.mkdir(parents=True, exist_ok=True)
    _pg_dump(engine, target)
    return target


def _sqlite_backup(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg_dump(engine: Engine, target: Path) -> None:
    if shutil.which("pg_dump") is None:
        raise UserError("kernel.backup_tool_missing", tool="pg_dump")
    url = engine.url
    command = ["pg_dump", "-Fc", "-f", str(target), "-h", url.host or "127.0.0.1",
               "-p", str(url.port or 5432), "-U", url.username or "postgres", url.database or ""]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise UserError("kernel.backup_failed", problem=result.stderr.strip()[:500])
