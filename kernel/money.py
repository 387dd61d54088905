"""Exact money and quantities on both backends: ``Money`` and ``Quantity`` column types.

Python sees ``decimal.Decimal`` quantized to the column's scale, on SQLite and on PostgreSQL alike.
SQLite stores a scaled BIGINT (``value * 10**scale``) because its NUMERIC affinity goes through
float; PostgreSQL stores ``NUMERIC(precision, scale)``. Values are checked before they reach the
database, identically on both backends, by :func:`check_decimal`: floats, booleans, NaN and
Infinity, more decimals than the scale (never rounded silently) and more than
``precision - scale`` integer digits are refused with a :class:`ValidationError`.

What is exact in SQL (on scaled integers these are integer operations):

* ``+`` and ``-`` between values of the same scale, and with Python literals or bound parameters
  (``on_hand = on_hand + :q``, ``WHERE on_hand - reserved >= :q``);
* multiplication by an integer (``amount * 2``, ``amount * line_count``);
* ``SUM``, ``MIN``, ``MAX``, ``COALESCE`` over them, and comparisons (``amount >= Decimal("3")``
  binds ``3`` through the column's type). On SQLite a ``SUM`` past ±9.22·10^18 units (about
  9.2·10^14 at scale 4) fails with "integer overflow" instead of drifting; PostgreSQL sums on.

What is not exact, and so is computed in Python (``SUM`` and ``COUNT`` in SQL, then divide and
round with ``ROUND_HALF_UP``): ``×`` between two decimals, ``/``, ``%`` and ``AVG``. The column
type refuses ``×`` by a non-integer, ``/``, ``//``, ``%`` and ``+``/``-`` across different scales
when the expression is built (``sqlalchemy.exc.ArgumentError``). ``AVG``, ``ABS`` and other SQL
functions return untyped values: on SQLite they would see the scaled integers, so do not use them
on these columns (wrap an exact one such as ``ABS`` with ``type_coerce(expr, column.type)``).
"""

from __future__ import annotations

import operator
import re
from decimal import Context, Decimal, Inexact, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, Integer, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import ArgumentError, DontWrapMixin
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.type_api import TypeEngine
from sqlalchemy.types import NullType, TypeDecorator

from loom.kernel.errors import ValidationError

#: The largest precision: 18 digits always fit a signed 64-bit integer (±9.22·10^18).
MAX_PRECISION = 18

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_EXACT = Context(prec=2 * MAX_PRECISION + 4, traps=[InvalidOperation, Inexact])
_SAME_SCALE_OPS = (operator.add, operator.sub)
_DIVISIONS = (operator.truediv, operator.floordiv, operator.mod)


class DecimalValidationError(ValidationError, DontWrapMixin):
    """A refused decimal; SQLAlchemy lets it through a statement's execution unwrapped."""


def check_decimal(value: Any, *, scale: int, precision: int, field: str | None = None) -> Decimal:
    """``value`` as a Decimal quantized to ``scale``, or a ``ValidationError`` naming ``field``.

    Accepts ``Decimal``, ``int`` and ``str`` (ASCII digits, optional sign, point and exponent,
    surrounding blanks ignored). Refuses floats (``kernel.decimal_float``), anything else that is
    not a finite number (``kernel.decimal_invalid``), more decimals than ``scale``
    (``kernel.decimal_scale``) and ``precision - scale`` integer digits or more
    (``kernel.decimal_range``). Negative zero becomes zero.
    """
    number = _parse(value, field)
    digits = precision - scale
    if number.copy_abs() >= Decimal(10) ** digits:
        raise DecimalValidationError("kernel.decimal_range", field=field, value=_show(value), digits=digits)
    try:
        number = number.quantize(Decimal(1).scaleb(-scale), context=_EXACT)
    except (Inexact, InvalidOperation):
        raise DecimalValidationError("kernel.decimal_scale", field=field, value=_show(value),
                                     scale=scale) from None
    return number.copy_abs() if number.is_zero() else number


def _parse(value: Any, field: str | None) -> Decimal:
    if isinstance(value, float):
        raise DecimalValidationError("kernel.decimal_float", field=field, value=_show(value))
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        value = value.strip()
    elif isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise DecimalValidationError("kernel.decimal_invalid", field=field, value=_show(value))
    try:
        number = Decimal(value)
    except InvalidOperation:  # an exponent beyond what Decimal can hold
        number = Decimal("NaN")
    if not number.is_finite():
        raise DecimalValidationError("kernel.decimal_invalid", field=field, value=_show(value))
    return number


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


class _Comparator(TypeDecorator.Comparator, Numeric.Comparator):
    """Refuses, when a statement is built, the arithmetic that would not be exact on SQLite."""

    __slots__ = ()

    def operate(self, op: Any, *other: Any, **kwargs: Any) -> ColumnElement[Any]:
        """Check ``op`` against each operand, then build the expression as ``Numeric`` does."""
        for operand in other:
            _check_arithmetic(self.type, op, operand)
        return super().operate(op, *other, **kwargs)

    def reverse_operate(self, op: Any, other: Any, **kwargs: Any) -> ColumnElement[Any]:
        """Same as :meth:`operate` with the column on the right."""
        _check_arithmetic(self.type, op, other)
        return super().reverse_operate(op, other, **kwargs)


def _check_arithmetic(own: ScaledDecimal, op: Any, operand: Any) -> None:
    """Raise ``ArgumentError`` for ``own <op> operand`` when SQLite would not compute it exactly."""
    if op not in (*_SAME_SCALE_OPS, operator.mul, *_DIVISIONS):
        return
    if hasattr(operand, "__clause_element__"):
        operand = operand.__clause_element__()
    kind = operand.type if isinstance(operand, ColumnElement) else None
    if op is operator.mul:
        exact = isinstance(kind, Integer) or (isinstance(operand, int) and not isinstance(operand, bool))
    elif op in _SAME_SCALE_OPS:
        exact = kind is None or isinstance(kind, NullType) or (
            isinstance(kind, ScaledDecimal) and kind.scale == own.scale)
    else:
        exact = False
    if not exact:
        raise ArgumentError(f"{op.__name__} of a scale-{own.scale} decimal with {operand!r} is not exact "
                            "in SQL on SQLite; compute it in Python (see loom.kernel.money)")


class ScaledDecimal(TypeDecorator):
    """A decimal column with a fixed scale: scaled BIGINT on SQLite, ``NUMERIC(p, s)`` elsewhere."""

    impl = Numeric
    cache_ok = True
    loom_kind = "decimal"
    comparator_factory = _Comparator

    def __init__(self, scale: int, precision: int = MAX_PRECISION) -> None:
        if not 0 <= scale <= precision <= MAX_PRECISION:
            raise ValueError(f"need 0 <= scale <= precision <= {MAX_PRECISION}, got {scale}, {precision}")
        super().__init__(precision, scale)
        self.scale = scale
        self.precision = precision

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """BIGINT on SQLite, ``NUMERIC(precision, scale)`` on PostgreSQL."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine[Any]:
        """Literals bind through this type, except an integer factor of ``*``, which stays unscaled."""
        return Integer() if op is operator.mul else self

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Check the value; on SQLite scale it to an integer."""
        if value is None:
            return None
        number = check_decimal(value, scale=self.scale, precision=self.precision)
        if dialect.name != "sqlite":
            return number
        numerator, denominator = number.as_integer_ratio()
        return numerator * 10**self.scale // denominator

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        """A Decimal quantized to the scale (from the scaled integer on SQLite)."""
        if value is None:
            return None
        number = Decimal(value).scaleb(-self.scale, _EXACT) if dialect.name == "sqlite" else Decimal(value)
        return number.quantize(Decimal(1).scaleb(-self.scale), context=_EXACT)


class Money(ScaledDecimal):
    """An amount: scale 4 unless the field says otherwise (unit prices use 6)."""

    cache_ok = True

    def __init__(self, scale: int = 4, precision: int = MAX_PRECISION) -> None:
        super().__init__(scale, precision)


class Quantity(ScaledDecimal):
    """A quantity: scale 6 unless the field says otherwise."""

    cache_ok = True

    def __init__(self, scale: int = 6, precision: int = MAX_PRECISION) -> None:
        super().__init__(scale, precision)
