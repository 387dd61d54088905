"""Database errors that code caught and swallowed inside a unit of work.

A hook implementation that catches a database error and returns normally leaves the transaction
in a state nobody chose: on PostgreSQL it is aborted (every later statement fails with "current
transaction is aborted"), on SQLite the statement's effect is silently missing. Neither may be
committed. So every engine Loom creates records each database error on the connection that raised
it, and the record is *resolved* only when the savepoint it happened in is rolled back (the
legitimate way to recover from an expected error: ``with session.begin_nested(): ...``).

Two places look at the unresolved records:

- :class:`loom.kernel.hooks.HookRelay` checks, after each hook call that returned normally, whether
  a database error happened during it and was not resolved; it raises
  ``UserError("kernel.hook_swallowed_database_error")`` naming the hook and the module;
- :func:`loom.kernel.db.run_unit_of_work` refuses to commit while the unit's connection holds one
  (``kernel.database_error_swallowed``), whoever swallowed it.

A transaction's ``BEGIN`` and its rollback clear the connection's records.
"""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, event

_FAULTS = "loom_faults"
_SAVEPOINTS = "loom_savepoints"
#: The faults recorded while a watched block (a hook call) runs, in this thread or task.
_watched: contextvars.ContextVar[list[Fault] | None] = contextvars.ContextVar("loom_watched_faults", default=None)


@dataclass
class Fault:
    """One database error: the driver's exception and its first line, the savepoint depth it happened
    at, and the code objects on the stack then (to name who swallowed it)."""

    exception: BaseException
    error: str
    depth: int
    frames: tuple[Any, ...]
    resolved: bool = False


def track_faults(engine: Engine) -> None:
    """Record every database error on ``engine``'s connections and resolve it with its savepoint."""
    event.listen(engine, "handle_error", _on_error)
    event.listen(engine, "begin", _clear)
    event.listen(engine, "rollback", _clear)
    event.listen(engine, "savepoint", _on_savepoint)
    event.listen(engine, "rollback_savepoint", _on_rollback_savepoint)
    event.listen(engine, "release_savepoint", _on_release_savepoint)


def unresolved(connection: Connection) -> list[Fault]:
    """Database errors on ``connection`` in the current transaction that no savepoint rollback undid."""
    return [fault for fault in connection.info.get(_FAULTS, ()) if not fault.resolved]


@contextmanager
def watching() -> Iterator[list[Fault]]:
    """Collect the faults recorded while the block runs (the list is filled as they happen)."""
    seen: list[Fault] = []
    token = _watched.set(seen)
    try:
        yield seen
    finally:
        _watched.reset(token)


def _on_error(context: Any) -> None:
    connection = context.connection
    if connection is None or connection.closed:
        return
    frames, frame = [], sys._getframe(1)
    while frame is not None:
        frames.append(frame.f_code)
        frame = frame.f_back
    original = context.original_exception
    fault = Fault(original, (str(original).strip().splitlines() or [type(original).__name__])[0][:300],
                  len(connection.info.get(_SAVEPOINTS, ())), tuple(frames))
    connection.info.setdefault(_FAULTS, []).append(fault)
    seen = _watched.get()
    if seen is not None:
        seen.append(fault)


def _clear(connection: Connection) -> None:
    if connection.invalidated:  # the server connection was lost (F3): the pool clears its info itself
        return
    connection.info.pop(_FAULTS, None)
    connection.info.pop(_SAVEPOINTS, None)


def _on_savepoint(connection: Connection, name: str) -> None:
    connection.info.setdefault(_SAVEPOINTS, []).append(name)


def _on_rollback_savepoint(connection: Connection, name: str, _context: Any) -> None:
    depth = _pop_to(connection, name)
    for fault in connection.info.get(_FAULTS, ()):
        if fault.depth > depth:
            fault.resolved = True


def _on_release_savepoint(connection: Connection, name: str, _context: Any) -> None:
    _pop_to(connection, name)


def _pop_to(connection: Connection, name: str) -> int:
    """Forget the savepoint ``name`` (the innermost one, since SQLAlchemy may announce a savepoint
    before naming it) and any opened inside it; the depth left."""
    stack = connection.info.get(_SAVEPOINTS, [])
    if name in stack:
        del stack[stack.index(name):]
    elif stack:
        stack.pop()
    return len(stack)
