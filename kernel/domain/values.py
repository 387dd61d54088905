"""Condition values read as the type of the field they are compared with, and ASCII case folding."""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from loom.kernel.domain.errors import _invalid_value
from loom.kernel.domain.schema import _Path
from loom.kernel.fields import FieldInfo

_ASCII_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_INT64 = 2**63
_DEFAULT_SCALE = 6


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


def _fold(text: str) -> str:
    return text.translate(_ASCII_FOLD)
