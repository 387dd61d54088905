"""Taxes a company charges and pays, the company's tax rounding setting, and copying taxes.

The computation itself is pure and lives in :mod:`loom.modules.base.tax_compute`
(``compute_taxes``, ``compute_document``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.errors import ValidationError
from loom.kernel.fields import boolean
from loom.kernel.model import Check, Model, Unique
from loom.kernel.money import ScaledDecimal
from loom.kernel.settings import Setting, get_setting
from loom.modules.base.translated import TranslatedName

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

#: The company setting choosing how documents round their taxes.
TAX_ROUNDING = Setting("base.tax_rounding", "choice", "line", "Tax rounding: per line or per document",
                       ("line", "document"))
_COPIED = ("name", "name_zh", "rate", "amount_type", "price_include", "tax_kind", "type_tax_use",
           "sequence", "active")


class Tax(TranslatedName, Model):
    """A tax of one company: VAT at 13 %, 9 %, 6 % or 0 % for general taxpayers, or the 1 %, 3 %
    and 5 % levy (征收率) of small-scale taxpayers.

    ``rate`` is a percentage applied to the untaxed amount; with ``price_include`` the price the
    customer sees already contains the tax. ``type_tax_use`` says whether the tax is offered on
    sales, on purchases or on neither. Taxes always belong to one company.
    """

    __model__ = "base.tax"
    __active__ = True
    __company__ = "required"
    __order__ = "sequence, name"
    __indexes__ = (Unique("company_id", "type_tax_use", "name"),)
    __checks__ = (Check("rate_not_negative", "rate >= 0"),)

    name: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str | None] = mapped_column(String(64))
    rate: Mapped[Decimal] = mapped_column(ScaledDecimal(scale=4), info={"label": "Rate (%)"})
    amount_type: Mapped[str] = mapped_column(String(16), default="percent", server_default="percent",
                                             info={"selection": ("percent",)})
    price_include: Mapped[bool] = boolean(False)
    tax_kind: Mapped[str] = mapped_column(String(8), default="vat", server_default="vat",
                                          info={"selection": ("vat", "levy")})
    type_tax_use: Mapped[str] = mapped_column(String(16), default="sale", server_default="sale",
                                              info={"selection": ("sale", "purchase", "none")})
    sequence: Mapped[int] = mapped_column(Integer, default=10, server_default="10")

    def validate(self, env: Environment, changed: frozenset[str]) -> None:
        """A rate is a percentage between 0 and 100."""
        if self.rate is not None and not Decimal(0) <= self.rate <= Decimal(100):
            raise ValidationError("base.tax_rate_range", field="rate", value=str(self.rate))


def tax_rounding(env: Environment) -> str:
    """``line`` or ``document``: how the active company rounds taxes on its documents."""
    return str(get_setting(env, TAX_ROUNDING.key))


def copy_company_taxes(env: Environment, source_company_id: int, target_company_id: int) -> list[Any]:
    """Give ``target_company_id`` a copy of every tax of ``source_company_id`` (archived ones too)."""
    taxes = env["base.tax"]
    originals = taxes.search([["company_id", "=", source_company_id]], active_test=False)
    rows = [{**{name: getattr(tax, name) for name in _COPIED}, "company_id": target_company_id}
            for tax in originals]
    return taxes.create(rows) if rows else []
