"""Remove the kernel rows that refer to a module being uninstalled, or to the records it owns.

The module's own tables disappear with its migrations; what remains elsewhere is removed here:
records it shipped into other modules' tables (roles, permissions, sequences: found by its
external ids), external ids naming its records, permissions and record rules on its models, and
its settings. The security audit log (issue 8) keeps its history, including the purge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Column, MetaData, Table, delete, or_, select, update
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from loom.kernel.environment import Environment


def forget_module(env: Environment, module: str) -> None:
    """Delete every kernel row that refers to ``module`` (see the module docstring)."""
    registry, session = env.registry, env.session
    owned = set(registry.model_names_of(module))
    ext = registry["loom.external_id"]
    shipped = session.execute(select(ext.model, ext.res_id).where(ext.module == module)).all()
    for model, res_id in reversed(shipped):
        if model not in owned and model in registry:
            delete_cascading(session, registry.metadata, registry[model].__table__, [res_id])
    session.execute(delete(ext).where(or_(ext.module == module, ext.model.in_(owned))))
    for model_name in ("loom.access", "loom.rule"):
        cls = registry[model_name]
        session.execute(delete(cls).where(cls.model.in_(owned)))
    setting = registry["loom.setting"]
    session.execute(delete(setting).where(setting.key.startswith(module + ".")))
    installed = registry["loom.module"]
    session.execute(delete(installed).where(installed.name == module))


def delete_cascading(session: Session, metadata: MetaData, table: Table, ids: list[int]) -> None:
    """Delete rows ``ids`` of ``table`` doing what their foreign keys' ON DELETE says, in SQL.

    Migrations run with foreign keys off on SQLite, so the database would not cascade there."""
    for child, column, ondelete in _referencing(metadata, table):
        if ondelete == "SET NULL":
            session.execute(update(child).where(column.in_(ids)).values({column.key: None}))
        elif ondelete == "CASCADE" and "id" in child.c and child is not table:
            child_ids = list(session.scalars(select(child.c.id).where(column.in_(ids))))
            if child_ids:
                delete_cascading(session, metadata, child, child_ids)
        elif ondelete == "CASCADE":
            session.execute(delete(child).where(column.in_(ids)))
    session.execute(delete(table).where(table.c.id.in_(ids)))


def _referencing(metadata: MetaData, table: Table) -> list[tuple[Table, Column, str]]:
    found = []
    for child in metadata.tables.values():
        for fk in child.foreign_keys:
            if fk.column.table is table:
                found.append((child, fk.parent, (fk.ondelete or "NO ACTION").upper()))
    return found
