"""``loom db restore``: put a backup artifact in place of a database, all of it or nothing.

SQLite: the snapshot is copied to a temporary file beside the target, checked (``PRAGMA
integrity_check``, then every table's rows and hash against the manifest) and renamed over the
target. PostgreSQL: ``pg_restore --single-transaction`` into a fresh database, the same checks,
then one transaction renames the target away and the fresh database in; the old one is dropped.
The filestore is staged and verified beside its folder and swapped in last. Anything failing
before the swap leaves the target exactly as it was, and the temporary copies are removed.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from loom.kernel.audit import audit_committed
from loom.kernel.audit.failures import record_failure
from loom.kernel.backup import pg_tools
from loom.kernel.backup.artifact import FILESTORE, Manifest, database_file, read_manifest
from loom.kernel.backup.database import ALEMBIC, registry_of
from loom.kernel.backup.digest import database_digests
from loom.kernel.backup.filestore import copy_tree, file_digests, staged_beside, swap_in
from loom.kernel.backup.verify import differences, file_differences, require_equal
from loom.kernel.db import create_engine
from loom.kernel.errors import UserError
from loom.kernel.paths import filestore_root

#: Errors that refuse a restore before anything is tried (anything else is a failed restore).
REFUSALS = ("kernel.restore_target_not_empty", "kernel.restore_backend_mismatch", "kernel.backup_artifact_invalid")


def restore_database(url: str | URL, artifact: Path, *, force: bool = False, roots: Iterable[str] = ()) -> Manifest:
    """Replace the database at ``url`` (and its filestore) with the backup in ``artifact``.

    A target holding tables is refused unless ``force``. Returns the artifact's manifest. The
    restored database records the restore in its audit log; a failed restore is recorded in the
    database that stayed in place (when it has an audit log)."""
    url = make_url(url) if isinstance(url, str) else url
    details = {"artifact": str(Path(artifact).resolve()), "force": force}
    try:
        manifest = _restore(url, Path(artifact), force, roots)
    except Exception as exc:
        refused = isinstance(exc, UserError) and exc.message_id in REFUSALS
        _audit(url, lambda engine, error=exc: record_failure(engine, "restore", error, details,
                                                             outcome="refused" if refused else "failed"))
        raise
    details.update(created_at=manifest.created_at, rows=manifest.rows, files=len(manifest.files))
    _audit(url, lambda engine: audit_committed(engine, "restore", details=details, kernel_call=True))
    return manifest


def _audit(url: URL, write: Callable[[Engine], object]) -> None:
    engine = create_engine(url.render_as_string(hide_password=False))
    try:
        write(engine)
    finally:
        engine.dispose()


def _restore(url: URL, artifact: Path, force: bool, roots: Iterable[str]) -> Manifest:
    manifest = read_manifest(artifact)
    backend = url.get_backend_name()
    if manifest.backend != backend:
        raise UserError("kernel.restore_backend_mismatch", field="artifact", artifact=str(artifact),
                        backup=manifest.backend, target=backend)
    if not force and _has_tables(url):
        raise UserError("kernel.restore_target_not_empty", field="database",
                        database=url.render_as_string(hide_password=True))
    root = filestore_root(url)
    staged = _stage_filestore(artifact, manifest, root)
    try:
        (_restore_sqlite if backend == "sqlite" else _restore_postgresql)(url, artifact, manifest, roots)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    swap_in(staged, root)
    return manifest


def _stage_filestore(artifact: Path, manifest: Manifest, root: Path) -> Path:
    staged = staged_beside(root)
    staged.parent.mkdir(parents=True, exist_ok=True)
    copy_tree(artifact / FILESTORE, staged)
    try:
        require_equal("filestore", file_differences(manifest.files, file_digests(staged)))
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return staged


def _restore_sqlite(url: URL, artifact: Path, manifest: Manifest, roots: Iterable[str]) -> None:
    target = Path(url.database or "").resolve()
    temporary = target.with_name(f".{target.name}.restore-{uuid.uuid4().hex[:8]}")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copyfile(database_file(artifact, manifest), temporary)
        _verify(create_engine(f"sqlite:///{temporary}"), manifest, roots)
        _checkpoint(target)
        os.replace(temporary, target)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{temporary}{suffix}").unlink(missing_ok=True)


def _checkpoint(target: Path) -> None:
    """Empty the target's write-ahead log so no page of the old database outlives the rename."""
    if target.exists():
        engine = create_engine(f"sqlite:///{target}")
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            engine.dispose()


def _restore_postgresql(url: URL, artifact: Path, manifest: Manifest, roots: Iterable[str]) -> None:
    admin = pg_tools.maintenance_engine(url)
    suffix = uuid.uuid4().hex[:8]
    fresh, retired = f"{url.database[:40]}_restore_{suffix}", f"{url.database[:40]}_old_{suffix}"
    try:
        with admin.connect() as conn:
            pg_tools.check_tool_version(conn, "pg_restore")
        pg_tools.create_database(admin, fresh)
        try:
            pg_tools.pg_restore(url.set(database=fresh), database_file(artifact, manifest))
            _verify(create_engine(url.set(database=fresh).render_as_string(hide_password=False)), manifest, roots)
            pg_tools.swap_databases(admin, fresh, url.database, retired)
        except BaseException:
            pg_tools.drop_database(admin, fresh)
            raise
        pg_tools.drop_database(admin, retired)
    finally:
        admin.dispose()


def _verify(engine: Engine, manifest: Manifest, roots: Iterable[str]) -> None:
    """Check the restored copy: integrity (SQLite), then every table's rows and hash."""
    try:
        _compare(engine, manifest, roots)
    except DBAPIError as exc:
        raise UserError("kernel.restore_failed", problem=str(exc.orig)[:300]) from None
    finally:
        engine.dispose()


def _compare(engine: Engine, manifest: Manifest, roots: Iterable[str]) -> None:
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            result = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
            if result != "ok":
                raise UserError("kernel.verification_failed", what="database", count=1, differences=result)
        else:
            conn.execute(text("SET TIME ZONE 'UTC'"))
        registry = registry_of(engine, manifest.modules, roots)
        actual = database_digests(conn, registry.metadata, [ALEMBIC])
    require_equal("database", differences(manifest.tables, actual))


def _has_tables(url: URL) -> bool:
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return False
    engine = create_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            return bool(inspect(conn).get_table_names())
    except Exception:  # noqa: BLE001 - a PostgreSQL database that does not exist yet holds nothing
        return False
    finally:
        engine.dispose()
