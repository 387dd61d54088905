"""Kernel models of the JSON API: tokens and idempotency keys.

An :class:`ApiToken` stores only the SHA-256 of a token (256 random bits shown once, when it is
made); an :class:`IdempotencyKey` keeps the first response of a ``POST`` sent with an
``Idempotency-Key`` header, written in the business transaction under a unique key so a retry,
even a concurrent one, gets that response instead of a second effect.
"""

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.fields import Many2One
from loom.kernel.model import Index, Model, Unique
from loom.kernel.models.security import NOBODY


class ApiToken(Model):
    """A bearer token of one user for the JSON API; revoked tokens stay listed, unusable."""

    __model__ = "loom.api_token"
    __managed__ = True
    __indexes__ = (Unique("token_hash"),)

    user_id = Many2One("loom.user", nullable=False, ondelete="CASCADE")
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), info={"roles": NOBODY, "readonly": True})
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), info={"readonly": True})
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), info={"readonly": True})
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), info={"readonly": True})


class IdempotencyKey(Model):
    """The first response to one user's ``POST`` carrying one ``Idempotency-Key`` (kept 24 hours)."""

    __model__ = "loom.idempotency_key"
    __managed__ = True
    __rec_name__ = "key"
    __indexes__ = (Unique("user_id", "key"), Index("created_at"))

    user_id = Many2One("loom.user", nullable=False, ondelete="CASCADE")
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


#: The models this file declares, registered by :mod:`loom.kernel.models`.
MODELS: tuple[type, ...] = (ApiToken, IdempotencyKey)
#: Triggers and views on these models' tables (re-created after every migration).
TRIGGERS: tuple[object, ...] = ()
