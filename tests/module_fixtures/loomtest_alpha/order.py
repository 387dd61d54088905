"""Alpha orders: a header with lines and a stored computed total."""

from decimal import Decimal

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.acknowledge import warn
from loom.kernel.errors import UserError, ValidationError, Warning
from loom.kernel.fields import Many2One, One2Many
from loom.kernel.model import Check, Model, computed
from loom.kernel.money import Money, Quantity
from loom.kernel.schema_objects import Trigger, View
from loom.kernel.sequences import next_number
from loom.kernel.workflow import Transition, Workflow


class Order(Model):
    """A test order of some partner, with lines and a total."""

    __model__ = "alpha.order"
    __company__ = "required"
    __checks__ = (Check("name_not_empty", "name <> ''"),)
    __tracked__ = ("amount_total", "partner_id")
    __workflow__ = Workflow(
        states=("draft", "confirmed", "done", "cancelled"),
        transitions=(
            Transition("confirm", "draft", "confirmed", guards=("_check_lines",), actions=("_assign_numbers",),
                       hook="on_alpha_confirmed", approval=True),
            Transition("done", "confirmed", "done"),
            Transition("cancel", ("draft", "confirmed"), "cancelled"),
            Transition("reset", "cancelled", "draft"),
        ),
    )

    name: Mapped[str] = mapped_column(String(64), default="/")
    state: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft", info={
        "selection": ("draft", "confirmed", "done", "cancelled", "waiting_approval"), "readonly": True})
    partner_id = Many2One("base.partner", nullable=False)
    lines = One2Many("alpha.order.line", "order_id")
    amount_total: Mapped[Decimal] = computed(mapped_column(Money(scale=4), default=Decimal(0)),
                                             depends=("lines", "lines.subtotal"))

    def _compute_amount_total(self):
        self.amount_total = sum((line.subtotal or Decimal(0) for line in self.lines), Decimal(0))

    @classmethod
    def _check_lines(cls, env, orders):
        """Guard of ``confirm``: every order has at least one line (one query for the batch)."""
        line = env.registry["alpha.order.line"]
        with_lines = set(env.session.scalars(select(line.order_id).where(line.order_id.in_([o.id for o in orders]))))
        empty = [order for order in orders if order.id not in with_lines]
        if empty:
            raise UserError("loomtest_alpha.order_without_lines_named", field="lines", order=empty[0].id)

    @classmethod
    def _assign_numbers(cls, env, orders):
        """Action of ``confirm``: each confirmed order takes its number from the alpha sequence."""
        handle = env.sudo()["alpha.order"]
        for order in orders:
            handle.write([order], {"name": next_number(env, "alpha.order")})

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

    def validate(self, env, changed):
        """A quantity above :data:`USUAL_QUANTITY` is most likely a typing slip: a warning to acknowledge."""
        if "quantity" in changed and self.quantity is not None and self.quantity > USUAL_QUANTITY:
            warn(env, Warning("loomtest_alpha.line_quantity_unusual", warning_id="loomtest_alpha.line_quantity_unusual",
                              field="quantity", quantity=self.quantity, usual=USUAL_QUANTITY))


#: The largest quantity an alpha line takes without a warning.
USUAL_QUANTITY = Decimal(10_000)


def confirm(env, orders):
    """Confirm draft orders: the workflow's ``confirm`` numbers them and tells the other modules."""
    return env["alpha.order"].transition("confirm", orders)


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
