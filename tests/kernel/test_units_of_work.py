"""One business action is one transaction, retried as a whole when the database is busy.

DESIGN "Units of work" and "Database", RELIABILITY's retry policy and row C8. Run as a script,
this file is one of C8's writer processes (see ``c8_writer`` at the bottom).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
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
    migration_connection,
    run_unit_of_work,
)
from loom.kernel.errors import BusyError, ConfigurationError, ModuleError

REPO = Path(__file__).resolve().parents[2]
SQLITE_ONLY = "SQLite behaviour; PostgreSQL has no BEGIN IMMEDIATE, WAL or busy_timeout"


metadata = MetaData()
entry = Table("entry", metadata, Column("id", Integer, primary_key=True), Column("note", String(40)))


@pytest.fixture(scope="module")
def module_engine(database_factory):
    engine = create_engine(database_factory())
    metadata.create_all(engine)
    yield engine
    engine.dispose()


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


# --- migrations -----------------------------------------------------------------------------------

@pytest.fixture
def family(database_url):
    """A parent with three children that ON DELETE CASCADE; one connection, so the pool reuses it."""
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY, name VARCHAR(20))")
        conn.exec_driver_sql("CREATE TABLE child (id INTEGER PRIMARY KEY, "
                             "parent_id INTEGER NOT NULL REFERENCES parent(id) ON DELETE CASCADE)")
        conn.exec_driver_sql("INSERT INTO parent (id, name) VALUES (1, 'p')")
        conn.exec_driver_sql("INSERT INTO child (id, parent_id) VALUES (1, 1), (2, 1), (3, 1)")
    yield engine
    engine.dispose()


def count(engine, table_name) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT count(*) FROM {table_name}").scalar_one()


def test_a_sqlite_table_rebuild_in_a_migration_keeps_the_children(family, backend):
    if backend != "sqlite":
        pytest.skip("SQLite only: PostgreSQL alters tables in place and keeps its foreign keys on")
    with migration_connection(family) as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0  # the pragma is SQLite's
        # what alembic's batch mode does to drop a column; with foreign keys on, DROP TABLE
        # would delete every child through ON DELETE CASCADE
        conn.exec_driver_sql("CREATE TABLE _tmp_parent (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("INSERT INTO _tmp_parent (id) SELECT id FROM parent")
        conn.exec_driver_sql("DROP TABLE parent")
        conn.exec_driver_sql("ALTER TABLE _tmp_parent RENAME TO parent")

    assert count(family, "child") == 3
    with family.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_migration_that_leaves_orphans_is_rolled_back_naming_them(family, backend):
    if backend != "sqlite":
        pytest.skip("SQLite only: PostgreSQL refuses the orphan at the DELETE itself")
    with pytest.raises(ModuleError) as refused, migration_connection(family) as conn:
        conn.exec_driver_sql("DELETE FROM parent")

    assert refused.value.message_id == "kernel.foreign_key_check_failed"
    assert refused.value.params["count"] == 3 and "child row 1 -> parent" in str(refused.value)
    assert count(family, "parent") == 1 and count(family, "child") == 3
    with family.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_migration_is_one_transaction_on_both_backends(family):
    with migration_connection(family) as conn:
        conn.exec_driver_sql("CREATE TABLE note (id INTEGER PRIMARY KEY)")
    with pytest.raises(RuntimeError), migration_connection(family) as conn:
        conn.exec_driver_sql("CREATE TABLE tag (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("INSERT INTO parent (id, name) VALUES (2, 'q')")
        raise RuntimeError("step 9 of 10 failed")

    with family.connect() as conn:
        names = set(conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'" if conn.dialect.name == "sqlite"
            else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").scalars())
    assert "note" in names and "tag" not in names
    assert count(family, "parent") == 1


# --- RELIABILITY C8, scaled down: 8 threads + 2 processes × 50 writes while 2 readers read -----------

C8_THREADS, C8_PROCESSES, C8_WRITES, C8_READERS = 8, 2, 50, 2


def c8_schema(engine):
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE ack (id INTEGER PRIMARY KEY, writer TEXT, seq INTEGER)")
        conn.exec_driver_sql("CREATE TABLE tally (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        conn.exec_driver_sql("INSERT INTO tally (id, n) VALUES (1, 0)")


def c8_write(session, writer, seq):
    """Read the tally, then write it back plus one: loses updates unless writers are serialized."""
    n = session.execute(text("SELECT n FROM tally WHERE id = 1")).scalar_one()
    session.execute(text("UPDATE tally SET n = :n WHERE id = 1"), {"n": n + 1})
    session.execute(text("INSERT INTO ack (writer, seq) VALUES (:w, :s)"), {"w": writer, "s": seq})


def c8_writer(engine, writer, writes) -> dict:
    """Run ``writes`` write units; count acknowledgements, errors and busy-snapshot retries."""
    report = {"acks": 0, "errors": [], "snapshot_retries": 0, "retries": 0}

    def on_retry(_attempt, exc):
        report["retries"] += 1
        report["snapshot_retries"] += getattr(getattr(exc, "orig", exc), "sqlite_errorcode", 0) == 517

    for seq in range(writes):
        try:
            run_unit_of_work(engine, lambda s, seq=seq: c8_write(s, writer, seq), on_retry=on_retry)
            report["acks"] += 1
        except Exception as exc:  # noqa: BLE001 - every error that reaches a caller is counted
            report["errors"].append(repr(exc))
    return report


def c8_reader(engine, stop, report):
    """Report reads until ``stop``: in every snapshot the tally equals the number of ack rows."""
    def read(session):
        return session.execute(text("SELECT (SELECT n FROM tally), (SELECT count(*) FROM ack)")).one()

    while not stop.is_set():
        try:
            tally, acks = run_unit_of_work(engine, read, write=False)
            report["reads"] += 1
            report["torn"] += tally != acks
        except Exception as exc:  # noqa: BLE001 - every error that reaches a caller is counted
            report["errors"].append(repr(exc))


def start_writer_processes(url):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    processes = [subprocess.Popen([sys.executable, __file__, url, f"process-{i}", str(C8_WRITES)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
                 for i in range(C8_PROCESSES)]
    for process in processes:
        assert process.stdout.readline().strip() == "ready"
    return processes


def test_c8_sqlite_writers_in_threads_and_processes_never_see_database_is_locked(database_url, backend):
    if backend != "sqlite":
        pytest.skip("RELIABILITY C8 is about SQLite's single writer; PostgreSQL has row locks")
    engine = create_engine(database_url)
    c8_schema(engine)
    processes = start_writer_processes(database_url)
    start, stop = threading.Barrier(C8_THREADS + C8_READERS + 1), threading.Event()
    reports: list[dict] = []
    readers = [{"reads": 0, "torn": 0, "errors": []} for _ in range(C8_READERS)]

    def thread_writer(i):
        start.wait()
        reports.append(c8_writer(engine, f"thread-{i}", C8_WRITES))

    def thread_reader(report):
        start.wait()
        c8_reader(engine, stop, report)

    threads = [threading.Thread(target=thread_writer, args=(i,)) for i in range(C8_THREADS)]
    threads += [threading.Thread(target=thread_reader, args=(r,)) for r in readers]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    start.wait()
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    reports += [json.loads(process.communicate(timeout=60)[0]) for process in processes]
    for thread in threads[:C8_THREADS]:
        thread.join(60)
    stop.set()
    for thread in threads[C8_THREADS:]:
        thread.join(10)
    print(f"C8: {time.monotonic() - began:.1f}s, retries {sum(r['retries'] for r in reports)}, "
          f"reads {sum(r['reads'] for r in readers)}")

    acks = sum(r["acks"] for r in reports)
    assert [e for r in reports + readers for e in r["errors"]] == []  # no "database is locked", nothing
    assert acks == (C8_THREADS + C8_PROCESSES) * C8_WRITES
    assert count(engine, "ack") == acks
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT n FROM tally").scalar_one() == acks  # no lost update
    assert sum(r["snapshot_retries"] for r in reports) == 0
    assert all(r["reads"] > 0 for r in readers) and sum(r["torn"] for r in readers) == 0
    engine.dispose()


if __name__ == "__main__":
    url, name, writes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    process_engine = create_engine(url)
    with process_engine.connect():
        print("ready", flush=True)
    sys.stdin.readline()
    print(json.dumps(c8_writer(process_engine, name, writes)), flush=True)
