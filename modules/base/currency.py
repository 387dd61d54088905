"""Currencies, their dated exchange rates per company, rounding and conversion.

A rate says how many units of the company's currency one unit of the currency is worth on and
after its date (``USD 7.1884`` for a CNY company: how the People's Bank of China quotes its central
parity). The company's own currency is worth 1. Converting on a document's date uses, for each
currency, the latest rate on or before that date; with none, the error names the currency and the
date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.errors import UserError, ValidationError
from loom.kernel.fields import Many2One
from loom.kernel.model import Check, Model, Unique
from loom.kernel.money import ScaledDecimal
from loom.modules.base.rounding import EXACT, as_decimal, round_half_up
from loom.modules.base.translated import TranslatedName

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

_CODE = re.compile(r"[A-Z]{3}")


class Currency(TranslatedName, Model):
    """A currency the business deals in: its ISO 4217 code, name, symbol and how many decimal
    places its amounts have (2 for the yuan, 0 for the yen). Archived currencies stay on old
    documents but are no longer offered."""

    __model__ = "base.currency"
    __active__ = True
    __rec_name__ = "code"
    __order__ = "code"
    __indexes__ = (Unique("code"),)
    __checks__ = (Check("decimal_places_range", "decimal_places >= 0 AND decimal_places <= 4"),)

    code: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str | None] = mapped_column(String(64))
    symbol: Mapped[str] = mapped_column(String(8))
    decimal_places: Mapped[int] = mapped_column(Integer, default=2, server_default="2")

    @property
    def rounding(self) -> Decimal:
        """The smallest amount of this currency (``0.01`` for two decimal places)."""
        return Decimal(1).scaleb(-self.decimal_places)

    def validate(self, env: Environment, changed: frozenset[str]) -> None:
        """The code is three capital letters; amounts are stored with at most 4 decimals."""
        if self.code is not None and not _CODE.fullmatch(self.code):
            raise ValidationError("base.currency_code_invalid", field="code", value=self.code)
        places = self.decimal_places
        if not 0 <= places <= 4:
            raise ValidationError("base.currency_decimal_places", field="decimal_places", value=places)


class CurrencyRate(Model):
    """What one unit of a currency is worth in the company's currency from a date on.

    Rates belong to one company because the company's currency is what they are quoted in; one
    rate per currency, company and date."""

    __model__ = "base.currency.rate"
    __company__ = "required"
    __rec_name__ = "date"
    __order__ = "date desc"
    __indexes__ = (Unique("currency_id", "company_id", "date"),)
    __checks__ = (Check("rate_positive", "rate > 0"),)

    currency_id = Many2One("base.currency", nullable=False, ondelete="CASCADE")
    date: Mapped[dt.date] = mapped_column(Date)
    rate: Mapped[Decimal] = mapped_column(ScaledDecimal(scale=8), info={"label": "Company currency per unit"})

    def validate(self, env: Environment, changed: frozenset[str]) -> None:
        """A rate is positive and never given for the company's own currency (that is always 1)."""
        if self.rate is not None and self.rate <= 0:
            raise ValidationError("base.currency_rate_not_positive", field="rate", value=str(self.rate))
        company = env.sudo()["loom.company"].get(self.company_id) if self.company_id else None
        if company is not None and company.currency_id == self.currency_id:
            raise ValidationError("base.currency_rate_own_currency", field="currency_id",
                                  currency=self.currency.code, company=company.name)


def round_amount(amount: Decimal, currency: Any) -> Decimal:
    """``amount`` rounded half up to ``currency``'s decimal places."""
    return round_half_up(as_decimal(amount, "amount"), currency.decimal_places)


def company_rate(env: Environment, currency: Any, company: Any, date: dt.date) -> Decimal:
    """Company-currency units one unit of ``currency`` is worth on ``date`` for ``company``.

    1 for the company's own currency; else the latest rate on or before ``date``, or a
    ``UserError`` naming the currency and the date."""
    if company.currency_id is None:
        raise UserError("base.company_without_currency", company=company.name)
    if currency.id == company.currency_id:
        return Decimal(1)
    found = env["base.currency.rate"].search(
        [["currency_id", "=", currency.id], ["company_id", "=", company.id], ["date", "<=", date]],
        order="date desc", limit=1)
    if not found:
        raise UserError("base.currency_rate_missing", currency=currency.code, date=date.isoformat(),
                        company=company.name)
    return found[0].rate


def convert(env: Environment, amount: Decimal, from_currency: Any, to_currency: Any, date: dt.date,
            company: Any, *, round: bool = True) -> Decimal:
    """``amount`` in ``from_currency`` expressed in ``to_currency`` at ``company``'s rates on ``date``.

    Rounded half up to ``to_currency``'s decimal places unless ``round`` is false."""
    places = to_currency.decimal_places if round else None
    if from_currency.id == to_currency.id:
        return convert_amount(amount, Decimal(1), Decimal(1), places)
    return convert_amount(amount, company_rate(env, from_currency, company, date),
                          company_rate(env, to_currency, company, date), places)


def convert_amount(amount: Decimal, from_rate: Decimal, to_rate: Decimal, places: int | None = None) -> Decimal:
    """``amount × from_rate ÷ to_rate``, rounded half up to ``places`` when given (pure)."""
    value = EXACT.divide(EXACT.multiply(as_decimal(amount, "amount"), from_rate), to_rate)
    return value if places is None else round_half_up(value, places)


def allocate_conversion(amounts: Sequence[Decimal], from_rate: Decimal, to_rate: Decimal,
                        places: int) -> list[Decimal]:
    """Convert a document's line amounts so that they add up to its converted total.

    The total is converted once; the rounding difference goes to the largest line (by absolute
    amount, the first one on a tie)."""
    converted = [convert_amount(amount, from_rate, to_rate, places) for amount in amounts]
    if not converted:
        return converted
    total = convert_amount(sum(amounts, Decimal(0)), from_rate, to_rate, places)
    largest = max(range(len(amounts)), key=lambda index: (abs(amounts[index]), -index))
    converted[largest] += total - sum(converted, Decimal(0))
    return converted
