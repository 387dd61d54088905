"""Units of measure, grouped in categories, and conversion between units of one category.

Each unit says how many of its category's reference unit it holds (``factor``): a dozen holds 12
units, a gram 0.001 kg, a 斤 0.5 kg. Storing "reference units per unit" keeps every shipped factor
an exact decimal (a dozen is 12, where "dozens per unit" would be 0.0833...). Conversion is
``qty × from.factor ÷ to.factor`` in Decimal, rounded half up to the target unit's ``rounding``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.errors import ValidationError
from loom.kernel.fields import Many2One
from loom.kernel.model import Check, Model, Unique
from loom.kernel.money import Quantity, ScaledDecimal
from loom.modules.base.rounding import EXACT, as_decimal, round_to_step
from loom.modules.base.translated import TranslatedName

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

_TYPE_TEST = {"reference": lambda f: f == 1, "bigger": lambda f: f > 1, "smaller": lambda f: f < 1}


class UomCategory(TranslatedName, Model):
    """A family of units that measure the same thing (count, weight, length, volume, working
    time); quantities convert only within a family."""

    __model__ = "base.uom.category"
    __order__ = "name"
    __indexes__ = (Unique("name"),)

    name: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str | None] = mapped_column(String(64))


class Uom(TranslatedName, Model):
    """A unit in which products are counted, weighed or measured: the category's reference unit
    (factor 1), a bigger one (a dozen: 12 units) or a smaller one (a gram: 0.001 kg). Quantities
    in the unit are rounded to ``rounding`` (0.01, 1, 0.001...)."""

    __model__ = "base.uom"
    __active__ = True
    __order__ = "category_id, factor"
    __indexes__ = (
        Unique("category_id", "name"),
        Unique("category_id", where="uom_type = 'reference'", name="uq_base_uom_one_reference"),
    )
    __checks__ = (Check("factor_positive", "factor > 0"), Check("rounding_positive", "rounding > 0"))

    name: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str | None] = mapped_column(String(64))
    category_id = Many2One("base.uom.category", nullable=False)
    factor: Mapped[Decimal] = mapped_column(ScaledDecimal(scale=6), default=Decimal(1),
                                            info={"label": "Reference units per unit"})
    uom_type: Mapped[str] = mapped_column(String(16), default="reference", server_default="reference",
                                          info={"selection": ("reference", "bigger", "smaller")})
    rounding: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("0.01"))

    def validate(self, env: Environment, changed: frozenset[str]) -> None:
        """Factor and rounding are positive, the factor agrees with the type, one reference per category."""
        factor, kind, rounding = self.factor, self.uom_type, self.rounding
        if factor <= 0:
            raise ValidationError("base.uom_factor_not_positive", field="factor", value=str(factor))
        if rounding <= 0:
            raise ValidationError("base.uom_rounding_not_positive", field="rounding", value=str(rounding))
        if not _TYPE_TEST[kind](factor):
            raise ValidationError("base.uom_factor_type", field="factor", uom=self.name, type=kind, value=str(factor))
        if kind == "reference":
            self._check_single_reference(env)

    def _check_single_reference(self, env: Environment) -> None:
        cls = type(self)
        stmt = select(cls.name).where(cls.category_id == self.category_id, cls.uom_type == "reference")
        if self.id is not None:
            stmt = stmt.where(cls.id != self.id)
        with env.session.no_autoflush:
            other = env.session.scalars(stmt.limit(1)).first()
        if other is not None:
            raise ValidationError("base.uom_reference_exists", field="uom_type", uom=self.name, existing=other)


def convert_quantity(qty: Decimal, from_uom: Any, to_uom: Any, round: bool = True) -> Decimal:
    """``qty`` in ``from_uom`` expressed in ``to_uom`` (same category, else ``ValidationError``).

    Rounded half up to ``to_uom.rounding`` unless ``round`` is false; a quantity already in
    ``to_uom`` is returned unchanged."""
    qty = as_decimal(qty, "quantity")
    if from_uom.category_id != to_uom.category_id:
        raise ValidationError("base.uom_category_mismatch", field="uom_id", from_uom=from_uom.name,
                              to_uom=to_uom.name)
    if from_uom.id == to_uom.id:
        return qty
    value = EXACT.divide(EXACT.multiply(qty, from_uom.factor), to_uom.factor)
    return round_quantity(value, to_uom) if round else value


def round_quantity(qty: Decimal, uom: Any) -> Decimal:
    """``qty`` rounded half up to a multiple of ``uom.rounding``."""
    return round_to_step(as_decimal(qty, "quantity"), uom.rounding)
