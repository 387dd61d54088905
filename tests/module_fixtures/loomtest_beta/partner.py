"""What beta adds to partners: a service level."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.model import Model


class Partner(Model):
    """Partners get a service level (gold, silver, bronze)."""

    __model__ = "base.partner"

    beta_level: Mapped[str | None] = mapped_column(String(16), info={"selection": ("gold", "silver", "bronze")})

    def display_name(self) -> str:
        """Gold partners show their level after their name."""
        name = super().display_name()
        return f"{name} [{self.beta_level}]" if self.beta_level else name
