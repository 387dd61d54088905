"""Records a delete takes with it: rows whose required link to the deleted records is
``ondelete="CASCADE"`` (an order's lines), and theirs in turn. The database removes them; the
kernel finds their ids first, so ``on_records_deleted`` is told about them too and the timeline,
approval and attachment rows naming them leave with them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

if TYPE_CHECKING:
    from loom.kernel.environment import Environment
    from loom.kernel.registry import Registry

#: How many links deep a cascade is followed (lines of lines of lines...).
MAX_DEPTH = 8


def cascaded_ids(env: Environment, model: str, ids: list[int]) -> dict[str, list[int]]:
    """Ids by model of the rows that deleting records ``ids`` of ``model`` deletes by cascade (one
    SELECT per cascading link and level)."""
    found: dict[str, list[int]] = {}
    frontier = [(model, ids)]
    for _depth in range(MAX_DEPTH):
        following = []
        for parent, parent_ids in frontier:
            for child, column in cascading_links(env.registry, parent):
                cls = env.registry[child]
                child_ids = [i for i in env.session.scalars(select(cls.id).where(column.in_(parent_ids)))
                             if i not in found.get(child, ())]
                if child_ids:
                    found.setdefault(child, []).extend(child_ids)
                    following.append((child, child_ids))
        if not following:
            break
        frontier = following
    return found


def cascading_links(registry: Registry, model: str) -> list[tuple[str, Any]]:
    """(model, column) of every column whose foreign key to ``model`` deletes its row with the target."""
    table = registry[model].__table__
    return [(name, getattr(cls, column.key)) for name, cls in registry.models.items()
            for column in cls.__table__.columns for fk in column.foreign_keys
            if fk.column.table is table and (fk.ondelete or "").upper() == "CASCADE"]
