"""Kernel models of the web shell: login throttling and session generations."""

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.model import Model, Unique


class WebLogin(Model):
    """What the web shell keeps about one login name: its recent failed attempts and the
    generation of its sessions.

    A row exists for any name someone tried, known or not, so an unknown user and a wrong
    password are throttled alike (W2). Every signed session cookie carries the generation it was
    issued under; logging out raises it, which ends all of the user's sessions at once (W3)."""

    __model__ = "loom.web_login"
    __managed__ = True
    __rec_name__ = "login"
    __indexes__ = (Unique("login"),)

    login: Mapped[str] = mapped_column(String(100))
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


#: The models this file declares, registered by :mod:`loom.kernel.models`.
MODELS: tuple[type, ...] = (WebLogin,)
#: Triggers and views on these models' tables (re-created after every migration).
TRIGGERS: tuple[object, ...] = ()
