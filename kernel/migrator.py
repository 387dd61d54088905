"""Alembic through its public API: one branch per module, upgraded and downgraded one at a time.

Each module keeps its revisions in ``<module folder>/migrations/`` (the kernel's in
``kernel/migrations/versions/``) under a branch labelled with the module's name; revision ids are
``<module>_<nnnn>``. Branches do not ``depends_on`` each other: the kernel orders modules from
their manifests and upgrades each to its own head (``module@head``), which avoids alembic's
multiple-heads and cascading-downgrade surprises (see docs/architecture.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData

KERNEL_DIR = Path(__file__).resolve().parent / "migrations"


def versions_dir(module: str, path: Path | None) -> Path:
    """Where ``module`` keeps its revisions (``path`` is the module's folder)."""
    return KERNEL_DIR / "versions" if module == "kernel" else Path(path or ".") / "migrations"


def make_config(connection: Connection | None, locations: Iterable[Path], *,
                metadata: MetaData | None = None, include_object: Callable | None = None) -> Config:
    """An alembic ``Config`` built in code over ``locations`` (no alembic.ini)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(KERNEL_DIR))
    cfg.set_main_option("path_separator", "os")
    existing = [str(p) for p in dict.fromkeys(locations) if p.is_dir()]
    cfg.set_main_option("version_locations", os.pathsep.join(existing))
    cfg.attributes.update(connection=connection, metadata=metadata, include_object=include_object)
    return cfg


def branch_head(cfg: Config, module: str) -> str | None:
    """The head revision of ``module``'s branch, or None when it has no migrations."""
    script = ScriptDirectory.from_config(cfg)
    heads = [rev for rev in script.get_revisions("heads") if module in (rev.branch_labels or ())
             or _on_branch(script, rev, module)]
    return heads[0].revision if heads else None


def _on_branch(script: ScriptDirectory, rev: Any, module: str) -> bool:
    return any(module in (r.branch_labels or ()) for r in script.iterate_revisions(rev.revision, "base"))


def upgrade(cfg: Config, module: str) -> None:
    """Bring ``module``'s branch to its head on the config's connection."""
    head = branch_head(cfg, module)
    if head is not None:
        command.upgrade(cfg, head)


def downgrade(cfg: Config, module: str) -> None:
    """Remove everything ``module``'s branch created (only that branch: nothing depends on it)."""
    if branch_head(cfg, module) is not None:
        command.downgrade(cfg, f"{module}@base")


def next_revision_id(cfg: Config, module: str) -> str:
    """``<module>_<n+1>`` for the next revision of ``module``."""
    script = ScriptDirectory.from_config(cfg)
    numbers = [int(rev.revision.rsplit("_", 1)[1]) for rev in script.walk_revisions()
               if rev.revision.startswith(module + "_") and rev.revision.rsplit("_", 1)[1].isdigit()]
    return f"{module}_{max(numbers, default=0) + 1:04d}"


def autogenerate(cfg: Config, module: str, message: str, version_path: Path) -> Any:
    """Write ``module``'s next revision from the difference between its models and the database
    (no file, and None, when there is no difference)."""
    version_path.mkdir(parents=True, exist_ok=True)
    head = branch_head(cfg, module)
    cfg.attributes["process_revision_directives"] = _skip_empty
    return command.revision(
        cfg, message=message, autogenerate=True, rev_id=next_revision_id(cfg, module),
        version_path=str(version_path), head=head or "base",  # an id: "base@head" would clash
        branch_label=None if head else module)


def _skip_empty(context: Any, revision: Any, directives: list) -> None:
    """Write no file when the models and the database already agree."""
    if directives and directives[0].upgrade_ops.is_empty():
        directives[:] = []


def owned_by(module: str) -> Callable[..., bool]:
    """An ``include_object`` filter keeping only the schema objects ``module`` owns.

    A table passes when the module owns it or any column or index in it (autogenerate filters
    hierarchically); columns, indexes and constraints then pass by their own owner, taken from
    their columns when SQLAlchemy created them without ``info``."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        model_obj = obj if not reflected or compare_to is None else compare_to
        if type_ == "table":
            return _table_touches(model_obj, module) if not reflected or compare_to is not None else False
        return _owner(model_obj) == module

    return include


def _table_touches(table: Any, module: str) -> bool:
    if table.info.get("module") == module:
        return True
    return any(c.info.get("module") == module for c in table.columns) or any(
        _owner(i) == module for i in table.indexes)


def _owner(obj: Any) -> str | None:
    """The module owning a column, index or constraint: its own tag, else its columns', else its table's."""
    module = (getattr(obj, "info", None) or {}).get("module")
    if module:
        return module
    owners = sorted({_owner(c) for c in getattr(obj, "columns", ())} - {None})
    if owners:
        return owners[-1]
    table = getattr(obj, "table", None)
    return table.info.get("module") if table is not None else None
