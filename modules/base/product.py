"""Products and their categories."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from stdnum.ean import calc_check_digit

from loom.kernel.errors import ValidationError
from loom.kernel.fields import Many2Many, Many2One
from loom.kernel.model import Check, Index, Model
from loom.kernel.money import Money
from loom.modules.base.translated import TranslatedName
from loom.modules.base.uniqueness import check_scoped_unique, scoped_unique

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

_TAX_CODE = re.compile(r"[0-9]{19}")
_EAN13 = re.compile(r"[0-9]{13}")
MAX_CATEGORY_DEPTH = 16


class ProductCategory(TranslatedName, Model):
    """A family of products (office furniture, electronic components) in a tree under ``All``;
    reports and price rules group products by it."""

    __model__ = "base.product.category"
    __order__ = "name"

    name: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str | None] = mapped_column(String(100))
    parent_id = Many2One("base.product.category", label="Parent category")

    def display_name(self) -> str:
        """The path from the root: ``All / Office furniture``."""
        names, node = [], self
        while node is not None and len(names) <= MAX_CATEGORY_DEPTH:
            names.append(node.name)
            node = node.parent
        return " / ".join(reversed(names))

    def validate(self, env: Environment, changed: frozenset[str]) -> None:
        """A category is never its own ancestor."""
        node, depth = self.parent, 0
        while node is not None:
            depth += 1
            if node is self or depth > MAX_CATEGORY_DEPTH:
                raise ValidationError("base.product_category_loop", field="parent_id", category=self.name)
            node = node.parent


class Product(TranslatedName, Model):
    """Something the business sells, buys, stocks or provides.

    ``type`` says how stock treats it: ``storable`` (stock levels are kept), ``consumable``
    (bought and used without counting stock) or ``service``. It is counted in ``uom_id`` and may
    be bought in another unit of the same category (``purchase_uom_id``: a box of 12). The
    internal reference (``default_code``) and the barcode are unique within the scope the
    product is visible in; a 13-digit barcode must carry a valid EAN-13 check digit. ``tax_code``
    is the 19-digit tax classification code (税收分类编码) printed on e-invoices. Substitutes are
    products the sales desk may offer when this one is short. Products are shared by all
    companies unless they belong to one; each company picks its own taxes among ``sale_tax_ids``
    and ``purchase_tax_ids``.
    """

    __model__ = "base.product"
    __active__ = True
    __company__ = "optional"
    __order__ = "name"
    __indexes__ = (
        *scoped_unique("base_product", "default_code"),
        *scoped_unique("base_product", "barcode"),
        Index("name"),
    )
    __checks__ = (Check("list_price_not_negative", "list_price >= 0"),
                  Check("standard_cost_not_negative", "standard_cost >= 0"))

    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    default_code: Mapped[str | None] = mapped_column(String(64), info={"label": "Internal reference"})
    barcode: Mapped[str | None] = mapped_column(String(32))
    category_id = Many2One("base.product.category")
    type: Mapped[str] = mapped_column(String(16), default="consumable", server_default="consumable",
                                      info={"selection": ("storable", "consumable", "service")})
    uom_id = Many2One("base.uom", nullable=False, label="Unit")
    purchase_uom_id = Many2One("base.uom", label="Purchase unit")
    tax_code: Mapped[str | None] = mapped_column(String(19), info={"label": "Tax classification code"})
    list_price: Mapped[Decimal] = mapped_column(Money(scale=6), default=Decimal(0), server_default="0")
    standard_cost: Mapped[Decimal] = mapped_column(Money(scale=6), default=Decimal(0), server_default="0")
    sale_tax_ids = Many2Many("base.tax", table="base_product_sale_tax_rel", label="Sales taxes")
    purchase_tax_ids = Many2Many("base.tax", table="base_product_purchase_tax_rel", label="Purchase taxes")
    substitute_ids = Many2Many("base.product", table="base_product_substitute_rel", label="Substitutes")

    def validate(self, env: Environment, changed: frozenset[str]) -> None:
        """Tax code, barcode and purchase unit well formed; reference and barcode unique in scope."""
        if self.tax_code is not None and not _TAX_CODE.fullmatch(self.tax_code):
            raise ValidationError("base.product_tax_code_invalid", field="tax_code", value=self.tax_code)
        if self.barcode is not None and _EAN13.fullmatch(self.barcode):
            _check_ean13(self.barcode)
        self._check_purchase_uom()
        if any(other is self for other in self.substitute_ids):
            raise ValidationError("base.product_substitutes_itself", field="substitute_ids", product=self.name)
        check_scoped_unique(env, self, "default_code", "default_code", "base.product_default_code_duplicate")
        check_scoped_unique(env, self, "barcode", "barcode", "base.product_barcode_duplicate")

    def _check_purchase_uom(self) -> None:
        uom, purchase = self.uom, self.purchase_uom
        if uom is not None and purchase is not None and purchase.category_id != uom.category_id:
            raise ValidationError("base.product_purchase_uom_category", field="purchase_uom_id",
                                  uom=uom.name, purchase_uom=purchase.name)

    def buying_uom(self) -> Any:
        """The unit the product is bought in: its purchase unit, else its unit."""
        return self.purchase_uom or self.uom

    def taxes_for(self, company_id: int, use: str) -> list[Any]:
        """The active ``sale`` or ``purchase`` taxes of this product that belong to ``company_id``."""
        taxes = self.sale_tax_ids if use == "sale" else self.purchase_tax_ids
        return [tax for tax in taxes if tax.company_id == company_id and tax.active]


def _check_ean13(barcode: str) -> None:
    expected = calc_check_digit(barcode[:12])
    if barcode[12] != expected:
        raise ValidationError("base.product_barcode_check_digit", field="barcode", value=barcode, expected=expected)
