"""``loom module revision NAME``: autogenerate NAME's next migration from its models.

The comparison runs against a registry of NAME's dependency closure on a scratch SQLite database
upgraded to the closure's current heads, with an ownership filter, so the revision holds only
what NAME owns (a new table is never rendered with other modules' extension columns inside it).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from loom.kernel import manifest as manifests_mod
from loom.kernel import migrator
from loom.kernel.db import create_engine, migration_connection
from loom.kernel.errors import ModuleError
from loom.kernel.registry import KERNEL, registry_for


def new_revision(name: str, message: str, roots: tuple[str, ...] = ()) -> Path | None:
    """Write NAME's next revision file and return its path (None when nothing changed)."""
    manifests = manifests_mod.discover(extra_paths=roots)
    if name != KERNEL and name not in manifests:
        raise ModuleError("kernel.module_unknown", module=name, requested=name,
                          available=", ".join(sorted(manifests)))
    wanted = set() if name == KERNEL else {name, *manifests_mod.closure(manifests, name)}
    closure = [m for m in manifests_mod.resolve(manifests, sorted(wanted)) if m in wanted]
    registry = registry_for(frozenset(closure), roots)
    modules = [KERNEL, *closure]
    locations = [migrator.versions_dir(m, manifests[m].path if m != KERNEL else None) for m in modules]
    target_dir = locations[modules.index(name)]
    target_dir.mkdir(parents=True, exist_ok=True)  # a first revision's folder must exist for alembic
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{scratch}/scratch.db")
        try:
            with migration_connection(engine) as conn:
                cfg = migrator.make_config(conn, locations, metadata=registry.metadata,
                                           include_object=migrator.owned_by(name))
                for module in modules:
                    migrator.upgrade(cfg, module)
                script = migrator.autogenerate(cfg, name, message, target_dir)
        finally:
            engine.dispose()
    if isinstance(script, list):  # alembic returns a list of scripts, empty when nothing changed
        script = script[0] if script else None
    return Path(script.path) if script is not None else None
