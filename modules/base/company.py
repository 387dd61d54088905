"""What base adds to the kernel's companies: legal, tax, address, bank and currency details."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.fields import Many2One
from loom.kernel.model import Model, Unique
from loom.modules.base.address import Address
from loom.modules.base.uscc import validate_uscc

if TYPE_CHECKING:
    from loom.kernel.environment import Environment


class Company(Address, Model):
    """The business details of a company Loom keeps the books of.

    ``tax_id`` is its unified social credit code (check character verified, stored compact);
    ``taxpayer_type`` is ``general`` (一般纳税人: VAT at 13/9/6/0 %, input VAT deductible) or
    ``small_scale`` (小规模纳税人: the 1/3/5 % levy). ``currency_id`` is the currency its books are
    kept in, the one its exchange rates are quoted in (CNY unless set otherwise)."""

    __model__ = "loom.company"
    __indexes__ = (Unique("tax_id"),)

    tax_id: Mapped[str | None] = mapped_column(String(32), info={"label": "Unified social credit code"})
    taxpayer_type: Mapped[str] = mapped_column(String(16), default="general", server_default="general",
                                               info={"selection": ("general", "small_scale")})
    bank_name: Mapped[str | None] = mapped_column(String(200))
    bank_account: Mapped[str | None] = mapped_column(String(64))
    currency_id = Many2One("base.currency")

    def validate(self, env: Environment, changed: frozenset[str]) -> None:
        """The tax id, when given, is a valid unified social credit code, kept in compact form."""
        super().validate(env, changed)
        if self.tax_id:
            self.tax_id = validate_uscc(self.tax_id, field="tax_id")
