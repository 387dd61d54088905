"""``loom db backup``: a consistent snapshot of the database and its filestore in one artifact.

SQLite: the online backup API copies the database in one step under a read lock, so writers
that commit meanwhile are either wholly in the copy or not at all; the manifest's figures are
read from the copy. PostgreSQL: a REPEATABLE READ transaction exports its snapshot, ``pg_dump
--snapshot`` dumps exactly that snapshot and the manifest's figures are read in the same
transaction. The filestore is copied after the snapshot (files are content-addressed, so one
added meanwhile is an unused extra, never a changed file). The artifact is written under a
``.partial`` name and renamed when complete.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from loom.kernel.audit import audit_committed
from loom.kernel.audit.failures import record_failure
from loom.kernel.backup import pg_tools
from loom.kernel.backup.artifact import DATABASE_FILES, FILESTORE, SUFFIX, Manifest
from loom.kernel.backup.database import ALEMBIC, alembic_revisions, installed, registry_of
from loom.kernel.backup.digest import database_digests
from loom.kernel.backup.filestore import copy_tree, file_digests
from loom.kernel.db import create_engine
from loom.kernel.paths import data_dir, filestore_root


def backup_database(engine: Engine, directory: Path | None = None, *, roots: Iterable[str] = (),
                    audit: bool = True) -> Path:
    """Write a backup artifact of ``engine``'s database into ``directory`` and return its folder.

    The default folder is beside the SQLite file, or ``backups/`` in the PostgreSQL database's data
    folder (:func:`loom.kernel.paths.data_dir`, beside its filestore).
    ``roots`` are extra module folders (modules in development) needed to read the rows. With
    ``audit`` the backup (or its failure) is recorded in the audit log in a transaction of its
    own; a caller inside an open write transaction (a purge) passes ``audit=False`` and records
    the backup in its own audit record."""
    try:
        folder, manifest = _backup(engine, directory, roots)
    except Exception as exc:
        if audit:
            record_failure(engine, "backup", exc, {"directory": str(directory or "")})
        raise
    if audit:
        audit_committed(engine, "backup", details={"artifact": str(folder.resolve()), "rows": manifest.rows,
                                                   "tables": len(manifest.tables), "files": len(manifest.files)},
                        kernel_call=True)
    return folder


def _backup(engine: Engine, directory: Path | None, roots: Iterable[str]) -> tuple[Path, Manifest]:
    url = engine.url
    now = dt.datetime.now(dt.UTC)
    stem = Path(url.database or "loom").stem
    parent = directory or (data_dir(url) if url.get_backend_name() == "sqlite" else data_dir(url) / "backups")
    folder = parent / f"{stem}-{now.strftime('%Y%m%dT%H%M%S%fZ')}{SUFFIX}"
    staging = folder.with_name(folder.name + ".partial")
    staging.mkdir(parents=True)
    try:
        snapshot = _sqlite_snapshot if url.get_backend_name() == "sqlite" else _postgresql_snapshot
        manifest = snapshot(engine, staging, roots, now.isoformat())
        copy_tree(filestore_root(url), staging / FILESTORE)
        manifest.files = file_digests(staging / FILESTORE)
        manifest.write(staging)
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder, manifest


def _sqlite_snapshot(engine: Engine, staging: Path, roots: Iterable[str], created_at: str) -> Manifest:
    target = staging / DATABASE_FILES["sqlite"]
    source, copy = sqlite3.connect(engine.url.database), sqlite3.connect(target)
    try:
        source.backup(copy)  # all pages in one step: one consistent snapshot
    finally:
        copy.close()
        source.close()
    snapshot = create_engine(f"sqlite:///{target}")
    try:
        with snapshot.connect() as conn:
            return _manifest(conn, snapshot, roots, "sqlite", created_at)
    finally:
        snapshot.dispose()


def _postgresql_snapshot(engine: Engine, staging: Path, roots: Iterable[str], created_at: str) -> Manifest:
    with engine.connect() as conn:
        pg_tools.check_tool_version(conn, "pg_dump")
    with engine.connect() as conn:
        conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot_id = conn.scalar(text("SELECT pg_export_snapshot()"))
            pg_tools.pg_dump(engine.url, staging / DATABASE_FILES["postgresql"], snapshot_id)
            conn.execute(text("SET LOCAL TIME ZONE 'UTC'"))
            return _manifest(conn, engine, roots, "postgresql", created_at)


def _manifest(conn: Connection, engine: Engine, roots: Iterable[str], backend: str, created_at: str) -> Manifest:
    modules = installed(conn)
    registry = registry_of(engine, modules, roots)
    return Manifest(backend=backend, created_at=created_at, modules=modules, alembic=alembic_revisions(conn),
                    tables=database_digests(conn, registry.metadata, [ALEMBIC]))
