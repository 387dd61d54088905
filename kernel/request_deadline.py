"""A deadline for one unit of work: past it, the unit's statements are stopped and the unit is
rolled back as a whole (a web or API request answers 503, it is never half-written).

:func:`loom.kernel.db.run_unit_of_work` takes a :class:`Deadline` and applies it to the unit's
connection with :func:`deadline_on`:

- **PostgreSQL**: ``SET LOCAL statement_timeout`` to the time remaining, the transaction's first
  statement; the server cancels a statement still running then (SQLSTATE 57014), and ``SET LOCAL``
  ends with the transaction.
- **SQLite**: a progress handler on the DBAPI connection interrupts the running statement once the
  deadline has passed (``SQLITE_INTERRUPT``); it is removed when the unit ends, so the pooled
  connection carries nothing to its next user.
- **Both**: a statement that would start after the deadline is refused before it reaches the
  database, and a unit whose work returns after the deadline is rolled back, not committed.

Any of these ends as :class:`RequestTimeoutError` (``timeout``, 503), which the retry loop of
``run_unit_of_work`` does not retry. Nothing here applies to a unit run without a deadline (the CLI,
the workers).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from loom.kernel.errors import LoomError

#: The key of the running unit's deadline in the pooled connection's ``info`` (removed at its end).
INFO_KEY = "loom_deadline"
#: SQLite virtual machine instructions between two looks at the clock (well under a millisecond).
PROGRESS_STEPS = 10_000
_QUERY_CANCELED = "57014"
_SQLITE_INTERRUPT = 9


class RequestTimeoutError(LoomError):
    """The unit of work ran past its deadline and was rolled back: nothing of it was saved."""

    code = "timeout"
    http_status = 503


@dataclass(frozen=True)
class Deadline:
    """The moment (``time.monotonic()``) a unit of work must be done by, and the budget it came from."""

    at: float
    seconds: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """The deadline ``seconds`` from now."""
        return cls(time.monotonic() + seconds, seconds)

    def remaining(self) -> float:
        """Seconds left (zero or less once it has passed)."""
        return self.at - time.monotonic()

    def passed(self) -> bool:
        """Whether the deadline has passed."""
        return self.remaining() <= 0

    def error(self) -> RequestTimeoutError:
        """The error that ends a unit which ran out of time."""
        return RequestTimeoutError("kernel.request_timeout", seconds=f"{self.seconds:g}")


@contextmanager
def deadline_on(connection: Connection, deadline: Deadline) -> Iterator[None]:
    """Hold the unit's statements on ``connection`` to ``deadline``.

    A statement stopped by the deadline becomes :class:`RequestTimeoutError`; the limit is taken off
    the connection when the block ends, however it ends."""
    if deadline.passed():
        raise deadline.error()
    info = connection.info  # kept: a connection the server dropped cannot give it in ``finally``
    info[INFO_KEY] = deadline
    sqlite = connection.connection.driver_connection if connection.dialect.name == "sqlite" else None
    try:
        if sqlite is not None:
            sqlite.set_progress_handler(deadline.passed, PROGRESS_STEPS)
        else:
            milliseconds = max(1, int(deadline.remaining() * 1000))
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
        yield
        if deadline.passed():
            raise deadline.error()
    except Exception as exc:
        if isinstance(exc, RequestTimeoutError) or not is_stopped_statement(exc):
            raise
        raise deadline.error() from exc
    finally:
        info.pop(INFO_KEY, None)
        if sqlite is not None:
            sqlite.set_progress_handler(None, 0)


def refuse_statement_after_deadline(conn: Connection, *_args: Any) -> None:
    """``before_cursor_execute``: refuse a statement of a unit whose deadline has passed."""
    deadline = conn.info.get(INFO_KEY)
    if deadline is not None and deadline.passed():
        raise deadline.error()


def is_stopped_statement(exc: BaseException) -> bool:
    """Whether ``exc`` is a statement stopped by a deadline: PostgreSQL's ``query_canceled``
    (57014, ``statement_timeout``) or SQLite's ``SQLITE_INTERRUPT`` (the progress handler)."""
    orig = getattr(exc, "orig", None) or exc
    if getattr(orig, "sqlstate", None) == _QUERY_CANCELED:
        return True
    return isinstance(orig, sqlite3.OperationalError) and (
        getattr(orig, "sqlite_errorcode", None) == _SQLITE_INTERRUPT or str(orig) == "interrupted")
