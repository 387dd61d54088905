"""No orphan rows: every many-to-one value points at an existing row.

SQLite runs migrations with foreign keys off, and a table rebuilt by hand can leave values that
point nowhere; PostgreSQL's constraints can be disabled too. One query per foreign key finds them
(a LEFT JOIN on the parent), whatever the table's size."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import ForeignKeyConstraint, and_, func, select

from loom.kernel.checks.check import Violation
from loom.kernel.checks.tables import SHOWN, key_column, model_of

NAME = "kernel.orphans"


def orphans(env: Any) -> Iterator[Violation]:
    """Yield one violation per foreign key that has values pointing at missing rows."""
    connection = env.session.connection()
    for table in env.registry.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, ForeignKeyConstraint):
                yield from _orphans_of(connection, env.registry, table, constraint)


def _orphans_of(connection, registry, table, constraint: ForeignKeyConstraint) -> Iterator[Violation]:
    parent = constraint.referred_table.alias("parent")
    pairs = [(element.parent, parent.c[element.column.name]) for element in constraint.elements]
    joined = table.outerjoin(parent, and_(*(child == referred for child, referred in pairs)))
    missing = and_(*(child.is_not(None) for child, _ in pairs), pairs[0][1].is_(None))
    count = connection.scalar(select(func.count()).select_from(joined).where(missing))
    if not count:
        return
    key = key_column(table, registry, avoid=pairs[0][0])
    columns = [child for child, _ in pairs]
    rows = connection.execute(select(*([key] if key is not None else []), *columns).select_from(joined)
                              .where(missing).order_by(*columns).limit(SHOWN)).all()
    names = ", ".join(child.name for child in columns)
    values = ", ".join(str(tuple(row)[-len(columns):] if len(columns) > 1 else row[-1]) for row in rows)
    yield Violation(
        NAME,
        f"{count} row(s) of {table.name} point at missing {constraint.referred_table.name} rows "
        f"through {names} (values: {values})",
        [(model_of(table), row[0]) for row in rows] if key is not None else [],
    )
