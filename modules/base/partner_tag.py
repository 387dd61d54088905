"""Tags that sort partners into groups (VIP, distributor, 华东区...)."""

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.model import Model, Unique


class PartnerTag(Model):
    """A label put on partners to group and find them (a region, a channel, a key account);
    ``color`` is the index of the colour the web shell shows it in."""

    __model__ = "base.partner.tag"
    __active__ = True
    __order__ = "name"
    __indexes__ = (Unique("name"),)

    name: Mapped[str] = mapped_column(String(64))
    color: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
