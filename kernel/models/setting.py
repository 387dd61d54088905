"""Stored values of the typed per-company settings that modules declare."""

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.model import Model, Unique


class SettingValue(Model):
    """The value one company chose for one declared setting (``sales.credit_grace_days``)."""

    __model__ = "loom.setting"
    __company__ = "required"
    __indexes__ = (Unique("company_id", "key"),)

    key: Mapped[str] = mapped_column(String(100))
    value: Mapped[object] = mapped_column(JSON)
