"""Database engines and units of work: SQLite by default, PostgreSQL through psycopg 3.

**SQLite engines** follow SQLAlchemy's documented pysqlite transaction recipe: the driver's own
transaction handling is switched off at connect (``isolation_level = None``) and the engine's
``begin`` event emits ``BEGIN`` itself, so DDL and reads are transactional. Every connection runs
with ``journal_mode=WAL``, ``foreign_keys=ON``, ``busy_timeout=5000`` and ``synchronous=NORMAL``.

**Writers are marked by a connection execution option,** ``loom_write=True`` (:data:`WRITE`). On
SQLite a connection carrying it begins with ``BEGIN IMMEDIATE``: it takes the database's write lock
at its first statement, so concurrent writers queue on ``busy_timeout`` instead of failing later
with ``SQLITE_BUSY_SNAPSHOT`` when a read transaction tries to write. Everything else begins with a
deferred ``BEGIN`` and never blocks a writer. An execution option is set where the transaction
starts and reaches the ``begin`` event with the connection; PostgreSQL ignores it.
:func:`run_unit_of_work` sets it for ``write=True``; elsewhere use
``engine.execution_options(loom_write=True)``, ``conn.execution_options(loom_write=True)`` or
``session.connection(execution_options={WRITE: True})`` before the first statement.

**Row locks.** :func:`lock_for_update` adds ``FOR UPDATE`` (PostgreSQL); SQLAlchemy's SQLite compiler
renders nothing for it, and none is needed there: a writer's ``BEGIN IMMEDIATE`` already holds the
only write lock, so whatever it read stays unchanged until it commits. Take locks in key order
(``ORDER BY id``).

**Units of work.** :func:`run_unit_of_work` runs one business action in one transaction and retries
it as a whole on serialization failures, deadlocks, lock timeouts and SQLite busy errors. It never
commits a transaction in which a database error was caught and swallowed (:mod:`loom.kernel.faults`).
Given a deadline (a web or API request's, :mod:`loom.kernel.request_deadline`) it rolls the unit back
once the deadline passes and raises ``RequestTimeoutError``, which is not retried.
"""

from __future__ import annotations

import json
import logging
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from loom.kernel import faults
from loom.kernel.errors import BusyError, ConfigurationError, ModuleError, UserError
from loom.kernel.request_deadline import Deadline, deadline_on, refuse_statement_after_deadline
from loom.kernel.storage_full import as_storage_full

#: The execution option that makes a connection a writer (``BEGIN IMMEDIATE`` on SQLite).
WRITE = "loom_write"
#: SQLSTATEs retried: serialization failure, deadlock detected, lock not available.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
#: SQLSTATEs of a server that went away: admin shutdown, crash shutdown, cannot connect now (class 08 too).
UNREACHABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})

_DRIVERS = {"sqlite": "sqlite", "sqlite+pysqlite": "sqlite+pysqlite",
            "postgresql": "postgresql+psycopg", "postgresql+psycopg": "postgresql+psycopg"}
_SQLITE_PRAGMAS = ("busy_timeout=5000", "journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL")
# SQLITE_BUSY and SQLITE_LOCKED; their extended codes (261 BUSY_RECOVERY, 517 BUSY_SNAPSHOT, ...)
# keep the primary code in the low byte.
_SQLITE_BUSY_CODES = (5, 6)
_SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked")
_FIRST_PAUSE, _MAX_PAUSE = 0.01, 0.5

log = logging.getLogger(__name__)
T = TypeVar("T")


def database_url_from_env(default: str = "sqlite:///loom.db") -> str:
    """The URL in ``LOOM_DATABASE_URL``, or ``default`` when it is unset or empty."""
    return os.environ.get("LOOM_DATABASE_URL") or default


def create_engine(url: str, **kw: Any) -> Engine:
    """An engine for a ``sqlite://`` or ``postgresql[+psycopg]://`` URL, configured as Loom needs.

    ``postgresql://`` means psycopg 3. Keyword arguments go to :func:`sqlalchemy.create_engine`.
    Any other URL is a ``ConfigurationError`` (the password is not shown).
    """
    parsed = make_url(url)
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ConfigurationError("kernel.database_url_unsupported",
                                 url=parsed.render_as_string(hide_password=True))
    parsed = parsed.set(drivername=driver)
    kw.setdefault("json_serializer", json_text)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed, kw)
    else:
        kw.setdefault("pool_pre_ping", True)
        engine = sa.create_engine(parsed, **kw)
    faults.track_faults(engine)
    event.listen(engine, "before_cursor_execute", refuse_statement_after_deadline)
    return engine


def json_text(value: Any) -> str:
    """The text stored in a JSON column: Decimals (the API reads JSON numbers as Decimals) become JSON
    numbers, whole ones exactly; one too large or small for a float, or not finite, is kept as text."""
    return json.dumps(value, default=_json_number)


def _json_number(value: Any) -> Any:
    if not isinstance(value, Decimal):
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    if value.is_finite() and value == value.to_integral_value() and value.adjusted() < 4000:
        return int(value)
    if value.is_finite() and -300 < value.adjusted() < 300:
        return float(value)
    return str(value)


def _sqlite_engine(url: URL, kw: dict[str, Any]) -> Engine:
    engine = sa.create_engine(url, **kw)
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # the driver never emits BEGIN; _sqlite_begin does
    for pragma in _SQLITE_PRAGMAS:
        dbapi_connection.execute(f"PRAGMA {pragma}")


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A writer connection in one transaction, committed when the block ends without error.

    On SQLite foreign keys are off inside it (a batch table rebuild would otherwise cascade
    deletes into child rows); ``PRAGMA foreign_key_check`` runs before the commit, and any
    violation rolls everything back with ``ModuleError("kernel.foreign_key_check_failed")``.
    Foreign keys are on again afterwards. On PostgreSQL it is just a transaction.
    """
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        if conn.dialect.name != "sqlite":
            with conn.begin():
                yield conn
            return
        with _foreign_keys_off(conn), conn.begin():
            yield conn
            _check_foreign_keys(conn)


@contextmanager
def _foreign_keys_off(conn: Connection) -> Iterator[None]:
    dbapi_connection = conn.connection.driver_connection  # the pragma is a no-op inside a transaction
    dbapi_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(conn: Connection) -> None:
    rows = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if rows:
        shown = "; ".join(f"{table} row {rowid} -> {parent}" for table, rowid, parent, _fk in rows[:20])
        raise ModuleError("kernel.foreign_key_check_failed", count=len(rows), violations=shown)


def is_retryable(exc: BaseException) -> bool:
    """Whether retrying the whole unit of work may succeed: SQLSTATE 40001, 40P01, 55P03 or SQLite busy.

    Takes the driver's exception or SQLAlchemy's wrapper of it (``exc.orig``).
    """
    orig = getattr(exc, "orig", None) or exc
    if getattr(orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    if not isinstance(orig, sqlite3.OperationalError):
        return False
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in _SQLITE_BUSY_CODES:
        return True
    return any(message in str(orig) for message in _SQLITE_BUSY_MESSAGES)


def is_database_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database server cannot be reached: a connection lost mid-use
    (SQLAlchemy invalidated it), refused or terminated (SQLSTATE class 08, 57P01-57P03), F3.

    The pool needs no help afterwards: an invalidated connection is replaced at its next checkout
    and PostgreSQL engines ping a pooled connection before handing it out (``pool_pre_ping``).
    """
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    orig = getattr(exc, "orig", None) or exc
    sqlstate = getattr(orig, "sqlstate", None) or ""
    if sqlstate.startswith("08") or sqlstate in UNREACHABLE_SQLSTATES:
        return True
    # psycopg gives no SQLSTATE when it cannot connect at all (refused, no such host)
    return type(orig).__module__.startswith("psycopg") and type(orig).__name__ == "OperationalError" \
        and not sqlstate


def run_unit_of_work(bind: Engine | Callable[[], Session], fn: Callable[[Session], T], *,
                     attempts: int = 5, write: bool = True,
                     on_retry: Callable[[int, BaseException], None] | None = None,
                     deadline: Deadline | None = None) -> T:
    """Run ``fn(session)`` in one transaction, commit, and return what ``fn`` returned.

    ``bind`` is an engine (its sessions keep loaded objects usable after the commit) or a
    sessionmaker. ``write`` marks the transaction a writer (:data:`WRITE`). On a retryable error
    (:func:`is_retryable`) the transaction is rolled back and the whole unit runs again after a
    jittered pause (10 ms doubling up to 500 ms); ``on_retry(attempt, error)`` is called before each
    pause. After ``attempts`` tries it raises ``BusyError("kernel.busy")``. A full disk or database
    becomes ``StorageFullError("kernel.storage_full")``; any other exception rolls back and
    propagates unchanged. With a ``deadline`` every attempt is held to it (:func:`deadline_on`): past
    it the attempt is rolled back and ``RequestTimeoutError("kernel.request_timeout")`` propagates.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    attempt = 1
    while True:
        try:
            return _run_once(bind, fn, write, deadline)
        except Exception as exc:
            if not is_retryable(exc):
                full = as_storage_full(exc)
                if full is not None and full is not exc:
                    raise full from exc
                raise
            if attempt == attempts:
                raise BusyError("kernel.busy", attempts=attempts) from exc
            _pause_before_retry(attempt, attempts, exc, on_retry)
        attempt += 1


def _run_once(bind: Engine | Callable[[], Session], fn: Callable[[Session], T], write: bool,
              deadline: Deadline | None) -> T:
    session = Session(bind, expire_on_commit=False) if isinstance(bind, Engine) else bind()
    with session, session.begin():
        if write:
            session.connection(execution_options={WRITE: True})
        if deadline is None:
            result = fn(session)
        else:
            with deadline_on(session.connection(), deadline):
                result = fn(session)
        refuse_swallowed_errors(session.connection())
        return result


def refuse_swallowed_errors(connection: Connection) -> None:
    """Raise ``UserError("kernel.database_error_swallowed")`` when a database error on ``connection``
    was caught without rolling back to a savepoint: such a transaction must not commit. A swallowed
    retryable error (a serialization failure) is raised again as it was, so the unit is retried."""
    swallowed = faults.unresolved(connection)
    if swallowed:
        if is_retryable(swallowed[0].exception):
            raise swallowed[0].exception
        raise UserError("kernel.database_error_swallowed", error=swallowed[0].error,
                        where=_caller_outside_kernel(swallowed[0].frames))


def _caller_outside_kernel(frames: tuple[Any, ...]) -> str:
    """The innermost frame that is neither SQLAlchemy's nor the kernel's: who caught the error."""
    skipped = (os.path.dirname(os.path.abspath(__file__)), os.path.dirname(os.path.abspath(sa.__file__)))
    for code in frames:
        if not os.path.abspath(code.co_filename).startswith(skipped):
            return f"{code.co_name} ({os.path.basename(code.co_filename)}:{code.co_firstlineno})"
    return "unknown"


def _pause_before_retry(attempt: int, attempts: int, exc: BaseException,
                        on_retry: Callable[[int, BaseException], None] | None) -> None:
    log.info("unit of work: attempt %d/%d failed with a retryable error: %s", attempt, attempts, exc)
    if on_retry is not None:
        on_retry(attempt, exc)
    ceiling = min(_MAX_PAUSE, _FIRST_PAUSE * 2 ** (attempt - 1))
    time.sleep(random.uniform(ceiling / 2, ceiling))


def lock_for_update(stmt: Select[Any]) -> Select[Any]:
    """``stmt ... FOR UPDATE`` on PostgreSQL; on SQLite the clause compiles to nothing (see above)."""
    return stmt.with_for_update()
