"""Keyset paging's one comparison: the rows sorted strictly after a given row under an order, as
a WHERE clause. The JSON API's cursors and the web shell's deep list pages both use it.

NULLs sort as the order says (``nulls_first``); the clause is an OR over each key of (every
earlier key equal, this one beyond), plus a redundant bound on the first key when it cannot be
NULL (``first >= value``; ``<=`` descending): the same rows, but PostgreSQL then starts reading
the order's index at the row instead of walking it from its beginning through the OR (page 1,000
of 100,000 partners: 7 ms instead of seconds under load).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import and_, false, literal, or_, true
from sqlalchemy.sql.elements import ColumnElement


class Key(NamedTuple):
    """One term of an order: a stored field, its direction and where its NULLs go."""

    name: str
    descending: bool
    nulls_first: bool


def rows_after(cls: Any, keys: Sequence[Key], values: Sequence[Any]) -> ColumnElement[bool]:
    """The rows of model class ``cls`` sorted strictly after the row whose key values are
    ``values`` (one per key, in order) under ``keys``."""
    alternatives, equal = [], []
    for key, value in zip(keys, values, strict=True):
        column = getattr(cls, key.name)
        if value is None:
            beyond = column.is_not(None) if key.nulls_first else false()
            same = column.is_(None)
        else:
            bound = literal(value, column.type)  # a bound parameter, booleans included
            beyond = column < bound if key.descending else column > bound
            if not key.nulls_first:
                beyond = or_(beyond, column.is_(None))
            same = column == bound
        alternatives.append(and_(*equal, beyond))
        equal.append(same)
    if not alternatives:
        return true()
    return and_(_index_start(cls, keys[0], values[0]), or_(*alternatives))


def _index_start(cls: Any, key: Key, value: Any) -> ColumnElement[bool]:
    """The redundant bound on the first key (``true()`` when it may be NULL)."""
    column = getattr(cls, key.name)
    if value is None or getattr(column.expression, "nullable", True):
        return true()
    bound = literal(value, column.type)
    return column <= bound if key.descending else column >= bound
