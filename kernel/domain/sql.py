"""Compiling a checked domain to one SQL boolean expression; dotted paths become correlated subqueries."""

from __future__ import annotations

import datetime as dt
import operator as op
from collections.abc import Callable
from typing import Any

from sqlalchemy import BigInteger, Integer, and_, false, literal, or_, select, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from loom.kernel.domain.dialect import _AsciiLower, _Contains
from loom.kernel.domain.normal_form import _Leaf, _normal
from loom.kernel.domain.schema import Readable, Schema, Visible, _Context, _Path
from loom.kernel.domain.syntax import _Node, _parse
from loom.kernel.domain.values import _fold

_INT32 = 2**31


def compile_domain(domain: Any, model: str, schema: Schema, readable: Readable | None = None,
                   visible: Visible | None = None) -> ColumnElement[bool]:
    """The WHERE clause selecting the records of ``model`` that match ``domain``.

    ``readable(model, field)`` says whether the user may read a field (default: every field);
    ``visible(model)`` limits the records a dotted path may reach to those the user may see (None:
    all), so a path is no oracle on records hidden from the user.
    Raises ``MalformedDomainError``, ``InvalidFieldError``, ``InvalidOperatorError``,
    ``ValidationError`` or ``FieldForbiddenError`` before building any SQL.
    """
    tree = _normal(_parse(domain), model, _Context(schema, readable), negate=False)
    return _sql(tree, schema.model_class(model), schema, visible)


def _sql(node: _Node | _Leaf, root: Any, schema: Schema, visible: Visible | None) -> ColumnElement[bool]:
    if isinstance(node, _Leaf):
        return _leaf_sql(node, root, schema, visible)
    parts = [_sql(child, root, schema, visible) for child in node.children]
    if node.combinator == "and":
        return and_(*parts) if parts else true()
    return or_(*parts) if parts else false()


def _leaf_sql(leaf: _Leaf, root: Any, schema: Schema, visible: Visible | None) -> ColumnElement[bool]:
    if not leaf.path.links:
        return _column_sql(leaf, getattr(root, leaf.path.field.name))
    query, column = _follow(leaf.path, root, schema, visible)
    found = query.where(_test(leaf, column)).exists()
    return ~found if leaf.negated else found


def _column_sql(leaf: _Leaf, column: Any) -> ColumnElement[bool]:
    test = _test(leaf, column)
    if not leaf.negated:
        return test
    if leaf.operator == "not_null":
        return column.is_(None)
    return or_(~test, column.is_(None))  # NULL is "not equal", "not in": keep SQL two-valued


def _test(leaf: _Leaf, column: Any) -> ColumnElement[bool]:
    return _SQL_TESTS[leaf.operator](column, _bindable(column, leaf.value))


def _bindable(column: Any, value: Any) -> Any:
    """Datetimes are UTC; columns without a time zone get them naive. A whole number beyond a 32-bit
    column's range is bound as a 64-bit one (PostgreSQL would refuse to cast it: compared, it never matches)."""
    if isinstance(value, tuple):
        return [_bindable(column, item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and not -_INT32 <= value < _INT32 \
            and isinstance(column.type, Integer) and not isinstance(column.type, BigInteger):
        return literal(value, BigInteger())
    if isinstance(value, dt.datetime) and not getattr(column.type, "timezone", False):
        return value.replace(tzinfo=None)
    return value


def _follow(path: _Path, root: Any, schema: Schema, visible: Visible | None) -> tuple[Any, Any]:
    """A SELECT correlated to ``root`` that joins ``path``'s links (only to records ``visible``
    allows), and the column it reaches."""
    targets = [aliased(schema.model_class(link.target)) for link in path.links]
    first = targets[0]
    query = select(first.id).where(first.id == getattr(root, path.links[0].name)).correlate(root)
    for link, outer, target in zip(path.links[1:], targets, targets[1:], strict=False):
        query = query.join_from(outer, target, target.id == getattr(outer, link.name))
    for link, target in zip(path.links, targets, strict=True) if visible is not None else ():
        limit_to = visible(link.target)
        if limit_to is not None:
            cls = schema.model_class(link.target)
            query = query.where(target.id.in_(select(cls.id).where(limit_to)))
    return query, getattr(targets[-1], path.field.name)


def _value(path: _Path, root: Any, schema: Schema, visible: Visible | None = None) -> Any:
    """The column of a plain path, or a correlated scalar subquery for a dotted one."""
    if not path.links:
        return getattr(root, path.field.name)
    query, column = _follow(path, root, schema, visible)
    return query.with_only_columns(column, maintain_column_froms=True).scalar_subquery()


_SQL_TESTS: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "=": op.eq, "<": op.lt, "<=": op.le, ">": op.gt, ">=": op.ge,
    "in": lambda column, values: column.in_(values),
    "like": lambda column, text: _Contains(column, text),
    "ilike": lambda column, text: _Contains(_AsciiLower(column), _fold(text)),
    "not_null": lambda column, _: column.is_not(None),
}
