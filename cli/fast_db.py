"""Read the installed modules without SQLAlchemy, so `loom module list` starts fast."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import unquote, urlparse


def installed_modules(url: str) -> dict[str, str]:
    """Installed module -> version from ``loom_module``; empty when the database is new."""
    if url.startswith("sqlite"):
        return _sqlite(url)
    return _postgresql(url)


def _sqlite(url: str) -> dict[str, str]:
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if not path or not Path(path).exists():
        return {}
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='loom_module'").fetchone()
        return dict(conn.execute("SELECT name, module_version FROM loom_module")) if exists else {}
    finally:
        conn.close()


def _postgresql(url: str) -> dict[str, str]:
    import psycopg

    parsed = urlparse(url.replace("postgresql+psycopg://", "postgresql://"))
    dsn = parsed._replace(path=unquote(parsed.path)).geturl()
    with psycopg.connect(dsn) as conn:
        if conn.execute("SELECT to_regclass('loom_module')").fetchone()[0] is None:
            return {}
        return dict(conn.execute("SELECT name, module_version FROM loom_module").fetchall())
