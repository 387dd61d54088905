"""Dependency resolution: a wanted set's closure and bridges, in dependency order, cycles refused."""

from __future__ import annotations

from collections.abc import Iterable
from heapq import heapify, heappop, heappush

from loom.kernel.errors import ModuleError
from loom.kernel.manifest.reading import KERNEL, Manifests


def resolve(manifests: Manifests, wanted: Iterable[str]) -> list[str]:
    """The modules to have for ``wanted``: their dependency closure plus every bridge whose
    dependencies are all in it (repeated until stable), dependencies first, ties broken by name.

    Raises ``kernel.module_unknown``, ``kernel.module_missing_dependency`` or ``kernel.module_cycle``.
    """
    wanted = [name for name in wanted if name != KERNEL]
    _require_known(manifests, wanted)
    return _ordered(manifests, _with_bridges(manifests, _closure_set(manifests, wanted)))


def closure(manifests: Manifests, name: str) -> list[str]:
    """``name`` and everything it depends on (no bridges), dependencies first."""
    _require_known(manifests, [name])
    return _ordered(manifests, _closure_set(manifests, [name]))


def _require_known(manifests: Manifests, wanted: list[str]) -> None:
    """Raise ``kernel.module_unknown`` naming every requested module no manifest describes."""
    unknown = sorted({name for name in wanted if name not in manifests})
    if unknown:
        raise ModuleError("kernel.module_unknown", module=", ".join(unknown), requested=", ".join(wanted),
                          available=", ".join(sorted(manifests)))


def _closure_set(manifests: Manifests, names: Iterable[str]) -> set[str]:
    """``names`` and all they depend on; ``kernel.module_missing_dependency`` names every gap."""
    seen: set[str] = set()
    missing: list[tuple[str, str]] = []
    stack = list(names)
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            missing += [(name, dep) for dep in manifests[name].depends if dep not in manifests]
            stack += [dep for dep in manifests[name].depends if dep in manifests]
    if missing:
        missing.sort()
        raise ModuleError("kernel.module_missing_dependency",
                          module=", ".join(dict.fromkeys(name for name, _ in missing)),
                          missing=", ".join(sorted({dep for _, dep in missing})),
                          details=", ".join(f"{name} → {dep}" for name, dep in missing))
    return seen


def _with_bridges(manifests: Manifests, chosen: set[str]) -> set[str]:
    """``chosen`` plus every bridge whose dependencies are all chosen, until nothing arrives."""
    chosen = set(chosen)
    while arriving := {name for name, manifest in manifests.items()
                       if manifest.auto_install and name not in chosen and set(manifest.depends) <= chosen}:
        chosen |= arriving
    return chosen


def _users(manifests: Manifests, names: set[str]) -> dict[str, list[str]]:
    """For each of ``names``, the modules among ``names`` that depend on it directly."""
    users: dict[str, list[str]] = {name: [] for name in names}
    for name in sorted(names):
        for dep in manifests[name].depends:
            if dep in names:
                users[dep].append(name)
    return users


def _ordered(manifests: Manifests, names: set[str]) -> list[str]:
    """``names`` in topological order (dependencies first, ties by name); a cycle raises."""
    waiting = {name: {dep for dep in manifests[name].depends if dep in names} for name in names}
    users = _users(manifests, names)
    ready = [name for name, deps in waiting.items() if not deps]
    heapify(ready)
    order: list[str] = []
    while ready:
        name = heappop(ready)
        order.append(name)
        for user in users[name]:
            waiting[user].discard(name)
            if not waiting[user]:
                heappush(ready, user)
    if len(order) < len(names):
        raise _cycle_error(manifests, names - set(order))
    return order


def _cycle_error(manifests: Manifests, stuck: set[str]) -> ModuleError:
    """``kernel.module_cycle`` naming one cycle among ``stuck`` in dependency order.

    Every stuck module depends on another stuck one, so walking the smallest stuck dependency from
    the smallest stuck module must come back to a module already walked: that loop is the cycle. It
    is rotated to start at its smallest member so the message is deterministic.
    """
    walk = [min(stuck)]
    while walk[-1] not in walk[:-1]:
        walk.append(min(dep for dep in manifests[walk[-1]].depends if dep in stuck))
    cycle = walk[walk.index(walk[-1]):-1]
    start = cycle.index(min(cycle))
    cycle = cycle[start:] + cycle[:start]
    return ModuleError("kernel.module_cycle", module=", ".join(cycle),
                       cycle=" → ".join([*cycle, cycle[0]]))
