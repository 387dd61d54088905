"""Naming rows of a table as records: (model, id), or the owning record for a relation table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Table

#: How many offending rows a violation names (the message gives the full count).
SHOWN = 20


def model_of(table: Table) -> str:
    """The model a table holds, its owner model for a many-to-many relation table, else its name."""
    if "model" in table.info:
        return table.info["model"]
    link_of = table.info.get("link_of")
    return link_of[0] if link_of else table.name


def key_column(table: Table, registry: Any, avoid: Column | None = None) -> Column | None:
    """The column whose values name the records a row belongs to: ``id``, or in a relation table
    the column pointing at its owner model (other than ``avoid`` when there is a choice)."""
    if "id" in table.c:
        return table.c.id
    link_of = table.info.get("link_of")
    if not link_of or link_of[0] not in registry:
        return None
    owner = registry[link_of[0]].__table__
    candidates = [fk.parent for fk in table.foreign_keys if fk.column.table is owner]
    preferred = [column for column in candidates if column is not avoid]
    return (preferred or candidates or [None])[0]
