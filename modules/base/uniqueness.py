"""Uniqueness within the scope a record is visible in (shared records and company records).

Shared records (no company) are visible in every company; a company's own records only in it.
So a value must be unique among the shared records *and* the records of each company, and a
company's record must not repeat a shared record's value either. Two partial unique indexes per
rule enforce the first two in the database (``... WHERE company_id IS NULL`` and ``(company_id,
...) WHERE company_id IS NOT NULL``, which behave the same on SQLite and PostgreSQL, unlike
an expression index over ``coalesce``); :func:`check_scoped_unique` checks all three before the
database does, so the user gets a message naming the field instead of an integrity error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from loom.kernel.errors import ValidationError
from loom.kernel.model import Unique

if TYPE_CHECKING:
    from loom.kernel.environment import Environment


def scoped_unique(table: str, column: str) -> tuple[Unique, Unique]:
    """The two partial unique indexes keeping ``column`` unique per visibility scope."""
    return (
        Unique(column, where=f"company_id IS NULL AND {column} IS NOT NULL",
               name=f"uq_{table}_{column}_shared"),
        Unique("company_id", column, where=f"company_id IS NOT NULL AND {column} IS NOT NULL",
               name=f"uq_{table}_{column}_company"),
    )


def check_scoped_unique(env: Environment, record: Any, column: str, field: str, message_id: str) -> None:
    """Refuse ``record`` when another record visible alongside it has the same ``column`` value.

    Archived records count (they come back when restored); records the user cannot read count
    too, since the database index would refuse the value anyway. ``field`` is the field named in
    the error (``tax_id`` for the normalized ``tax_id_norm``)."""
    value = getattr(record, column)
    if value is None:
        return
    cls = type(record)
    stmt = select(cls).where(getattr(cls, column) == value)
    if record.company_id is not None:
        stmt = stmt.where(or_(cls.company_id.is_(None), cls.company_id == record.company_id))
    if record.id is not None:
        stmt = stmt.where(cls.id != record.id)
    with env.session.no_autoflush:
        other = env.session.scalars(stmt.order_by(cls.id).limit(1)).first()
    if other is not None:
        raise ValidationError(message_id, field=field, value=getattr(record, field), existing=other.display_name())
