"""Purchase requests: a buyer submits one; above a threshold it waits for a manager's approval."""

from decimal import Decimal

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.fields import Many2One, One2Many
from loom.kernel.model import Model
from loom.kernel.money import Money, Quantity
from loom.kernel.workflow import Transition, Workflow

STATES = ("draft", "confirmed", "received", "cancelled", "waiting_approval")


class PurchaseRequest(Model):
    """What a buyer asks to buy from a supplier, for an amount."""

    __model__ = "buy.request"
    __workflow__ = Workflow(
        states=STATES[:4],
        transitions=(
            Transition("submit", "draft", "confirmed", approval=True),
            Transition("receive", "confirmed", "received", roles=("loomtest_buy.manager",)),
            Transition("cancel", ("draft", "confirmed"), "cancelled"),
            Transition("redraft", "cancelled", "draft"),
            Transition("reopen", "cancelled", "draft", roles=("loomtest_buy.manager",)),
        ),
    )

    name: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft",
                                       info={"selection": STATES, "readonly": True})
    partner_id = Many2One("base.partner", nullable=True)
    amount_total: Mapped[Decimal] = mapped_column(Money(scale=4), default=Decimal(0))
    lines = One2Many("buy.request.line", "request_id")


class PurchaseLine(Model):
    """One product line of a purchase request."""

    __model__ = "buy.request.line"
    __rec_name__ = "description"

    request_id = Many2One("buy.request", nullable=False, ondelete="CASCADE")
    description: Mapped[str] = mapped_column(String(128))
    partner_id = Many2One("base.partner", nullable=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity(scale=6), default=Decimal(1))
