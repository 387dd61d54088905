"""What a module writes to declare a model: the ``Model`` mixin and table-level declarations.

A module declares a plain, *unmapped* class under a dotted name::

    class Partner(Model):
        \"\"\"A customer, a supplier or both.\"\"\"

        __model__ = "base.partner"
        __active__ = True                      # master data: archived, never deleted
        __company__ = "optional"               # shared by default, may belong to one company
        __indexes__ = (Index("name"),)

        name: Mapped[str] = mapped_column(String(200))
        parent_id = Many2One("base.partner", ondelete="CASCADE")

Another module extends it by declaring a class with the same ``__model__``; the registry composes
one mapped class per installed set (see :mod:`loom.kernel.composer`). Code reaches models through
the environment (``env["base.partner"]``), never by importing another module's class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

#: Values of ``__company__``: no company column, an optional one (shared when empty), a required one.
COMPANY_MODES = (None, "optional", "required")


@dataclass(frozen=True)
class Index:
    """An index over ``columns``; ``unique`` and a partial ``where`` (SQL over this table's columns)."""

    columns: tuple[str, ...]
    unique: bool = False
    where: str | None = None
    name: str | None = None

    def __init__(self, *columns: str, unique: bool = False, where: str | None = None,
                 name: str | None = None) -> None:
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "unique", unique)
        object.__setattr__(self, "where", where)
        object.__setattr__(self, "name", name)


def Unique(*columns: str, where: str | None = None, name: str | None = None) -> Index:  # noqa: N802
    """A unique index over ``columns`` (optionally partial), the way uniqueness rules are declared."""
    return Index(*columns, unique=True, where=where, name=name)


@dataclass(frozen=True)
class Check:
    """A CHECK constraint; ``sql`` uses this table's column names; ``name`` is required."""

    name: str
    sql: str


def computed(column: Any, *, depends: tuple[str, ...], method: str | None = None) -> Any:
    """Mark a ``mapped_column`` as a stored computed field.

    ``depends`` lists the fields (first path segment counts) whose change recomputes it;
    ``method`` is the model method that sets it (default ``_compute_<field>``). The environment
    recomputes on create and write, and :meth:`Model.onchange` on drafts.
    """
    column.column.info["compute"] = {"depends": tuple(depends), "method": method}
    return column


class Model:
    """Base of every Loom model: an ``id``, a ``version`` for optimistic edits, declared hooks.

    Class attributes a model may set: ``__model__`` (dotted name, required), ``__active__`` (adds
    the ``active`` flag of master data), ``__company__`` (``"optional"`` or ``"required"`` adds a
    ``company_id`` and isolates records per company), ``__order__`` (default ordering, domain
    language syntax), ``__indexes__`` and ``__checks__`` (tuples of :class:`Index` and
    :class:`Check`), ``__rec_name__`` (the field that names a record, default ``name``),
    ``__managed__`` (True: rows only the kernel's own functions write, such as the module list, the
    audit log or API tokens; users may be allowed to read them, but ``env[model].create``, ``write``
    and ``delete`` refuse everyone but the superuser, so no API call, form or import forges them).
    """

    __model__: ClassVar[str]
    __active__: ClassVar[bool] = False
    __company__: ClassVar[str | None] = None
    __order__: ClassVar[str] = "id"
    __rec_name__: ClassVar[str] = "name"
    __managed__: ClassVar[bool] = False

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-100)

    def validate(self, env: Any, changed: frozenset[str]) -> None:
        """Check business rules after a create (``changed`` = every field given) or a write.

        Raise ``ValidationError(..., field=...)`` naming the field. Runs once the values, column
        defaults and required fields are in place; extensions call ``super().validate(env, changed)``."""

    def display_name(self) -> str:
        """How the record is named in lists, links and messages."""
        value = getattr(self, self.__rec_name__, None)
        return str(value) if value is not None else f"{self.__model__},{self.id}"

    def __repr__(self) -> str:
        return f"<{self.__model__} id={self.id}>"
