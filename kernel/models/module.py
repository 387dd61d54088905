"""The ``loom_module`` table: the source of truth for what is installed."""

from datetime import datetime

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.model import Model, Unique


class InstalledModule(Model):
    """One installed module, with the version whose migrations ran and when it was installed."""

    __model__ = "loom.module"
    __managed__ = True
    __indexes__ = (Unique("name"),)

    name: Mapped[str] = mapped_column(String(64))
    module_version: Mapped[str] = mapped_column(String(32))
    installed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
