"""Extends alpha's order workflow: confirmed orders ship before they are done; shipped ones can be cancelled."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.model import Model
from loom.kernel.workflow import Transition, Workflow


class Order(Model):
    """Alpha orders gain the state ``shipped`` and the transition ``ship``."""

    __model__ = "alpha.order"
    __workflow__ = Workflow(
        states=("shipped",),
        transitions=(
            Transition("ship", "confirmed", "shipped", actions=("_note_shipping",)),
            Transition("done", "shipped"),
            Transition("cancel", "shipped"),
        ),
    )

    state: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft", info={
        "selection": ("draft", "confirmed", "done", "cancelled", "waiting_approval", "shipped"), "readonly": True})

    @classmethod
    def _note_shipping(cls, env, orders):
        """Action of ``ship``: nothing to do in this test module."""


def register(loom):
    """The extension of alpha orders."""
    loom.models(Order)
