"""Alpha orders: a header with lines and a stored computed total."""

from decimal import Decimal

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.errors import UserError, ValidationError
from loom.kernel.fields import Many2One, One2Many
from loom.kernel.model import Check, Model, computed
from loom.kernel.money import Money, Quantity
from loom.kernel.schema_objects import Trigger, View
from loom.kernel.sequences import next_number


class Order(Model):
    """A test order of some partner, with lines and a total."""

    __model__ = "alpha.order"
    __company__ = "required"
    __checks__ = (Check("state_known", "state IN ('draft', 'confirmed', 'done')"),)

    name: Mapped[str] = mapped_column(String(64), default="/")
    state: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft",
                                       info={"selection": ("draft", "confirmed", "done")})
    partner_id = Many2One("base.partner", nullable=False)
    lines = One2Many("alpha.order.line", "order_id")
    amount_total: Mapped[Decimal] = computed(mapped_column(Money(scale=4), default=Decimal(0)),
                                             depends=("lines", "lines.subtotal"))

    def _compute_amount_total(self):
        self.amount_total = sum((line.subtotal or Decimal(0) for line in self.lines), Decimal(0))

    def validate(self, env, changed):
        """An order needs a name; a confirmed order needs lines."""
        if self.state != "draft" and not self.lines:
            raise ValidationError("loomtest_alpha.order_without_lines", field="lines")


class OrderLine(Model):
    """One line of an alpha order: quantity times unit price."""

    __model__ = "alpha.order.line"

    order_id = Many2One("alpha.order", nullable=False, ondelete="CASCADE")
    quantity: Mapped[Decimal] = mapped_column(Quantity(scale=6))
    price: Mapped[Decimal] = mapped_column(Money(scale=6))
    subtotal: Mapped[Decimal] = computed(mapped_column(Money(scale=4), default=Decimal(0)),
                                         depends=("quantity", "price"))

    def _compute_subtotal(self):
        if self.quantity is not None and self.price is not None:
            self.subtotal = (self.quantity * self.price).quantize(Decimal("0.0001"))


def confirm(env, orders):
    """Confirm draft orders: number them, mark them confirmed, tell the other modules."""
    records = env["alpha.order"]
    for order in orders:
        if order.state != "draft":
            raise UserError("loomtest_alpha.not_draft", order=order.id, state=order.state)
    for order in orders:
        records.write([order], {"state": "confirmed", "name": next_number(env, "alpha.order")})
    env.hooks.on_alpha_confirmed(env=env, orders=orders)
    return orders


DONE_IMMUTABLE = Trigger(
    name="alpha_order_done_immutable",
    table="alpha_order",
    sqlite="""CREATE TRIGGER alpha_order_done_immutable BEFORE UPDATE OF amount_total ON alpha_order
              WHEN OLD.state = 'done'
              BEGIN SELECT RAISE(ABORT, 'alpha_order_done_immutable'); END""",
    postgresql="""CREATE OR REPLACE FUNCTION alpha_order_done_immutable() RETURNS trigger AS $$
              BEGIN
                IF OLD.state = 'done' AND NEW.amount_total <> OLD.amount_total THEN
                  RAISE EXCEPTION 'alpha_order_done_immutable';
                END IF;
                RETURN NEW;
              END $$ LANGUAGE plpgsql;;
              CREATE TRIGGER alpha_order_done_immutable BEFORE UPDATE ON alpha_order
              FOR EACH ROW EXECUTE FUNCTION alpha_order_done_immutable()""",
)


ORDER_SUMMARY = View(
    name="alpha_order_summary",
    sql="SELECT state, COUNT(*) AS orders, SUM(amount_total) AS amount_total FROM alpha_order GROUP BY state",
)
