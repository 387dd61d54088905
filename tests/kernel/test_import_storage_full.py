"""A disk that fills up during an import (RELIABILITY.md F4, scaled down).

Story: the warehouse imports its partner list while the disk is nearly full. The import stops with
one clear ``storage_full`` error, no partner of the file is left behind, the database is intact,
and once space is freed the same import goes through without restarting anything.

SQLite's disk is made "full" with ``PRAGMA max_page_count`` on the import's connections; on
PostgreSQL, where a test cannot fill the server's disk, a trigger raises SQLSTATE 53100
(``disk_full``), the error PostgreSQL gives when it cannot extend a file.
"""

from __future__ import annotations

import csv
import errno
import sqlite3

import pytest
from click.testing import CliRunner
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import Pool

from loom.cli.main import cli
from loom.kernel.db import create_engine, run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.installer import ModuleManager
from loom.kernel.storage_full import StorageFullError, as_storage_full
from loom.kernel.transfer import import_file
from loom_test_support import ROOTS, count_rows

ROWS = 3000


@pytest.fixture
def nearly_full(database_factory, backend):
    """(url, fill, free): a database with base installed; ``fill()`` leaves no room, ``free()`` gives it back."""
    url = database_factory()
    engine = create_engine(url)
    ModuleManager(engine, roots=ROOTS).install(["base"])
    engine.dispose()
    if backend == "postgresql":
        yield url, *_postgresql_disk(url)
        return
    limit: dict[str, int | None] = {"pages": None}
    path = make_url(url).database

    def on_checkout(dbapi_connection, _record, _proxy):
        """Every connection to this database file handed out while the disk is "full" gets the page cap."""
        if dbapi_connection.execute("PRAGMA database_list").fetchone()[2] == path:
            dbapi_connection.execute(f"PRAGMA max_page_count = {limit['pages'] or 1_073_741_823}")

    def fill():
        with sqlite3.connect(path) as conn:
            limit["pages"] = conn.execute("PRAGMA page_count").fetchone()[0] + 2

    def free():
        limit["pages"] = None

    event.listen(Pool, "checkout", on_checkout)
    try:
        yield url, fill, free
    finally:
        event.remove(Pool, "checkout", on_checkout)


def _postgresql_disk(url):
    engine = create_engine(url)

    def fill():
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE FUNCTION loom_test_disk_full() RETURNS trigger AS $$ BEGIN "
                                 "RAISE EXCEPTION 'could not extend file: No space left on device' "
                                 "USING ERRCODE = 'disk_full'; END $$ LANGUAGE plpgsql")
            conn.exec_driver_sql("CREATE TRIGGER loom_test_disk_full BEFORE INSERT ON base_partner "
                                 "FOR EACH ROW EXECUTE FUNCTION loom_test_disk_full()")

    def free():
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER loom_test_disk_full ON base_partner")
            conn.exec_driver_sql("DROP FUNCTION loom_test_disk_full()")
        engine.dispose()

    return fill, free


def partners_file(tmp_path):
    path = tmp_path / "partners.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "name", "email", "comment"])
        writer.writerows([f"full_{i}", f"Partner {i}", f"p{i}@example.com", "x" * 200] for i in range(ROWS))
    return path


def test_a_full_disk_stops_the_import_cleanly_and_the_next_one_works(nearly_full, tmp_path, backend):
    url, fill, free = nearly_full
    path = partners_file(tmp_path)
    fill()
    runner = CliRunner()
    refused = runner.invoke(cli, ["-d", url, "import", "base.partner", str(path)])
    assert isinstance(refused.exception, StorageFullError), refused.exception
    assert refused.exception.code == "storage_full" and "storage is full" in str(refused.exception)
    engine = create_engine(url)
    try:
        assert count_rows(engine, "base_partner") == 0
        assert count_rows(engine, "loom_external_id WHERE module = '__import__'") == 0
        if backend == "sqlite":
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        free()
        done = runner.invoke(cli, ["-d", url, "import", "base.partner", str(path)])
        assert done.exit_code == 0, done.output
        assert count_rows(engine, "base_partner") == ROWS
    finally:
        engine.dispose()


def test_the_kernel_maps_every_storage_full_error_to_one_error():
    class PgDiskFull(Exception):
        sqlstate = "53100"

    full = sqlite3.OperationalError("database or disk is full")
    assert as_storage_full(full).code == "storage_full"
    assert as_storage_full(PgDiskFull("could not extend file")).code == "storage_full"
    assert as_storage_full(OSError(errno.ENOSPC, "No space left on device")).code == "storage_full"
    assert as_storage_full(sqlite3.OperationalError("database is locked")) is None
    assert as_storage_full(OSError(errno.ENOENT, "No such file")) is None


def test_a_running_process_imports_again_once_space_is_freed(nearly_full, tmp_path):
    url, fill, free = nearly_full
    path = partners_file(tmp_path)
    engine = create_engine(url)
    manager = ModuleManager(engine, roots=ROOTS)
    registry = manager.registry(manager.installed())

    def run_import():
        return run_unit_of_work(engine, lambda s: import_file(Environment(registry, s, su=True), "base.partner", path))

    fill()
    try:
        with pytest.raises(StorageFullError):
            run_import()
        assert count_rows(engine, "base_partner") == 0
        free()
        assert run_import().created == ROWS  # same process, same engine: no restart needed
    finally:
        engine.dispose()
