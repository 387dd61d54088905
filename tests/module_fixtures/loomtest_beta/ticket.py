"""Support tickets of a partner."""

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.fields import Many2One
from loom.kernel.model import Model


class Ticket(Model):
    """A support ticket opened for a partner."""

    __model__ = "beta.ticket"
    __rec_name__ = "subject"
    __tracked__ = ("subject", "internal_note")  # the note's changes show only to support staff

    subject: Mapped[str] = mapped_column(String(200))
    partner_id = Many2One("base.partner", nullable=False)
    internal_note: Mapped[str | None] = mapped_column(Text, info={"roles": ("loomtest_beta.support",)})
