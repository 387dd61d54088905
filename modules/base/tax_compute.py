"""Tax computation: pure functions over Decimals, shared by every document that carries taxes.

A tax is anything with ``rate`` (a percentage, Decimal) and ``price_include`` (bool): a
``base.tax`` record or a :class:`TaxSpec`. Taxes of one line apply to the same base (no tax on
tax). Amounts round ``ROUND_HALF_UP`` at the currency's precision.

**Per line** (the default, how a Chinese invoice prints each line): the untaxed amount is rounded,
a tax excluded from the price is the rounded untaxed amount times its rate, rounded; when taxes
are included in the price, the rounded gross is kept and the included taxes take what remains
after the rounded untaxed amount (价税合计 − 金额 = 税额), so 113.00 including 13 % is 100.00 +
13.00 exactly.

**Per document** (a company setting): the unrounded base of each tax is summed over the lines and
each tax is rounded once; the untaxed total absorbs the difference so that a price-included total
is still the sum of the gross line amounts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from loom.kernel.errors import ValidationError
from loom.modules.base.rounding import EXACT, as_decimal, round_half_up

ROUNDINGS = ("line", "document")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class TaxSpec:
    """A tax outside the database (tests, previews): its name, rate in percent, price included."""

    name: str
    rate: Decimal
    price_include: bool = False


@dataclass(frozen=True)
class TaxAmount:
    """One tax of a line or a document: the base it applies to and the amount it comes to."""

    tax: Any
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class TaxResult:
    """Untaxed amount, total tax and total of a line or a document, with each tax's share."""

    untaxed: Decimal
    tax: Decimal
    total: Decimal
    per_tax: tuple[TaxAmount, ...]


@dataclass(frozen=True)
class DocumentLine:
    """A line as tax computation sees it: its taxes, unit price and quantity."""

    taxes: Sequence[Any]
    price_unit: Decimal
    quantity: Decimal


@dataclass(frozen=True)
class _Exact:
    """A line before rounding: the gross (price-included amount, or untaxed when none is)."""

    gross: Decimal
    untaxed: Decimal
    amounts: tuple[TaxAmount, ...]


def compute_taxes(taxes: Sequence[Any], price_unit: Decimal, quantity: Decimal,
                  currency_precision: int, rounding: str = "line") -> TaxResult:
    """Untaxed, tax and total of ``quantity`` × ``price_unit`` under ``taxes``.

    ``rounding="line"`` rounds the line (see the module docstring); ``"document"`` returns the
    unrounded values of the line, which :func:`compute_document` sums before rounding once.
    """
    exact = _exact_line(taxes, price_unit, quantity)
    if _check_rounding(rounding) == "line":
        return _round_line(exact, currency_precision)
    tax = _sum(a.amount for a in exact.amounts)
    return TaxResult(exact.untaxed, tax, EXACT.add(exact.untaxed, tax), exact.amounts)


def compute_document(lines: Iterable[DocumentLine], rounding: str, currency_precision: int) -> TaxResult:
    """Totals of a document's ``lines``, rounded per line or once per document."""
    if _check_rounding(rounding) == "line":
        results = [compute_taxes(ln.taxes, ln.price_unit, ln.quantity, currency_precision) for ln in lines]
        return _sum_rounded(results)
    exacts = [_exact_line(ln.taxes, ln.price_unit, ln.quantity) for ln in lines]
    return _round_document(exacts, currency_precision)


def _check_rounding(rounding: str) -> str:
    if rounding not in ROUNDINGS:
        raise ValidationError("base.tax_rounding_unknown", field="rounding", value=str(rounding)[:20],
                              allowed=", ".join(ROUNDINGS))
    return rounding


def _exact_line(taxes: Sequence[Any], price_unit: Decimal, quantity: Decimal) -> _Exact:
    gross = EXACT.multiply(as_decimal(price_unit, "price_unit"), as_decimal(quantity, "quantity"))
    rates = [as_decimal(tax.rate, "rate") for tax in taxes]
    included = _sum(r for r, t in zip(rates, taxes, strict=True) if t.price_include)
    untaxed = EXACT.divide(EXACT.multiply(gross, HUNDRED), EXACT.add(HUNDRED, included))
    amounts = tuple(TaxAmount(tax, untaxed, _percent(untaxed, rate)) for tax, rate in zip(taxes, rates, strict=True))
    return _Exact(gross, untaxed, amounts)


def _percent(base: Decimal, rate: Decimal) -> Decimal:
    return EXACT.divide(EXACT.multiply(base, rate), HUNDRED)


def _round_line(exact: _Exact, places: int) -> TaxResult:
    untaxed = round_half_up(exact.untaxed, places)
    amounts = [round_half_up(a.amount if a.tax.price_include else _percent(untaxed, as_decimal(a.tax.rate, "rate")),
                             places) for a in exact.amounts]
    included = [index for index, a in enumerate(exact.amounts) if a.tax.price_include]
    if included:  # the last included tax takes what the rounded gross leaves (税额 = 价税合计 − 金额)
        gross = round_half_up(exact.gross, places)
        amounts[included[-1]] += gross - untaxed - _sum(amounts[index] for index in included)
    return _result(untaxed, tuple(TaxAmount(a.tax, untaxed, amount)
                                  for a, amount in zip(exact.amounts, amounts, strict=True)))


def _round_document(exacts: list[_Exact], places: int) -> TaxResult:
    per_tax = tuple(TaxAmount(tax, round_half_up(base, places),
                              round_half_up(_percent(base, as_decimal(tax.rate, "rate")), places))
                    for tax, base in _bases(exacts).items())
    gross = round_half_up(_sum(e.gross for e in exacts), places)
    included = _sum(a.amount for a in per_tax if a.tax.price_include)
    return _result(gross - included, per_tax)


def _bases(exacts: list[_Exact]) -> dict[Any, Decimal]:
    """Each tax's unrounded base summed over the lines, in order of first appearance."""
    bases: dict[Any, Decimal] = {}
    for exact in exacts:
        for amount in exact.amounts:
            bases[amount.tax] = EXACT.add(bases.get(amount.tax, Decimal(0)), amount.base)
    return bases


def _sum_rounded(results: list[TaxResult]) -> TaxResult:
    grouped: dict[Any, TaxAmount] = {}
    for result in results:
        for a in result.per_tax:
            seen = grouped.get(a.tax)
            grouped[a.tax] = a if seen is None else TaxAmount(a.tax, seen.base + a.base, seen.amount + a.amount)
    return _result(_sum(r.untaxed for r in results), tuple(grouped.values()))


def _result(untaxed: Decimal, per_tax: tuple[TaxAmount, ...]) -> TaxResult:
    tax = _sum(a.amount for a in per_tax)
    return TaxResult(untaxed, tax, untaxed + tax, per_tax)


def _sum(values: Iterable[Decimal]) -> Decimal:
    """The exact sum of ``values`` (in :data:`EXACT`, whatever the thread's decimal context)."""
    total = Decimal(0)
    for value in values:
        total = EXACT.add(total, value)
    return total
