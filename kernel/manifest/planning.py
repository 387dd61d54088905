"""Install and uninstall plans against the installed set: what arrives, what leaves, who depends on whom."""

from __future__ import annotations

from collections.abc import Iterable

from loom.kernel.errors import ModuleError
from loom.kernel.manifest.reading import BASE, KERNEL, Manifests
from loom.kernel.manifest.resolution import _ordered, _require_known, _users, resolve


def dependents(manifests: Manifests, installed: Iterable[str], name: str) -> list[str]:
    """The installed modules depending on ``name``, directly or not, in uninstall order."""
    present = _present(manifests, installed)
    users = _users(manifests, present)
    found: set[str] = set()
    stack = [name]
    while stack:
        fresh = [user for user in users.get(stack.pop(), ()) if user not in found]
        found.update(fresh)
        stack += fresh
    return [module for module in reversed(_ordered(manifests, present)) if module in found]


def bridges_to_remove(manifests: Manifests, remaining: Iterable[str]) -> set[str]:
    """The bridges among ``remaining`` that lose a dependency (repeated until stable)."""
    staying = _present(manifests, remaining)
    leaving: set[str] = set()
    while broken := {name for name in staying
                     if manifests[name].auto_install and not set(manifests[name].depends) <= staying}:
        staying -= broken
        leaving |= broken
    return leaving


def plan_install(manifests: Manifests, installed: Iterable[str], wanted: Iterable[str]) -> list[str]:
    """The modules to install for ``wanted``, in order: missing dependencies and bridges included."""
    present = _present(manifests, installed)
    wanted = [name for name in wanted if name != KERNEL]
    _require_known(manifests, wanted)
    return [name for name in resolve(manifests, [*sorted(present), *wanted]) if name not in present]


def plan_uninstall(manifests: Manifests, installed: Iterable[str], name: str,
                   cascade: bool = False) -> list[str]:
    """The modules to uninstall with ``name``, in order (dependents first).

    Bridges depending on ``name`` always leave with it. Other installed dependents refuse the plan
    (``kernel.module_has_dependents``) unless ``cascade``. ``base`` (and ``kernel``) never leave
    (``kernel.module_base_required``); a module not installed is ``kernel.module_not_installed``.
    """
    if name in (BASE, KERNEL):
        raise ModuleError("kernel.module_base_required", module=name)
    present = _present(manifests, installed)
    if name not in present:
        raise ModuleError("kernel.module_not_installed", module=name)
    blocking = [user for user in dependents(manifests, present, name) if not manifests[user].auto_install]
    if blocking and not cascade:
        raise ModuleError("kernel.module_has_dependents", module=name, dependents=", ".join(blocking))
    leaving = {name, *blocking}
    leaving |= bridges_to_remove(manifests, present - leaving)
    return [module for module in reversed(_ordered(manifests, present)) if module in leaving]


def check_installed_present(manifests: Manifests, installed_names: Iterable[str]) -> None:
    """Raise ``kernel.module_code_missing`` naming every installed module no manifest describes."""
    missing = sorted(set(installed_names) - {KERNEL} - manifests.keys())
    if missing:
        raise ModuleError("kernel.module_code_missing", module=", ".join(missing))


def _present(manifests: Manifests, installed: Iterable[str]) -> set[str]:
    """The installed modules without ``kernel``, after checking their code is present."""
    installed = set(installed) - {KERNEL}
    check_installed_present(manifests, installed)
    return installed
