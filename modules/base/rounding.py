"""Rounding of amounts and quantities: ``ROUND_HALF_UP`` on ``Decimal``, never on floats.

Every computation that may divide (taxes included in a price, unit conversion, exchange rates)
runs in :data:`EXACT`, a context with far more digits than any stored value, and is rounded once,
at the end, to the precision the business asks for.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

from loom.kernel.errors import ValidationError

#: Arithmetic context for intermediate results: 40 significant digits, never a float.
EXACT = Context(prec=40, rounding=ROUND_HALF_UP)


def as_decimal(value: object, field: str) -> Decimal:
    """``value`` as a Decimal; ints are accepted, floats and anything else refused naming ``field``."""
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise ValidationError("base.amount_not_decimal", field=field, value=repr(value)[:40])


def round_half_up(value: Decimal, places: int) -> Decimal:
    """``value`` rounded to ``places`` decimals, halves away from zero (0.125 -> 0.13, -0.125 -> -0.13)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=EXACT)


def round_to_step(value: Decimal, step: Decimal) -> Decimal:
    """``value`` rounded half up to a multiple of ``step`` (``0.01``, ``1``, ``0.5``)."""
    steps = EXACT.divide(value, step).quantize(Decimal(1), rounding=ROUND_HALF_UP, context=EXACT)
    return EXACT.multiply(steps, step)
