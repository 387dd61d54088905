"""Module manifests: reading ``module.toml``, discovering modules and planning install sets.

Everything here is data about modules, read without importing any module's code, so that
``loom --help`` and ``loom module list`` stay fast: this package uses the standard library only (no
SQLAlchemy, alembic or pluggy; ``tests/kernel/test_manifest_importtime.py`` guards it).

One file per job: ``reading`` (``module.toml`` into a :class:`Manifest`), ``discovery`` (where modules
are found), ``resolution`` (dependency closure and order), ``planning`` (install and uninstall plans)
and ``rendering`` (``loom module graph``). Import from this package, not from those files.

``kernel`` is not a manifest: it is always installed and every module depends on it implicitly.
``base`` is installed with it and is in every module's dependency closure: :func:`read_manifest`
adds it to the ``depends`` of every module but ``base`` itself.

Every function taking an installed set ignores ``kernel`` in it (the ``loom_module`` table may list
it). Errors are :class:`~loom.kernel.errors.ModuleError` with the message ids tabled at the end of
docs/modules.md; each names every module involved.
"""

from loom.kernel.manifest.discovery import (
    ENTRY_POINT_GROUP,
    PACKAGE,
    SHIPPED_PACKAGE,
    add_module_path_to_sys_path,
    discover,
    module_path,
)
from loom.kernel.manifest.planning import (
    bridges_to_remove,
    check_installed_present,
    dependents,
    plan_install,
    plan_uninstall,
)
from loom.kernel.manifest.reading import (
    BASE,
    CLI_ENTRY,
    CLI_GROUP,
    KERNEL,
    MANIFEST_FILE,
    NAME,
    REQUIRED,
    SCHEMA,
    VERSION,
    Manifest,
    Manifests,
    read_manifest,
)
from loom.kernel.manifest.rendering import graph, tree
from loom.kernel.manifest.resolution import closure, resolve

__all__ = [
    "BASE", "CLI_ENTRY", "CLI_GROUP", "ENTRY_POINT_GROUP", "KERNEL", "MANIFEST_FILE", "NAME", "PACKAGE", "REQUIRED",
    "SCHEMA", "SHIPPED_PACKAGE", "VERSION", "Manifest", "Manifests", "add_module_path_to_sys_path",
    "bridges_to_remove", "check_installed_present", "closure", "dependents", "discover", "graph", "module_path",
    "plan_install", "plan_uninstall", "read_manifest", "resolve", "tree",
]
