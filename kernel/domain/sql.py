"""Compiling a checked domain to one SQL boolean expression; dotted paths become correlated subqueries."""

from __future__ import annotations

import datetime as dt
import operator as op
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from loom.kernel.domain.dialect import _AsciiLower, _Contains
from loom.kernel.domain.normal_form import _Leaf, _normal
from loom.kernel.domain.schema import Readable, Schema, _Context, _Path
from loom.kernel.domain.syntax import _Node, _parse
from loom.kernel.domain.values import _fold


def compile_domain(domain: Any, model: str, schema: Schema,
                   readable: Readable | None = None) -> ColumnElement[bool]:
    """The WHERE clause selecting the records of ``model`` that match ``domain``.

    ``readable(model, field)`` says whether the user may read a field (default: every field).
    Raises ``MalformedDomainError``, ``InvalidFieldError``, ``InvalidOperatorError``,
    ``ValidationError`` or ``FieldForbiddenError`` before building any SQL.
    """
    tree = _normal(_parse(domain), model, _Context(schema, readable), negate=False)
    return _sql(tree, schema.model_class(model), schema)


def _sql(node: _Node | _Leaf, root: Any, schema: Schema) -> ColumnElement[bool]:
    if isinstance(node, _Leaf):
        return _leaf_sql(node, root, schema)
    parts = [_sql(child, root, schema) for child in node.children]
    if node.combinator == "and":
        return and_(*parts) if parts else true()
    return or_(*parts) if parts else false()


def _leaf_sql(leaf: _Leaf, root: Any, schema: Schema) -> ColumnElement[bool]:
    if not leaf.path.links:
        return _column_sql(leaf, getattr(root, leaf.path.field.name))
    query, column = _follow(leaf.path, root, schema)
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
    """Datetimes are UTC; columns without a time zone get them naive."""
    if isinstance(value, tuple):
        return [_bindable(column, item) for item in value]
    if isinstance(value, dt.datetime) and not getattr(column.type, "timezone", False):
        return value.replace(tzinfo=None)
    return value


def _follow(path: _Path, root: Any, schema: Schema) -> tuple[Any, Any]:
    """A SELECT correlated to ``root`` that joins ``path``'s links, and the column it reaches."""
    targets = [aliased(schema.model_class(link.target)) for link in path.links]
    first = targets[0]
    query = select(first.id).where(first.id == getattr(root, path.links[0].name)).correlate(root)
    for link, outer, target in zip(path.links[1:], targets, targets[1:], strict=False):
        query = query.join_from(outer, target, target.id == getattr(outer, link.name))
    return query, getattr(targets[-1], path.field.name)


def _value(path: _Path, root: Any, schema: Schema) -> Any:
    """The column of a plain path, or a correlated scalar subquery for a dotted one."""
    if not path.links:
        return getattr(root, path.field.name)
    query, column = _follow(path, root, schema)
    return query.with_only_columns(column, maintain_column_froms=True).scalar_subquery()


_SQL_TESTS: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "=": op.eq, "<": op.lt, "<=": op.le, ">": op.gt, ">=": op.ge,
    "in": lambda column, values: column.in_(values),
    "like": lambda column, text: _Contains(column, text),
    "ilike": lambda column, text: _Contains(_AsciiLower(column), _fold(text)),
    "not_null": lambda column, _: column.is_not(None),
}
