"""Remove the kernel rows that refer to a module being uninstalled, or to the records it owns.

The module's own tables disappear with its migrations; what remains elsewhere is removed here:
records it shipped into other modules' tables (roles, permissions, sequences: found by its
external ids), external ids naming its records, permissions and record rules on its models, and
its settings. The security audit log (issue 8) keeps its history, including the purge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, or_, select

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
            session.execute(delete(registry[model]).where(registry[model].id == res_id))
    session.execute(delete(ext).where(or_(ext.module == module, ext.model.in_(owned))))
    for model_name in ("loom.access", "loom.rule"):
        cls = registry[model_name]
        session.execute(delete(cls).where(cls.model.in_(owned)))
    setting = registry["loom.setting"]
    session.execute(delete(setting).where(setting.key.startswith(module + ".")))
    installed = registry["loom.module"]
    session.execute(delete(installed).where(installed.name == module))
