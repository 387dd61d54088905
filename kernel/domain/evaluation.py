"""The Python evaluator: whether one record matches a domain, with the same semantics as the SQL."""

from __future__ import annotations

import datetime as dt
import operator as op
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from loom.kernel.domain.errors import _invalid_value
from loom.kernel.domain.syntax import _NEGATIONS, _Condition, _Node, _parse
from loom.kernel.domain.values import _fold, _parse_date, _parse_datetime, _parse_decimal


def evaluate(domain: Any, record_getter: Callable[[str], Any]) -> bool:
    """Whether one record matches ``domain``, computed in Python with the SQL's semantics.

    ``record_getter(path)`` returns the record's value at ``path`` (None when a link on the way is
    empty). The domain's structure, paths and operators are checked as by :func:`compile_domain`,
    but fields are not looked up in a schema: values given as text are read as the type of the
    record's value (ISO dates, decimals). Used as the tests' oracle and for unsaved records.
    """
    return _holds(_parse(domain), record_getter)


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
