"""The domain language: one filter syntax compiled to SQL, and sort and group specs checked alike.

A domain is JSON-friendly data::

    [["country_id.code", "=", "CN"], ["or", ["credit", ">", "1000"], ["not", ["active", "=", true]]]]

* a condition is ``[path, operator, value]``; a list of nodes is an implicit AND; ``["and", ...]``,
  ``["or", ...]`` and ``["not", node]`` combine nodes (``["and"]`` is true, ``["or"]`` is false, ``[]``
  is true). ``and``, ``or`` and ``not`` are therefore never read as field names;
* a path is a field name, or field names joined by dots through many-to-one fields
  (``parent_id.country_id.code``), at most :data:`MAX_LINKS` links;
* operators are :data:`OPERATORS`. ``like``/``ilike`` mean "contains": the text is matched literally
  (``%`` and ``_`` are ordinary characters), ``ilike`` ignoring the case of ASCII letters only.

Decisions, identical in SQL and in :func:`evaluate`:

* **NULL.** A path's value is NULL when the field is empty or a link on the way is empty. ``=``,
  ``<``, ``<=``, ``>``, ``>=``, ``in``, ``like`` and ``ilike`` never match NULL; ``!=`` and ``not_in``
  are their exact negations and so *do* match NULL (``["country_id.code", "!=", "CN"]`` keeps partners
  without a country). ``["not", X]`` is the exact negation of ``X``. NULL is tested with ``is_null``
  only: ``["f", "=", null]`` is refused. The compiler keeps SQL two-valued: negations are pushed
  down to the conditions, and a negated condition on a column adds ``OR column IS NULL``.
* **Paths** compile to one correlated ``EXISTS (SELECT ... JOIN ...)`` per condition (``NOT EXISTS``
  when negated), so the result stays one boolean expression for ``select(cls).where(...)``; sorting
  and grouping on a path use a correlated scalar subquery.
* **Case.** ``like`` is case-sensitive on both backends (``instr`` on SQLite, ``strpos`` on
  PostgreSQL, never SQL ``LIKE``, whose case rules differ); ``ilike`` folds ASCII ``A-Z`` only
  (SQLite ``lower``, PostgreSQL ``translate``), so ``É`` and ``é`` stay different everywhere.

Security: every path, operator, value, sort and group term is checked against the schema's fields
and the user's ``readable`` callback before any SQL is built; columns come from the schema, values
are bound parameters, and user text never reaches the SQL text. docs/domain-language.md is the
user guide.
"""

from __future__ import annotations

import datetime as dt
import operator as op
import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Integer, String, and_, false, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from loom.kernel.errors import FieldForbiddenError, InvalidFieldError, InvalidOperatorError, ValidationError
from loom.kernel.fields import FieldInfo

OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "in", "not_in", "like", "ilike", "is_null")
GRANULARITIES = ("year", "month", "day")
MAX_DEPTH = 32
MAX_CONDITIONS = 500
MAX_LIST = 1000
MAX_LINKS = 4
MAX_TERMS = 20

_COMBINATORS = ("and", "or", "not")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_ORDERED = ("=", "!=", "<", "<=", ">", ">=", "in", "not_in", "is_null")
_EQUALITY = ("=", "!=", "in", "not_in", "is_null")
_KIND_OPERATORS = {
    "integer": _ORDERED, "decimal": _ORDERED, "date": _ORDERED, "datetime": _ORDERED,
    "string": (*_ORDERED, "like", "ilike"), "text": (*_ORDERED, "like", "ilike"),
    "selection": _EQUALITY, "boolean": _EQUALITY, "many2one": _EQUALITY, "json": ("is_null",),
}
_NEGATIONS = {"!=": "=", "not_in": "in"}
_ASCII_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_INT64 = 2**63
_DEFAULT_SCALE = 6
_ORDER_MODIFIERS = {
    (*direction, *nulls): (direction[0] if direction else "asc", nulls[1] if nulls else None)
    for direction in ((), ("asc",), ("desc",))
    for nulls in ((), ("nulls", "first"), ("nulls", "last"))
}

Readable = Callable[[str, str], bool]


class Schema(Protocol):
    """What the compiler needs from a registry: field descriptions and mapped classes."""

    def fields(self, model: str) -> Mapping[str, FieldInfo]:
        """Every field of ``model`` by name."""
        ...

    def model_class(self, model: str) -> type:
        """The mapped class of ``model``: attribute ``FieldInfo.name`` is the field's column."""
        ...


class MalformedDomainError(ValidationError):
    """A domain, sort or group spec does not follow the syntax (code ``invalid_value``, HTTP 400)."""

    http_status = 400


# -- public API ------------------------------------------------------------------------------------


def compile_domain(domain: Any, model: str, schema: Schema,
                   readable: Readable | None = None) -> ColumnElement[bool]:
    """The WHERE clause selecting the records of ``model`` that match ``domain``.

    ``readable(model, field)`` says whether the user may read a field (default: every field).
    Raises ``MalformedDomainError``, ``InvalidFieldError``, ``InvalidOperatorError``,
    ``ValidationError`` or ``FieldForbiddenError`` before building any SQL.
    """
    tree = _normal(_parse(domain), model, _Context(schema, readable), negate=False)
    return _sql(tree, schema.model_class(model), schema)


def compile_order(spec: str | Sequence[str], model: str, schema: Schema,
                  readable: Readable | None = None) -> list[ColumnElement[Any]]:
    """ORDER BY terms for ``spec`` (``"name desc, id"``), with ``id`` appended unless present.

    A term is ``path [asc|desc] [nulls first|last]``; by default NULL sorts as the largest value
    (last ascending, first descending) on both backends.
    """
    context = _Context(schema, readable)
    terms = [_order_term(term, model, context) for term in _terms(spec)]
    root = schema.model_class(model)
    ordering = [_ordering(_value(path, root, schema), *modifiers) for path, modifiers in terms]
    if all(path.text != "id" for path, _ in terms):
        ordering.append(_ordering(root.id, "asc", None))
    return ordering


def compile_group(spec: str | Sequence[str], model: str, schema: Schema,
                  readable: Readable | None = None) -> list[ColumnElement[Any]]:
    """Labelled GROUP BY expressions for ``spec`` (``["country_id.code", "since:month"]``).

    A term is a path, or a date or datetime path with ``:year``, ``:month`` or ``:day``; such a term
    groups by the text ``2024``, ``2024-03`` or ``2024-03-05`` (datetimes in UTC). Labels are the
    paths with ``.`` and ``:`` written ``__`` (``country_id__code``, ``since__month``).
    """
    context = _Context(schema, readable)
    terms = [_group_term(term.strip(), model, context) for term in _terms(spec)]
    root = schema.model_class(model)
    return [_grouping(path, unit, root, schema) for path, unit in terms]


def evaluate(domain: Any, record_getter: Callable[[str], Any]) -> bool:
    """Whether one record matches ``domain``, computed in Python with the SQL's semantics.

    ``record_getter(path)`` returns the record's value at ``path`` (None when a link on the way is
    empty). The domain's structure, paths and operators are checked as by :func:`compile_domain`,
    but fields are not looked up in a schema: values given as text are read as the type of the
    record's value (ISO dates, decimals). Used as the tests' oracle and for unsaved records.
    """
    return _holds(_parse(domain), record_getter)


# -- structure -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Condition:
    path: str
    operator: str
    value: Any


@dataclass(frozen=True)
class _Node:
    combinator: str
    children: tuple[Any, ...]


def _parse(domain: Any) -> _Node | _Condition:
    if not isinstance(domain, (list, tuple)):
        raise _malformed("domain")
    return _Parser().node(domain, "domain", 1)


class _Parser:
    """Checks the structure, the paths' syntax, the operators and the values' shape."""

    def __init__(self) -> None:
        self.conditions = 0

    def node(self, node: Any, where: str, depth: int) -> _Node | _Condition:
        if depth > MAX_DEPTH:
            raise MalformedDomainError("kernel.domain_too_deep", limit=MAX_DEPTH)
        if not isinstance(node, (list, tuple)):
            raise _malformed(where)
        head = node[0] if node else None
        if isinstance(head, str) and head in _COMBINATORS:
            return self.combinator(head, node, where, depth)
        if isinstance(head, str):
            return self.condition(node, where)
        return _Node("and", self.children(node, 0, where, depth))

    def combinator(self, head: str, node: Sequence, where: str, depth: int) -> _Node:
        if head == "not" and len(node) != 2:
            raise _malformed(where)
        return _Node(head, self.children(node, 1, where, depth))

    def children(self, node: Sequence, start: int, where: str, depth: int) -> tuple[Any, ...]:
        return tuple(self.node(node[i], f"{where}[{i}]", depth + 1) for i in range(start, len(node)))

    def condition(self, node: Sequence, where: str) -> _Condition:
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise MalformedDomainError("kernel.domain_too_large", limit=MAX_CONDITIONS)
        if len(node) != 3:
            raise _malformed(where)
        path, operator, value = node
        _segments(path)
        _check_operator(path, operator)
        _check_shape(path, operator, value)
        return _Condition(path, operator, value)


def _segments(path: str) -> list[str]:
    segments = path.split(".")
    if not all(_IDENTIFIER.fullmatch(segment) for segment in segments):
        raise _invalid_field(path)
    if len(segments) > MAX_LINKS + 1:
        raise _invalid_field(path, "kernel.domain_path_too_long", limit=MAX_LINKS)
    return segments


def _check_operator(path: str, operator: Any, allowed: Sequence[str] = OPERATORS) -> None:
    if not isinstance(operator, str) or operator not in allowed:
        raise InvalidOperatorError("kernel.domain_invalid_operator", field=_show(path), path=_show(path),
                                   operator=_show(operator), allowed=", ".join(allowed))


def _check_shape(path: str, operator: str, value: Any) -> None:
    if operator == "is_null":
        if not isinstance(value, bool):
            raise _invalid_value(path, operator, value, "true | false")
    elif operator in ("in", "not_in"):
        if not (isinstance(value, (list, tuple)) and 0 < len(value) <= MAX_LIST) or None in value:
            raise ValidationError("kernel.domain_list_value", field=_show(path), path=_show(path),
                                  operator=operator, limit=MAX_LIST)
    elif value is None:
        raise ValidationError("kernel.domain_null_value", field=_show(path), path=_show(path),
                              operator=operator)


# -- fields and values -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    schema: Schema
    readable: Readable | None


@dataclass(frozen=True)
class _Path:
    text: str
    links: tuple[FieldInfo, ...]
    field: FieldInfo


@dataclass(frozen=True)
class _Leaf:
    """A checked condition in positive form (``=  <  <=  >  >=  in  like  ilike  not_null``)."""

    path: _Path
    operator: str
    value: Any
    negated: bool


def _resolve(text: str, model: str, context: _Context) -> _Path:
    """Follow ``text`` from ``model`` through many-to-one fields to the field it names."""
    *names, last = _segments(text)
    links = []
    for name in names:
        info = _field(name, model, text, context)
        if info.kind != "many2one" or not info.target:
            raise _invalid_field(text, "kernel.domain_not_traversable", segment=name, kind=info.kind)
        links.append(info)
        model = info.target
    return _Path(text, tuple(links), _field(last, model, text, context))


def _field(name: str, model: str, text: str, context: _Context) -> FieldInfo:
    info = context.schema.fields(model).get(name)
    if info is None:
        raise _invalid_field(text, model=model)
    if context.readable is not None and not context.readable(model, name):
        raise FieldForbiddenError("kernel.domain_field_forbidden", field=_show(text), path=_show(text))
    if info.kind not in _KIND_OPERATORS:
        raise _invalid_field(text, "kernel.domain_not_traversable", segment=name, kind=info.kind)
    if not info.stored:
        raise _invalid_field(text, "kernel.domain_not_stored")
    return info


def _leaf(condition: _Condition, model: str, context: _Context, negate: bool) -> _Leaf:
    path = _resolve(condition.path, model, context)
    operator = condition.operator
    _check_operator(path.text, operator, _KIND_OPERATORS[path.field.kind])
    value = _typed(path, operator, condition.value)
    if operator == "is_null":
        return _Leaf(path, "not_null", None, negate != value)
    if operator in _NEGATIONS:
        return _Leaf(path, _NEGATIONS[operator], value, not negate)
    return _Leaf(path, operator, value, negate)


def _typed(path: _Path, operator: str, value: Any) -> Any:
    """``value`` converted for the field's kind; ``ValidationError`` naming the path otherwise."""
    if operator == "is_null":
        return value
    convert = _CONVERTERS[path.field.kind]
    try:
        if operator in ("in", "not_in"):
            return tuple(convert(path.field, item) for item in value)
        return convert(path.field, value)
    except (TypeError, ValueError, ArithmeticError):
        raise _invalid_value(path.text, operator, value, _expected(path.field)) from None


def _integer(info: FieldInfo, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not -_INT64 <= value < _INT64:
        raise TypeError
    return value


def _text(info: FieldInfo, value: Any) -> str:
    if not isinstance(value, str) or "\x00" in value:
        raise TypeError
    value.encode("utf-8")  # lone surrogates cannot be sent to either database
    if info.kind == "selection" and value not in info.selection:
        raise ValueError
    return value


def _boolean(info: FieldInfo, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError
    return value


def _decimal(info: FieldInfo, value: Any) -> Decimal:
    number = _parse_decimal(value)
    scale = info.scale if info.scale is not None else _DEFAULT_SCALE
    if number.quantize(Decimal(1).scaleb(-scale)) != number or abs(number.scaleb(scale)) >= _INT64:
        raise ValueError  # more decimals than the field stores, or out of its range
    return number


def _parse_decimal(value: Any) -> Decimal:
    if isinstance(value, (bool, float)) or not isinstance(value, (int, str, Decimal)):
        raise TypeError
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError
    return number


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise TypeError
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _parse_datetime(value: Any) -> dt.datetime:
    """An aware UTC datetime from a datetime, a date (midnight) or ISO text; naive means UTC."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if not isinstance(value, dt.datetime):
        raise TypeError
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


_CONVERTERS: dict[str, Callable[[FieldInfo, Any], Any]] = {
    "integer": _integer, "many2one": _integer, "string": _text, "text": _text, "selection": _text,
    "boolean": _boolean, "decimal": _decimal,
    "date": lambda info, value: _parse_date(value),
    "datetime": lambda info, value: _parse_datetime(value),
}


def _expected(info: FieldInfo) -> str:
    return " | ".join(info.selection) if info.kind == "selection" else info.kind


# -- SQL -------------------------------------------------------------------------------------------


def _normal(node: _Node | _Condition, model: str, context: _Context, negate: bool) -> _Node | _Leaf:
    """Check ``node`` against the schema and push every ``not`` down to the conditions."""
    if isinstance(node, _Condition):
        return _leaf(node, model, context, negate)
    if node.combinator == "not":
        return _normal(node.children[0], model, context, not negate)
    combinator = {"and": "or", "or": "and"}[node.combinator] if negate else node.combinator
    return _Node(combinator, tuple(_normal(child, model, context, negate) for child in node.children))


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


class _Position(FunctionElement):
    """Where ``needle`` first occurs in ``haystack``, 1-based, 0 when absent (case-sensitive)."""

    type = Integer()
    inherit_cache = True


@compiles(_Position)
def _position_sqlite(element: _Position, compiler: Any, **kw: Any) -> str:
    return f"instr({compiler.process(element.clauses, **kw)})"


@compiles(_Position, "postgresql")
def _position_postgresql(element: _Position, compiler: Any, **kw: Any) -> str:
    return f"strpos({compiler.process(element.clauses, **kw)})"


class _AsciiLower(FunctionElement):
    """The text with ASCII ``A-Z`` lowered and every other character unchanged."""

    type = String()
    inherit_cache = True


@compiles(_AsciiLower)
def _ascii_lower_sqlite(element: _AsciiLower, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"  # SQLite's lower() is ASCII-only


@compiles(_AsciiLower, "postgresql")
def _ascii_lower_postgresql(element: _AsciiLower, compiler: Any, **kw: Any) -> str:
    letters = f"'{string.ascii_uppercase}', '{string.ascii_lowercase}'"
    return f"translate({compiler.process(element.clauses, **kw)}, {letters})"


def _fold(text: str) -> str:
    return text.translate(_ASCII_FOLD)


_SQL_TESTS: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "=": op.eq, "<": op.lt, "<=": op.le, ">": op.gt, ">=": op.ge,
    "in": lambda column, values: column.in_(values),
    "like": lambda column, text: _Position(column, text) > 0,
    "ilike": lambda column, text: _Position(_AsciiLower(column), _fold(text)) > 0,
    "not_null": lambda column, _: column.is_not(None),
}


# -- sorting and grouping --------------------------------------------------------------------------


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


def _grouping(path: _Path, unit: str, root: Any, schema: Schema) -> ColumnElement[Any]:
    value, label = _value(path, root, schema), path.text.replace(".", "__")
    if unit:
        value, label = _DATE_PARTS[unit](value), f"{label}__{unit}"
    return value.label(label)


class _DatePart(FunctionElement):
    """A date or UTC datetime as text: ``strftime`` on SQLite, ``to_char`` on PostgreSQL."""

    type = String()
    inherit_cache = True
    formats = ("", "")


class _Year(_DatePart):
    inherit_cache = True
    formats = ("%Y", "YYYY")


class _Month(_DatePart):
    inherit_cache = True
    formats = ("%Y-%m", "YYYY-MM")


class _Day(_DatePart):
    inherit_cache = True
    formats = ("%Y-%m-%d", "YYYY-MM-DD")


_DATE_PARTS = {"year": _Year, "month": _Month, "day": _Day}


@compiles(_DatePart)
def _date_part_sqlite(element: _DatePart, compiler: Any, **kw: Any) -> str:
    return f"strftime('{element.formats[0]}', {compiler.process(element.clauses, **kw)})"


@compiles(_DatePart, "postgresql")
def _date_part_postgresql(element: _DatePart, compiler: Any, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    if getattr(element.clauses.clauses[0].type, "timezone", False):
        value = f"({value}) AT TIME ZONE 'UTC'"
    return f"to_char({value}, '{element.formats[1]}')"


# -- Python evaluation -----------------------------------------------------------------------------


def _holds(node: _Node | _Condition, get: Callable[[str], Any]) -> bool:
    if isinstance(node, _Condition):
        return _matches(node, node.operator, get(node.path))
    results = (_holds(child, get) for child in node.children)
    if node.combinator == "not":
        return not next(results)
    return all(results) if node.combinator == "and" else any(results)


def _matches(condition: _Condition, operator: str, actual: Any) -> bool:
    if operator == "is_null":
        return (actual is None) == condition.value
    if operator in _NEGATIONS:
        return not _matches(condition, _NEGATIONS[operator], actual)
    if actual is None:
        return False
    try:
        actual = _same_type(actual, actual)  # datetimes as naive UTC
        if operator == "in":
            return any(actual == _same_type(actual, item) for item in condition.value)
        return _PY_TESTS[operator](actual, _same_type(actual, condition.value))
    except (TypeError, ValueError, ArithmeticError):
        raise _invalid_value(condition.path, operator, condition.value, type(actual).__name__) from None


def _same_type(actual: Any, value: Any) -> Any:
    """``value`` read as the type of the record's ``actual`` value (datetimes as naive UTC)."""
    if isinstance(actual, dt.datetime):
        return _parse_datetime(value).replace(tzinfo=None)
    if isinstance(actual, dt.date):
        return _parse_date(value)
    if isinstance(actual, Decimal):
        return _parse_decimal(value)
    return value


_PY_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "=": op.eq, "<": op.lt, "<=": op.le, ">": op.gt, ">=": op.ge,
    "like": lambda actual, text: text in actual,
    "ilike": lambda actual, text: _fold(text) in _fold(actual),
}


# -- errors ----------------------------------------------------------------------------------------


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _malformed(location: str) -> MalformedDomainError:
    return MalformedDomainError("kernel.domain_malformed", location=location)


def _invalid_field(path: str, message_id: str = "kernel.domain_invalid_field",
                   **params: Any) -> InvalidFieldError:
    return InvalidFieldError(message_id, field=_show(path), path=_show(path), **params)


def _invalid_value(path: str, operator: str, value: Any, expected: str) -> ValidationError:
    return ValidationError("kernel.domain_invalid_value", field=_show(path), path=_show(path),
                           operator=operator, value=_show(value), expected=expected)
