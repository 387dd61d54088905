"""Unique keys hold: no duplicates under a declared unique index or constraint.

The database enforces them, but an index created after the data, a table rebuilt with its index
missing or a restore from elsewhere can let duplicates in. One grouped query per key; rows with
a NULL in the key are not duplicates (both backends allow them), and a partial index's condition
applies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Table, UniqueConstraint, and_, func, select, tuple_

from loom.kernel.checks.check import Violation
from loom.kernel.checks.tables import SHOWN, key_column, model_of

NAME = "kernel.unique_keys"


def unique_keys(env: Any) -> Iterator[Violation]:
    """Yield one violation per unique key that has duplicate values."""
    connection = env.session.connection()
    dialect = connection.dialect.name
    for table in env.registry.metadata.sorted_tables:
        for name, columns, where in _keys(table, dialect):
            yield from _duplicates(connection, env.registry, table, name, columns, where)


def _keys(table: Table, dialect: str) -> Iterator[tuple[str, list, Any]]:
    for index in table.indexes:
        if index.unique:
            yield index.name, list(index.columns), index.dialect_options[dialect].get("where")
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            yield constraint.name, list(constraint.columns), None


def _duplicates(connection, registry, table: Table, name: str, columns: list, where: Any) -> Iterator[Violation]:
    condition = and_(*(column.is_not(None) for column in columns), *([where] if where is not None else []))
    groups = select(*columns).where(condition).group_by(*columns).having(func.count() > 1).correlate(None)
    count = connection.scalar(select(func.count()).select_from(groups.subquery()))
    if not count:
        return
    key = key_column(table, registry)
    rows = connection.execute(select(*([key] if key is not None else []), *columns)
                              .where(condition, tuple_(*columns).in_(groups))
                              .order_by(*columns).limit(SHOWN)).all()
    offset = 1 if key is not None else 0
    values = "; ".join(", ".join(str(value) for value in row[offset:]) for row in rows)
    yield Violation(
        NAME,
        f"{count} value(s) of {table.name} ({', '.join(c.name for c in columns)}) are duplicated "
        f"despite {name} (rows: {values})",
        [(model_of(table), row[0]) for row in rows] if key is not None else [],
    )
