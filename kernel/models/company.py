"""Companies: the kernel knows their existence and hierarchy; ``base`` adds their business details."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.fields import Many2One
from loom.kernel.model import Model, Unique


class Company(Model):
    """A legal entity whose records are isolated from other companies' records."""

    __model__ = "loom.company"
    __active__ = True
    __indexes__ = (Unique("code"),)

    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(32))
    parent_id = Many2One("loom.company")
