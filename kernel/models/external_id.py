"""External ids: stable names (``base.cny``) for records shipped as data or imported."""

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.fields import boolean
from loom.kernel.model import Index, Model, Unique


class ExternalId(Model):
    """Maps ``module.name`` to one record; ``noupdate`` records keep user edits on module upgrade."""

    __model__ = "loom.external_id"
    __managed__ = True
    __rec_name__ = "name"
    __indexes__ = (Unique("module", "name"), Index("model", "res_id"))

    module: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(100))
    res_id: Mapped[int] = mapped_column(Integer)
    noupdate: Mapped[bool] = boolean(False)
