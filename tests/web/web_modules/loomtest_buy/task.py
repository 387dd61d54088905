"""Tasks on stages: a board without a workflow, where moving a card writes its stage."""

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.fields import Many2One
from loom.kernel.model import Model


class Stage(Model):
    """A column of the task board."""

    __model__ = "buy.stage"
    __order__ = "sequence, id"

    name: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer, default=10, server_default="10")


class Task(Model):
    """Something to do about a purchase, at some stage."""

    __model__ = "buy.task"

    name: Mapped[str] = mapped_column(String(128))
    stage_id = Many2One("buy.stage", nullable=True)
    partner_id = Many2One("base.partner", nullable=True)
