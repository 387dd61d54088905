"""Quotes: a customer, a date, a note, and lines in the order the seller gives them."""

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.fields import Many2One, One2Many
from loom.kernel.model import Model, computed
from loom.kernel.money import Money, Quantity


class Quote(Model):
    """A quote to a customer; its total follows its lines."""

    __model__ = "forms.quote"

    name: Mapped[str] = mapped_column(String(64))
    partner_id = Many2One("base.partner", nullable=False, label="Customer")
    quoted_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    line_ids = One2Many("forms.quote.line", "quote_id", order_by="sequence", label="Lines")
    total: Mapped[Decimal] = computed(mapped_column(Money(scale=2), default=Decimal(0)),
                                      depends=("line_ids", "line_ids.subtotal"))

    def _compute_total(self):
        self.total = sum((line.subtotal or Decimal(0) for line in self.line_ids), Decimal(0))

    def _onchange_partner_id(self, env):
        """A default note naming the customer, while the seller has written none."""
        if not self.note and self.partner is not None:
            self.note = f"Terms agreed with {self.partner.name}"


class QuoteLine(Model):
    """One line of a quote, in the place ``sequence`` gives it."""

    __model__ = "forms.quote.line"
    __rec_name__ = "description"
    __order__ = "sequence, id"

    quote_id = Many2One("forms.quote", nullable=False, ondelete="CASCADE")
    sequence: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Quantity(scale=3))
    price: Mapped[Decimal] = mapped_column(Money(scale=2))
    subtotal: Mapped[Decimal] = computed(mapped_column(Money(scale=2), default=Decimal(0)),
                                         depends=("quantity", "price"))

    def _compute_subtotal(self):
        if self.quantity is not None and self.price is not None:
            self.subtotal = (self.quantity * self.price).quantize(Decimal("0.01"))
