"""Document numbers: legal (gap-free) and standard (fast, gaps allowed) sequences.

* **legal** — invoices, credit notes, payments, journal entries. The counter row is advanced with
  ``UPDATE … RETURNING`` inside the caller's transaction, which holds the row lock until commit:
  numbers follow commit order and a rollback gives the number back, so there are no gaps.
* **standard** — quotations, orders, moves. On PostgreSQL the counter advances in its own short
  transaction on a separate connection, committed at once: concurrent confirmations never wait on
  each other, and a rollback leaves a gap. On SQLite writers are serialized by the database
  anyway, and a second writer connection would wait on the caller's own write lock, so the
  counter advances in the caller's transaction there.

Patterns use ``{yyyy}``, ``{yy}``, ``{mm}`` and ``{seq}`` with a format spec (``SO{yyyy}{mm}-{seq:05}``);
counters reset per ``reset`` period (``never``, ``yearly``, ``monthly``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError

from loom.kernel.errors import MissingError, ValidationError

if TYPE_CHECKING:
    from loom.kernel.environment import Environment


def validate_pattern(pattern: str) -> str:
    """Refuse a pattern without ``{seq}`` or with unknown placeholders."""
    try:
        sample = pattern.format(yyyy="2026", yy="26", mm="01", seq=1)
    except (KeyError, ValueError, IndexError):
        sample = None
    if sample is None or "{seq" not in pattern:
        raise ValidationError("kernel.sequence_bad_pattern", field="pattern", pattern=pattern)
    return pattern


def period_of(reset: str, day: dt.date) -> str:
    """The counter period of ``day``: ``all``, ``2026`` or ``2026-11``."""
    return {"never": "all", "yearly": f"{day:%Y}", "monthly": f"{day:%Y-%m}"}[reset]


def next_number(env: Environment, code: str, *, day: dt.date | None = None) -> str:
    """The next number of the active company's sequence ``code``, formatted with its pattern."""
    seq = _sequence(env, code)
    day = day or dt.date.today()
    period = period_of(seq.reset, day)
    engine = env.session.get_bind().engine
    if seq.kind == "legal" or engine.dialect.name == "sqlite":
        value = _advance(env.session.connection(), env, seq.id, period)
    else:
        value = _advance_apart(engine, env, seq.id, period)
    return seq.pattern.format(yyyy=f"{day:%Y}", yy=f"{day:%y}", mm=f"{day:%m}", seq=value)


def _sequence(env: Environment, code: str) -> Any:
    cls = env.registry["loom.sequence"]
    seq = env.session.scalar(select(cls).where(cls.company_id == env.company_id, cls.code == code))
    if seq is None:
        raise MissingError("kernel.sequence_missing", code=code, company=env.company_id)
    return seq


def _advance_apart(engine: Engine, env: Environment, sequence_id: int, period: str) -> int:
    """Advance in a short transaction of its own.

    A sequence (or counter) the caller's still-open transaction created is invisible, or locked,
    there: the caller's transaction then advances it itself instead of waiting on itself."""
    table = env.registry["loom.sequence"].__table__
    try:
        with engine.connect() as conn, conn.begin():
            conn.exec_driver_sql("SET LOCAL lock_timeout = '500ms'")
            if conn.scalar(select(table.c.id).where(table.c.id == sequence_id)) is not None:
                return _advance(conn, env, sequence_id, period)
    except (IntegrityError, OperationalError):
        pass
    return _advance(env.session.connection(), env, sequence_id, period)


def _advance(conn: Connection, env: Environment, sequence_id: int, period: str) -> int:
    counter = env.registry["loom.sequence.counter"].__table__
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(insert(counter).values(sequence_id=sequence_id, period=period, next_value=1, step=1,
                                        version=1).on_conflict_do_nothing())
    stmt = (update(counter).where(counter.c.sequence_id == sequence_id, counter.c.period == period)
            .values(next_value=counter.c.next_value + counter.c.step)
            .returning(counter.c.next_value - counter.c.step))
    return int(conn.execute(stmt).scalar_one())
