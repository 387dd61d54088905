"""Postal address and contact fields shared by companies and partners."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column


class Address:
    """A Chinese postal address (street, city, province, postcode; country CN by default) with a
    phone number and an e-mail address. Mixed into models; the composer records the columns as
    owned by the module whose model class uses the mixin."""

    street: Mapped[str | None] = mapped_column(String(200))
    street2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    province: Mapped[str | None] = mapped_column(String(100))
    zip: Mapped[str | None] = mapped_column(String(16))
    country_code: Mapped[str] = mapped_column(String(2), default="CN", server_default="CN")
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(200))
