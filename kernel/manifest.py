"""Module manifests: reading ``module.toml``, discovering modules and planning install sets.

Everything here is data about modules, read without importing any module's code, so that
``loom --help`` and ``loom module list`` stay fast: this file uses the standard library only (no
SQLAlchemy, alembic or pluggy; ``tests/kernel/test_manifest_importtime.py`` guards it).

``kernel`` is not a manifest: it is always installed and every module depends on it implicitly.
``base`` is installed with it and is in every module's dependency closure: :func:`read_manifest`
adds it to the ``depends`` of every module but ``base`` itself.

Every function taking an installed set ignores ``kernel`` in it (the ``loom_module`` table may list
it). Errors are :class:`~loom.kernel.errors.ModuleError` with the message ids tabled at the end of
docs/modules.md; each names every module involved.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from heapq import heapify, heappop, heappush
from importlib import metadata, util
from pathlib import Path
from typing import Any

from loom.kernel.errors import ModuleError

MANIFEST_FILE = "module.toml"
ENTRY_POINT_GROUP = "loom.modules"
SHIPPED_PACKAGE = "loom.modules"
KERNEL = "kernel"
BASE = "base"

NAME = re.compile(r"[a-z][a-z0-9_]{1,40}")
VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
CLI_GROUP = re.compile(r"[a-z][a-z0-9_-]*")
CLI_ENTRY = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*", re.ASCII)
PACKAGE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", re.ASCII)

# key -> (Python type tomllib gives, how a user reads that type); ``name`` and ``version`` are required.
SCHEMA: dict[str, tuple[type, str]] = {
    "name": (str, "a string"),
    "version": (str, "a string"),
    "summary": (str, "a string"),
    "depends": (list, "a list of strings"),
    "auto_install": (bool, "true or false"),
    "data": (list, "a list of strings"),
    "demo": (list, "a list of strings"),
    "cli": (dict, "a table of strings"),
}
REQUIRED = ("name", "version")


@dataclass(frozen=True)
class Manifest:
    """One module's ``module.toml``, validated, plus where the module was found.

    ``depends`` holds the direct dependencies as resolution sees them: ``kernel`` dropped (implicit),
    ``base`` added for every module but ``base``. ``auto_install`` marks a bridge. ``data`` and
    ``demo`` are file paths relative to ``path``, in load order. ``cli`` maps a command group name to
    its ``"package.module:object"`` entry. ``package`` is the import name of the module's package;
    ``distribution`` is ``None`` for modules shipped in ``loom.modules`` (and test folders) and the
    installed distribution's name for modules found through the ``loom.modules`` entry point group.
    """

    name: str
    version: str
    summary: str
    depends: tuple[str, ...]
    auto_install: bool
    data: tuple[str, ...]
    demo: tuple[str, ...]
    cli: dict[str, str] = field(hash=False)
    path: Path
    package: str
    distribution: str | None = None


Manifests = Mapping[str, Manifest]
"""Available modules by name, as :func:`discover` returns them."""


# -- reading ----------------------------------------------------------------------------------------


def read_manifest(path: Path, package: str, distribution: str | None = None) -> Manifest:
    """Read and validate ``path/module.toml`` of the module importable as ``package``.

    Raises ``kernel.manifest_invalid`` naming the module, the file and every problem found: malformed
    TOML, unknown or missing keys, wrong types, a bad name (or, without ``distribution``, a name other
    than the folder's), a bad version, a bad dependency, a data or demo file that does not exist, a
    malformed CLI entry.
    """
    path = Path(path)
    file = path / MANIFEST_FILE
    raw = _load_toml(file, path.name)
    module = raw["name"] if isinstance(raw.get("name"), str) else path.name
    problems = _shape_problems(raw) or _value_problems(raw, path, distribution)
    if problems:
        raise _invalid(module, file, "; ".join(problems))
    return _build(raw, path, package, distribution)


def _invalid(module: str, where: Path | str, problem: str) -> ModuleError:
    """The ``kernel.manifest_invalid`` error for ``module`` read from ``where``."""
    return ModuleError("kernel.manifest_invalid", module=module, path=str(where), problem=problem)


def _load_toml(file: Path, module: str) -> dict[str, Any]:
    """The parsed TOML of ``file``; unreadable or malformed files are invalid manifests."""
    try:
        with file.open("rb") as stream:
            return tomllib.load(stream)
    except OSError as exc:
        raise _invalid(module, file, f"cannot be read ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise _invalid(module, file, f"is not valid TOML ({exc})") from exc


def _shape_problems(raw: dict[str, Any]) -> list[str]:
    """Unknown keys, missing required keys and values of the wrong type."""
    problems = [f"unknown key '{key}'" for key in raw if key not in SCHEMA]
    problems += [f"missing key '{key}'" for key in REQUIRED if key not in raw]
    problems += [f"'{key}' must be {SCHEMA[key][1]}" for key, value in raw.items()
                 if key in SCHEMA and not _fits(value, SCHEMA[key][0])]
    return problems


def _fits(value: Any, kind: type) -> bool:
    """Whether a TOML value has the schema's type (lists and tables hold strings only)."""
    if kind is list:
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    if kind is dict:
        return isinstance(value, dict) and all(isinstance(item, str) for item in value.values())
    return type(value) is kind


def _value_problems(raw: dict[str, Any], path: Path, distribution: str | None) -> list[str]:
    """Problems with the values of a manifest whose keys and types are right."""
    name = raw["name"]
    problems = _name_problems(name, path, distribution)
    if not VERSION.fullmatch(raw["version"]):
        problems.append(f"version {raw['version']!r} must look like 1.2.3")
    problems += _depends_problems(name, raw.get("depends", []), raw.get("auto_install", False))
    problems += _file_problems("data", raw.get("data", []), path)
    problems += _file_problems("demo", raw.get("demo", []), path)
    problems += _cli_problems(raw.get("cli", {}))
    return problems


def _name_problems(name: str, path: Path, distribution: str | None) -> list[str]:
    """A name must be well formed, not ``kernel``, and (shipped modules) equal its folder's."""
    if not NAME.fullmatch(name):
        return [f"name {name!r} must be a lowercase letter then 1 to 40 lowercase letters, digits or _"]
    if name == KERNEL:
        return ["the name 'kernel' is reserved"]
    if distribution is None and name != path.name:
        return [f"name '{name}' differs from its folder name '{path.name}'"]
    return []


def _depends_problems(name: str, depends: list[str], auto_install: bool) -> list[str]:
    """Dependencies must be well-formed names, listed once, not the module itself."""
    problems = [f"depends names an invalid module '{dep}'" for dep in depends if not NAME.fullmatch(dep)]
    problems += [f"depends lists '{dep}' twice" for dep in sorted(set(depends)) if depends.count(dep) > 1]
    if name in depends:
        problems.append("depends on itself")
    real = set(depends) - {KERNEL, BASE}
    if name == BASE and real:
        problems.append(f"base may depend on nothing but kernel, not {', '.join(sorted(real))}")
    if auto_install and not real:
        problems.append("auto_install needs depends to name the modules the bridge joins")
    return problems


def _file_problems(key: str, files: list[str], path: Path) -> list[str]:
    """Each data or demo file must be a relative path to an existing file in the module folder."""
    problems = []
    for name in files:
        relative = Path(name)
        if relative.is_absolute() or ".." in relative.parts:
            problems.append(f"{key} file '{name}' must be a relative path inside the module folder")
        elif not (path / relative).is_file():
            problems.append(f"{key} file '{name}' does not exist")
    return problems


def _cli_problems(cli: dict[str, str]) -> list[str]:
    """CLI group names must be command names and entries ``package.module:object``."""
    problems = [f"cli group name '{group}' must be lowercase letters, digits, - or _"
                for group in cli if not CLI_GROUP.fullmatch(group)]
    problems += [f"cli group '{group}' entry '{entry}' must look like 'package.module:object'"
                 for group, entry in cli.items() if not CLI_ENTRY.fullmatch(entry)]
    return problems


def _build(raw: dict[str, Any], path: Path, package: str, distribution: str | None) -> Manifest:
    """The :class:`Manifest` of a validated ``raw`` table."""
    name = raw["name"]
    depends = [dep for dep in raw.get("depends", []) if dep != KERNEL]
    if name != BASE and BASE not in depends:
        depends.insert(0, BASE)
    return Manifest(name=name, version=raw["version"], summary=raw.get("summary", ""),
                    depends=tuple(depends), auto_install=raw.get("auto_install", False),
                    data=tuple(raw.get("data", [])), demo=tuple(raw.get("demo", [])),
                    cli=dict(raw.get("cli", {})), path=path, package=package, distribution=distribution)


# -- discovery --------------------------------------------------------------------------------------


def discover(extra_paths: Iterable[str | os.PathLike[str]] = ()) -> dict[str, Manifest]:
    """Every available module by name (sorted), read from three sources without importing modules.

    1. Shipped modules: each folder holding a ``module.toml`` in the ``loom.modules`` package.
    2. Installed modules: each entry point of the group ``loom.modules``; its name is the module name
       and its value the package import name, located with :func:`importlib.util.find_spec` (which
       imports nothing for a top-level package, and only the parent packages of a dotted one).
    3. ``extra_paths`` (tests): each path is either a module folder (it holds ``module.toml``) or a
       folder of module folders. A module's package name is its folder name: the caller puts the
       folder's parent on ``sys.path`` before anything imports the module.

    Two modules with one name raise ``kernel.module_duplicate`` naming every location.
    """
    extra_paths = [*extra_paths, *module_path()]
    found = [*_shipped_manifests(), *_entry_point_manifests(), *_extra_manifests(dict.fromkeys(map(str, extra_paths)))]
    by_name: dict[str, list[Manifest]] = {}
    for manifest in found:
        by_name.setdefault(manifest.name, []).append(manifest)
    _check_duplicates(by_name)
    return {name: by_name[name][0] for name in sorted(by_name)}


def module_path() -> list[str]:
    """Folders named by ``LOOM_MODULE_PATH`` (separated like ``PATH``): modules in development,
    found like ``extra_paths`` and importable once :func:`add_module_path_to_sys_path` ran."""
    return [p for p in os.environ.get("LOOM_MODULE_PATH", "").split(os.pathsep) if p]


def add_module_path_to_sys_path() -> None:
    """Make the modules in ``LOOM_MODULE_PATH`` folders importable by their folder names."""
    import sys

    for folder in module_path():
        if folder not in sys.path:
            sys.path.insert(0, folder)


def _shipped_manifests() -> Iterator[Manifest]:
    """The modules shipped as folders of the ``loom.modules`` package."""
    spec = util.find_spec(SHIPPED_PACKAGE)
    for root in spec.submodule_search_locations if spec else ():
        for folder in sorted(Path(root).iterdir()):
            if (folder / MANIFEST_FILE).is_file():
                yield read_manifest(folder, f"{SHIPPED_PACKAGE}.{folder.name}")


def _entry_point_manifests() -> Iterator[Manifest]:
    """The modules third-party distributions declare in the ``loom.modules`` entry point group."""
    for point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        where = f"entry point '{point.name} = {point.value}' of {point.dist.name}"
        manifest = read_manifest(_package_folder(point.value, point.name, where), point.value,
                                 distribution=point.dist.name)
        if manifest.name != point.name:
            raise _invalid(point.name, where, f"the package's module.toml names '{manifest.name}'")
        yield manifest


def _package_folder(package: str, module: str, where: str) -> Path:
    """The folder of ``package``, found without importing it."""
    try:
        spec = util.find_spec(package) if PACKAGE.fullmatch(package) else None
    except ImportError:
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise _invalid(module, where, f"'{package}' is not an importable package")
    return Path(next(iter(spec.submodule_search_locations)))


def _extra_manifests(extra_paths: Iterable[str | os.PathLike[str]]) -> Iterator[Manifest]:
    """Module folders passed explicitly (a module folder, or a folder of module folders)."""
    for extra in map(Path, extra_paths):
        if (extra / MANIFEST_FILE).is_file():
            yield read_manifest(extra, extra.name)
        elif extra.is_dir():
            yield from (read_manifest(folder, folder.name) for folder in sorted(extra.iterdir())
                        if (folder / MANIFEST_FILE).is_file())
        else:
            raise _invalid(extra.name, extra, "the folder does not exist")


def _check_duplicates(by_name: Mapping[str, list[Manifest]]) -> None:
    """Raise ``kernel.module_duplicate`` naming each name found twice and all its locations."""
    twice = {name: found for name, found in sorted(by_name.items()) if len(found) > 1}
    if twice:
        locations = "; ".join(f"{name}: {', '.join(str(m.path) for m in found)}"
                              for name, found in twice.items())
        raise ModuleError("kernel.module_duplicate", module=", ".join(twice), locations=locations)


# -- resolution -------------------------------------------------------------------------------------


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


# -- rendering (``loom module graph``) ----------------------------------------------------------------


def graph(manifests: Manifests, names: Iterable[str]) -> str:
    """``names`` and their dependencies among them as a Graphviz DOT digraph (edge = depends on).

    Edges implied through another dependency are left out (a transitive reduction); bridges are
    dashed boxes.
    """
    order, edges = _reduced(manifests, names)
    lines = ["digraph loom_modules {", "  rankdir=BT;", "  node [shape=box];"]
    for name in order:
        style = ", style=dashed" if manifests[name].auto_install else ""
        lines.append(f'  "{name}" [label="{name}\\n{manifests[name].version}"{style}];')
    lines += [f'  "{name}" -> "{dep}";' for name in order for dep in edges[name]]
    lines.append("}")
    return "\n".join(lines) + "\n"


def tree(manifests: Manifests, names: Iterable[str]) -> str:
    """``names`` as a text tree: each module under the modules it directly depends on.

    Edges are reduced as in :func:`graph`. A module under several parents is expanded the first
    time; later occurrences with children of their own end in ``…``.
    """
    order, edges = _reduced(manifests, names)
    children: dict[str, list[str]] = {name: [] for name in order}
    for name in order:
        for dep in edges[name]:
            children[dep].append(name)
    shown: set[str] = set()
    lines: list[str] = []
    for root in (name for name in order if not edges[name]):
        shown.add(root)
        lines += [_label(manifests[root]), *_branch(manifests, children, root, "", shown)]
    return "\n".join(lines) + "\n"


def _branch(manifests: Manifests, children: dict[str, list[str]], name: str, prefix: str,
            shown: set[str]) -> Iterator[str]:
    """The tree lines below ``name``, indented by ``prefix``."""
    kids = children[name]
    for index, kid in enumerate(kids):
        last = index == len(kids) - 1
        repeat = kid in shown and bool(children[kid])
        yield f"{prefix}{'└── ' if last else '├── '}{_label(manifests[kid])}{' …' if repeat else ''}"
        if not repeat:
            shown.add(kid)
            yield from _branch(manifests, children, kid, prefix + ("    " if last else "│   "), shown)


def _label(manifest: Manifest) -> str:
    """``name version``, marked when the module is a bridge."""
    return f"{manifest.name} {manifest.version}" + (" (bridge)" if manifest.auto_install else "")


def _reduced(manifests: Manifests, names: Iterable[str]) -> tuple[list[str], dict[str, list[str]]]:
    """``names`` in topological order and, for each, its direct dependencies among ``names`` that are
    not also reached through another of them."""
    names = [name for name in names if name != KERNEL]
    _require_known(manifests, names)
    order = _ordered(manifests, set(names))
    reach: dict[str, set[str]] = {}
    edges: dict[str, list[str]] = {}
    for name in order:
        direct = [dep for dep in manifests[name].depends if dep in reach]
        reach[name] = set(direct).union(*(reach[dep] for dep in direct))
        edges[name] = sorted(dep for dep in direct if not any(dep in reach[other] for other in direct))
    return order, edges
