"""Failed logins per login name: from the 5th failure on, each further attempt waits 60 s (W2).

The counts live in ``loom.web_login``, one row per login name tried, known or not."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

#: Failures allowed before each further attempt has to wait.
FREE_FAILURES = 5
#: Seconds an attempt waits after the last failure once the free failures are used up.
WAIT_SECONDS = 60


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def wait_seconds(row: Any, now: dt.datetime | None = None) -> int:
    """Seconds the login of ``row`` (a ``loom.web_login`` or None) still has to wait; 0 when it may try."""
    if row is None or row.failures < FREE_FAILURES or row.failed_at is None:
        return 0
    failed_at = row.failed_at if row.failed_at.tzinfo else row.failed_at.replace(tzinfo=dt.UTC)
    left = WAIT_SECONDS - ((now or _now()) - failed_at).total_seconds()
    return max(0, int(left + 0.999))


def login_row(session: Session, model: type, login: str) -> Any:
    """The ``loom.web_login`` row of ``login``, or None."""
    return session.scalars(select(model).where(model.login == login)).one_or_none()


def ensure_row(session: Session, model: type, login: str) -> None:
    """Create ``login``'s row unless it exists (two concurrent first attempts create one row)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(model.__table__).values(login=login, failures=0, generation=0, version=1)
                    .on_conflict_do_nothing(index_elements=["login"]))


def count_failure(session: Session, model: type, login: str) -> None:
    """Add one failure to ``login`` (its row is created on the first one)."""
    ensure_row(session, model, login)
    session.execute(update(model).where(model.login == login).values(failures=model.failures + 1, failed_at=_now()))


def clear_failures(session: Session, model: type, login: str) -> None:
    """Forget ``login``'s failures after a successful login."""
    session.execute(update(model).where(model.login == login, model.failures > 0)
                    .values(failures=0, failed_at=None))

