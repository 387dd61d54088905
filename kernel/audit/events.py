"""Writing audit records: in the caller's transaction, or alone for an action that rolled back."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, column, inspect, select, table
from sqlalchemy.orm import Session

from loom.kernel.audit.chain import append, jsonable
from loom.kernel.db import run_unit_of_work

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

log = logging.getLogger(__name__)
#: ``actor_login`` of an event written by a superuser environment without a user (the CLI's default).
SUPERUSER = "superuser"


def audit_event(env: Environment, action: str, *, model: str | None = None, record_id: int | None = None,
                before: Any = None, after: Any = None, details: Any = None) -> dict[str, Any]:
    """Append one audit record in ``env``'s transaction and return the row written.

    Actor and company come from ``env`` (a superuser environment without a user, the CLI's
    administrator default, is recorded as actor ``superuser``); the time is now, in UTC.
    ``before``, ``after`` and ``details`` are JSON data (Decimal and dates are stored as strings).
    The record commits or rolls back with the caller's action; the chain's head stays locked until
    then, so keep audit calls near the end of long transactions."""
    user = env.user if env.uid is not None else None
    entry = _entry(action, actor_id=env.uid, actor_login=user.login if user is not None else SUPERUSER,
                   company_id=env.company_id, model=model,
                   record_id=record_id, before=before, after=after, details=details)
    return append(env.session.connection(), entry)


def audit_refusal(engine: Engine, action: str, *, actor_id: int | None = None, company_id: int | None = None,
                  model: str | None = None, record_id: int | None = None, details: Any = None) -> dict[str, Any] | None:
    """Commit a record of a refused or failed ``action`` in its own transaction; return the row.

    Call it after the action's own transaction rolled back (on SQLite an open writer would hold
    the write lock). Returns ``None``, and logs a warning, when the database has no audit log yet
    (a first installation that failed before the kernel's tables existed)."""
    return audit_committed(engine, action, actor_id=actor_id, company_id=company_id, model=model,
                           record_id=record_id, details=details)


def audit_committed(engine: Engine, action: str, *, actor_id: int | None = None, company_id: int | None = None,
                    model: str | None = None, record_id: int | None = None, before: Any = None, after: Any = None,
                    details: Any = None, kernel_call: bool = False) -> dict[str, Any] | None:
    """Append one record in a transaction of its own and commit it (an action outside any unit of
    work: a backup, a restore). Same rules and result as :func:`audit_refusal`. ``kernel_call``
    marks an operation that runs with superuser power (module work, backup, restore): without an
    ``actor_id`` it is recorded as actor ``superuser``, like :func:`audit_event` does."""

    def write(session: Session) -> dict[str, Any] | None:
        connection = session.connection()
        if not inspect(connection).has_table("loom_audit_log"):
            log.warning("audit: no audit log in this database; %s not recorded", action)
            return None
        login = _login(connection, actor_id) if actor_id is not None else SUPERUSER if kernel_call else None
        entry = _entry(action, actor_id=actor_id, actor_login=login, company_id=company_id,
                       model=model, record_id=record_id, before=before, after=after, details=details)
        return append(connection, entry)

    return run_unit_of_work(engine, write)


def _entry(action: str, **values: Any) -> dict[str, Any]:
    for key in ("before", "after", "details"):
        values[key] = jsonable(values[key])
    return {"action": action, "at": dt.datetime.now(dt.UTC), **values}


def _login(connection: Connection, actor_id: int | None) -> str | None:
    if actor_id is None:
        return None
    users = table("loom_user", column("id"), column("login"))
    return connection.scalar(select(users.c.login).where(users.c.id == actor_id))
