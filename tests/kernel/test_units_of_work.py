"""One business action is one transaction, retried as a whole when the database is busy.

DESIGN "Units of work" and "Database", RELIABILITY's retry policy and row C8. C8 lives in
test_sqlite_writer_contention.py, migration connections in test_migration_connection.py.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg.errors
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, column, event, select, table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import sessionmaker

from loom.kernel.db import (
    create_engine,
    database_url_from_env,
    is_retryable,
    lock_for_update,
    run_unit_of_work,
)
from loom.kernel.errors import BusyError, ConfigurationError
from loom.kernel.storage_full import StorageFullError
from loom_test_support import tables_on_new_database

REPO = Path(__file__).resolve().parents[2]
SQLITE_ONLY = "SQLite behaviour; PostgreSQL has no BEGIN IMMEDIATE, WAL or busy_timeout"


metadata = MetaData()
entry = Table("entry", metadata, Column("id", Integer, primary_key=True), Column("note", String(40)))


@pytest.fixture(scope="module")
def module_engine(database_factory):
    yield from tables_on_new_database(database_factory, metadata)


@pytest.fixture
def engine(module_engine):
    """The module's database with no entries (one database per module keeps the PG run quick)."""
    with module_engine.begin() as conn:
        conn.execute(entry.delete())
    return module_engine


def entries(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM entry").scalar_one()


def add_entry(session, note="x"):
    session.execute(text("INSERT INTO entry (note) VALUES (:note)"), {"note": note})


# --- engines --------------------------------------------------------------------------------------

def test_sqlite_connections_run_in_wal_with_foreign_keys_and_a_busy_timeout(engine, backend):
    if backend != "sqlite":
        pytest.skip(SQLITE_ONLY)
    with engine.connect() as conn:
        pragmas = [conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                   for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")]
    assert pragmas == ["wal", 1, 5000, 1]  # synchronous 1 = NORMAL


@pytest.mark.parametrize("url", ["postgresql://loom:secret@db.example/loom",
                                 "postgresql+psycopg://loom:secret@db.example/loom"])
def test_postgresql_urls_mean_psycopg_3_with_pre_ping(url):
    engine = create_engine(url)  # no connection is made yet
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.pool._pre_ping


@pytest.mark.parametrize("url", ["mysql://loom:secret@db.example/loom",
                                 "postgresql+psycopg2://loom:secret@db.example/loom"])
def test_other_database_urls_are_refused_without_showing_the_password(url):
    with pytest.raises(ConfigurationError) as refused:
        create_engine(url)
    assert refused.value.message_id == "kernel.database_url_unsupported"
    assert "secret" not in str(refused.value) and "db.example" in str(refused.value)


def test_the_database_url_comes_from_loom_database_url(monkeypatch):
    monkeypatch.delenv("LOOM_DATABASE_URL", raising=False)
    assert database_url_from_env() == "sqlite:///loom.db"
    assert database_url_from_env("sqlite:///other.db") == "sqlite:///other.db"
    monkeypatch.setenv("LOOM_DATABASE_URL", "postgresql://postgres@127.0.0.1/loom")
    assert database_url_from_env() == "postgresql://postgres@127.0.0.1/loom"


# --- writers and readers --------------------------------------------------------------------------

@contextmanager
def statements_of(engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def try_to_write_from_another_connection(engine) -> str:
    other = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return "wrote"
    except sqlite3.OperationalError as exc:
        return str(exc)
    finally:
        other.close()


def test_a_writer_takes_the_write_lock_at_its_first_statement(engine, backend):
    if backend != "sqlite":
        pytest.skip(SQLITE_ONLY)

    def read_then_probe(session):
        session.execute(text("SELECT count(*) FROM entry")).scalar_one()
        return try_to_write_from_another_connection(engine)

    with statements_of(engine) as seen:
        assert run_unit_of_work(engine, read_then_probe, write=True) == "database is locked"
        assert run_unit_of_work(engine, read_then_probe, write=False) == "wrote"
    assert [s for s in seen if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE", "BEGIN"]


def test_an_engine_or_connection_marked_loom_write_begins_immediate(engine, backend):
    if backend != "sqlite":
        pytest.skip(SQLITE_ONLY)
    with statements_of(engine) as seen:
        with engine.execution_options(loom_write=True).begin() as conn:
            conn.exec_driver_sql("SELECT 1")
        with engine.connect() as conn:
            conn.execution_options(loom_write=True)
            conn.exec_driver_sql("SELECT 1")
            conn.commit()
        with engine.begin() as conn:
            conn.exec_driver_sql("SELECT 1")
    assert [s for s in seen if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE", "BEGIN IMMEDIATE", "BEGIN"]


def test_lock_for_update_locks_rows_on_postgresql_and_compiles_to_nothing_on_sqlite():
    stmt = lock_for_update(select(table("stock_level", column("id"))))
    assert str(stmt.compile(dialect=postgresql.dialect())).endswith("FOR UPDATE")
    assert "FOR UPDATE" not in str(stmt.compile(dialect=sqlite.dialect()))


# --- retries --------------------------------------------------------------------------------------

def sqlite_error(message, code):
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code
    return error


RETRYABLE = {
    "sqlite-busy": lambda: OperationalError("INSERT", {}, sqlite_error("database is locked", 5)),
    "sqlite-table-locked": lambda: OperationalError("INSERT", {}, sqlite_error("database table is locked", 6)),
    "sqlite-busy-snapshot": lambda: OperationalError("INSERT", {}, sqlite_error("snapshot", 517)),
    "sqlite-busy-recovery": lambda: sqlite_error("recovery", 261),
    "sqlite-message-only": lambda: sqlite3.OperationalError("database is locked"),
    "pg-40001": lambda: OperationalError("UPDATE", {}, psycopg.errors.SerializationFailure("could not serialize")),
    "pg-40P01": lambda: OperationalError("UPDATE", {}, psycopg.errors.DeadlockDetected("deadlock detected")),
    "pg-55P03": lambda: OperationalError("UPDATE", {}, psycopg.errors.LockNotAvailable("lock not available")),
}


class FlakyUnit:
    """Adds an entry, then fails with ``error()`` on its first ``failures`` attempts."""

    def __init__(self, error, failures):
        self.error, self.failures, self.calls, self.retries = error, failures, 0, []

    def __call__(self, session):
        self.calls += 1
        add_entry(session, f"attempt {self.calls}")
        if self.calls <= self.failures:
            raise self.error()
        return self.calls

    def on_retry(self, attempt, error):
        self.retries.append(attempt)


@pytest.mark.parametrize("failures", [1, 4])
@pytest.mark.parametrize("kind", RETRYABLE)
def test_a_unit_that_meets_retryable_errors_is_rerun_and_commits_once(engine, kind, failures):
    unit = FlakyUnit(RETRYABLE[kind], failures)

    assert run_unit_of_work(engine, unit, on_retry=unit.on_retry) == failures + 1
    assert unit.retries == list(range(1, failures + 1))
    assert entries(engine) == 1  # the failed attempts left nothing behind


def test_after_five_busy_attempts_the_caller_gets_busy_retry(engine):
    unit = FlakyUnit(RETRYABLE["sqlite-busy"], failures=99)

    with pytest.raises(BusyError) as busy:
        run_unit_of_work(engine, unit, on_retry=unit.on_retry)

    assert (busy.value.message_id, busy.value.params, busy.value.http_status) == ("kernel.busy", {"attempts": 5}, 503)
    assert "try again" in str(busy.value)
    assert isinstance(busy.value.__cause__, OperationalError)
    assert (unit.calls, unit.retries) == (5, [1, 2, 3, 4])
    assert entries(engine) == 0


def test_the_number_of_attempts_can_be_lowered(engine):
    unit = FlakyUnit(RETRYABLE["pg-40001"], failures=99)
    with pytest.raises(BusyError):
        run_unit_of_work(engine, unit, attempts=2)
    assert unit.calls == 2


def test_pauses_between_attempts_grow_from_10_ms_to_at_most_500_ms_with_jitter(engine, monkeypatch):
    pauses: list[float] = []
    monkeypatch.setattr(time, "sleep", pauses.append)
    with pytest.raises(BusyError):
        run_unit_of_work(engine, FlakyUnit(RETRYABLE["pg-55P03"], failures=99), attempts=10)

    ceilings = [min(0.5, 0.01 * 2**n) for n in range(9)]
    assert len(pauses) == 9
    assert all(ceiling / 2 <= pause <= ceiling for pause, ceiling in zip(pauses, ceilings, strict=True))
    assert len(set(pauses[-3:])) == 3  # capped pauses still differ: the retries do not march in step


def test_a_sessionmaker_works_as_well_as_an_engine(engine):
    unit = FlakyUnit(RETRYABLE["pg-40P01"], failures=1)
    assert run_unit_of_work(sessionmaker(engine), unit) == 2
    assert entries(engine) == 1


def test_any_other_error_rolls_back_and_propagates_unchanged(engine):
    run_unit_of_work(engine, lambda s: (add_entry(s), add_entry(s)))
    problem = ValueError("credit limit exceeded")
    calls = []

    def unit(session):
        calls.append(1)
        add_entry(session)
        raise problem

    with pytest.raises(ValueError) as raised:
        run_unit_of_work(engine, unit)
    assert raised.value is problem and len(calls) == 1
    assert entries(engine) == 2


def test_a_database_error_that_is_not_retryable_is_not_retried(engine):
    calls = []

    def duplicate_key(session):
        calls.append(1)
        session.execute(text("INSERT INTO entry (id, note) VALUES (1, 'a'), (1, 'b')"))

    with pytest.raises(IntegrityError):
        run_unit_of_work(engine, duplicate_key)
    assert len(calls) == 1 and entries(engine) == 0


def test_a_full_database_is_one_clear_storage_full_error_and_nothing_is_written(engine, backend):
    def fill_up(session):
        if backend == "postgresql":  # the server's own disk_full, as a full tablespace reports it
            add_entry(session, "before the disk filled")
            session.execute(text("DO $$ BEGIN RAISE EXCEPTION 'could not extend file' "
                                 "USING ERRCODE = 'disk_full'; END $$"))
        pages = session.execute(text("PRAGMA page_count")).scalar_one()
        session.execute(text(f"PRAGMA max_page_count = {pages}"))  # the file may not grow any more
        for _ in range(200):
            add_entry(session, "x" * 40)

    with pytest.raises(StorageFullError) as full:
        run_unit_of_work(engine, fill_up)
    assert full.value.code == "storage_full" and full.value.http_status == 507
    assert entries(engine) == 0
    engine.dispose()  # space is back: the limit went with the connection that set it
    run_unit_of_work(engine, add_entry)
    assert entries(engine) == 1


def test_is_retryable_on_real_driver_errors(engine, backend):
    assert not is_retryable(ValueError("x"))
    assert not is_retryable(OperationalError("x", {}, psycopg.errors.UniqueViolation("dup")))
    assert not is_retryable(OperationalError("x", {}, psycopg.errors.QueryCanceled("timeout")))
    assert not is_retryable(OperationalError("x", {}, sqlite_error("no such table: x", 1)))
    with pytest.raises(Exception) as missing_table, engine.connect() as conn:
        conn.exec_driver_sql("SELECT * FROM no_such_table")
    assert not is_retryable(missing_table.value)
    if backend == "sqlite":
        holder = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(sqlite3.OperationalError) as locked:
                sqlite3.connect(engine.url.database, timeout=0).execute("INSERT INTO entry (note) VALUES ('x')")
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert locked.value.sqlite_errorcode == 5 and is_retryable(locked.value)


def test_a_real_deadlock_on_postgresql_is_retried_and_both_transfers_commit(engine, backend):
    if backend != "postgresql":
        pytest.skip("SQLite writers queue at BEGIN IMMEDIATE, so they cannot deadlock")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO entry (id, note) VALUES (1, '0'), (2, '0')")
    rendezvous, retried, outcomes = threading.Barrier(2, timeout=10), [], []

    def transfer(first, second):
        def unit(session):
            session.execute(text("UPDATE entry SET note = note || '+' WHERE id = :id"), {"id": first})
            if not retried:
                rendezvous.wait()  # both hold their first row: now each wants the other's
            session.execute(text("UPDATE entry SET note = note || '+' WHERE id = :id"), {"id": second})
        try:
            run_unit_of_work(engine, unit, on_retry=lambda _n, exc: retried.append(exc.orig.sqlstate))
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001 - reported below
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=transfer, args=pair) for pair in ((1, 2), (2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert outcomes == ["ok", "ok"] and "40P01" in retried
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT note FROM entry ORDER BY id").scalars().all() == ["0++", "0++"]
