"""Field markers that the composer turns into columns and relationships, and field metadata.

Modules declare ordinary typed columns with ``Mapped[...]``/``mapped_column`` and use the markers
below for what SQLAlchemy cannot declare on an unmapped class:

* ``Many2One("base.partner")`` on ``partner_id`` gives the foreign-key column ``partner_id`` and the
  relationship ``partner``;
* ``One2Many("sales.order.line", "order_id")`` gives the relationship ``lines`` (no column);
* ``Many2Many("base.partner.tag")`` gives a link table owned by the declaring module.

After composition every model has a ``FieldInfo`` per field (``registry.fields(model)``): the single
description the domain language, access checks, the API and the web shell read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Field kinds known to the domain language and the channels.
KINDS = ("integer", "string", "text", "boolean", "decimal", "date", "datetime", "selection",
         "many2one", "one2many", "many2many", "json")


@dataclass(frozen=True)
class Many2One:
    """A link to one record of ``target``; declared on the ``*_id`` attribute."""

    target: str
    ondelete: str = "RESTRICT"
    nullable: bool = True
    index: bool = True
    label: str | None = None


@dataclass(frozen=True)
class One2Many:
    """The records of ``target`` whose ``inverse`` many-to-one points here (lines of a document)."""

    target: str
    inverse: str
    order_by: str = "id"
    label: str | None = None


@dataclass(frozen=True)
class Many2Many:
    """A set of ``target`` records through a link table (``<table>_<field>_rel`` unless named)."""

    target: str
    table: str | None = None
    label: str | None = None


MARKERS = (Many2One, One2Many, Many2Many)


@dataclass(frozen=True)
class FieldInfo:
    """What the kernel knows about one field of a composed model.

    ``attribute`` is the mapped attribute name (the column for scalars and many-to-ones, the
    relationship for one-to-many and many-to-many); ``relationship`` is the relationship attribute
    of a many-to-one (``partner`` for ``partner_id``); ``selection`` lists allowed values.
    """

    name: str
    kind: str
    module: str
    target: str | None = None
    relationship: str | None = None
    required: bool = False
    readonly: bool = False
    stored: bool = True
    scale: int | None = None
    size: int | None = None
    selection: tuple[str, ...] = ()
    roles: frozenset[str] = frozenset()
    label: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def boolean(default: bool = False, **kwargs: Any) -> Any:
    """A non-null Boolean column whose server default is portable (``true``/``false``).

    ``server_default=sqlalchemy.true()`` compiles to ``1`` on SQLite and a migration generated
    there would then fail on PostgreSQL; ``text("true")`` is valid on both."""
    from sqlalchemy import Boolean, text
    from sqlalchemy.orm import mapped_column

    return mapped_column(Boolean, nullable=False, default=default,
                         server_default=text("true" if default else "false"), **kwargs)
