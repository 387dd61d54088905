"""Sort and group specs: ``ORDER BY`` terms and labelled ``GROUP BY`` expressions, checked like domains."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.sql.elements import ColumnElement

from loom.kernel.domain.dialect import _DATE_PARTS
from loom.kernel.domain.errors import MalformedDomainError, _invalid_field, _show
from loom.kernel.domain.schema import Readable, Schema, Visible, _Context, _Path, _resolve
from loom.kernel.domain.sql import _value
from loom.kernel.errors import InvalidFieldError

GRANULARITIES = ("year", "month", "day")
MAX_TERMS = 20
_ORDER_MODIFIERS = {
    (*direction, *nulls): (direction[0] if direction else "asc", nulls[1] if nulls else None)
    for direction in ((), ("asc",), ("desc",))
    for nulls in ((), ("nulls", "first"), ("nulls", "last"))
}


def compile_order(spec: str | Sequence[str], model: str, schema: Schema, readable: Readable | None = None,
                  visible: Visible | None = None) -> list[ColumnElement[Any]]:
    """ORDER BY terms for ``spec`` (``"name desc, id"``), with ``id`` appended unless present.

    A term is ``path [asc|desc] [nulls first|last]``; by default NULL sorts as the largest value
    (last ascending, first descending) on both backends. A dotted path reaches only records
    ``visible`` allows (others sort as NULL).
    """
    context = _Context(schema, readable)
    terms = [_order_term(term, model, context) for term in _terms(spec)]
    root = schema.model_class(model)
    ordering = [_ordering(_value(path, root, schema, visible), *modifiers) for path, modifiers in terms]
    if all(path.text != "id" for path, _ in terms):
        ordering.append(_ordering(root.id, "asc", None))
    return ordering


def compile_group(spec: str | Sequence[str], model: str, schema: Schema, readable: Readable | None = None,
                  visible: Visible | None = None) -> list[ColumnElement[Any]]:
    """Labelled GROUP BY expressions for ``spec`` (``["country_id.code", "since:month"]``).

    A term is a path, or a date or datetime path with ``:year``, ``:month`` or ``:day``; such a term
    groups by the text ``2024``, ``2024-03`` or ``2024-03-05`` (datetimes in UTC). Labels are the
    paths with ``.`` and ``:`` written ``__`` (``country_id__code``, ``since__month``).
    """
    context = _Context(schema, readable)
    terms = [_group_term(term.strip(), model, context) for term in _terms(spec)]
    root = schema.model_class(model)
    return [_grouping(path, unit, root, schema, visible) for path, unit in terms]


def _terms(spec: Any) -> Sequence[str]:
    terms = (spec.split(",") if spec.strip() else []) if isinstance(spec, str) else spec
    if not isinstance(terms, (list, tuple)) or not all(isinstance(term, str) for term in terms):
        raise MalformedDomainError("kernel.domain_malformed_spec")
    if len(terms) > MAX_TERMS:
        raise MalformedDomainError("kernel.domain_too_many_terms", limit=MAX_TERMS)
    return terms


def _order_term(term: str, model: str, context: _Context) -> tuple[_Path, tuple[str, str | None]]:
    text, *words = term.split() or [""]
    path = _sortable(_resolve(text, model, context))
    modifiers = _ORDER_MODIFIERS.get(tuple(word.lower() for word in words))
    if modifiers is None:
        raise InvalidFieldError("kernel.domain_invalid_order", field=path.text, term=_show(term))
    return path, modifiers


def _ordering(column: Any, direction: str, nulls: str | None) -> ColumnElement[Any]:
    ordered = column.desc() if direction == "desc" else column.asc()
    nulls = nulls or ("first" if direction == "desc" else "last")
    return ordered.nulls_first() if nulls == "first" else ordered.nulls_last()


def _group_term(term: str, model: str, context: _Context) -> tuple[_Path, str]:
    text, colon, unit = term.partition(":")
    path = _sortable(_resolve(text, model, context))
    if colon and (unit not in GRANULARITIES or path.field.kind not in ("date", "datetime")):
        raise InvalidFieldError("kernel.domain_invalid_group", field=path.text, term=_show(term))
    return path, unit


def _sortable(path: _Path) -> _Path:
    if path.field.kind == "json":
        raise _invalid_field(path.text, "kernel.domain_not_sortable", kind=path.field.kind)
    return path


def _grouping(path: _Path, unit: str, root: Any, schema: Schema, visible: Visible | None) -> ColumnElement[Any]:
    value, label = _value(path, root, schema, visible), path.text.replace(".", "__")
    if unit:
        value, label = _DATE_PARTS[unit](value), f"{label}__{unit}"
    return value.label(label)
