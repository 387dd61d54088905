"""Module command groups read from manifests (the ``[cli]`` table of ``module.toml``).

``loom --help`` lists them, so this reads manifests the cheapest way: the shipped modules'
folders, the ``LOOM_MODULE_PATH`` folders, and the ``entry_points.txt`` files of installed
distributions found on ``sys.path`` (``importlib.metadata`` would cost more than the rest of
``--help``). It never imports module code; :mod:`loom.kernel.manifest` remains the one reader
that validates manifests, and runs when a command actually works with modules.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Iterator
from configparser import ConfigParser
from functools import cache

GROUP = "loom.modules"


@cache
def module_groups() -> dict[str, tuple[str, str]]:
    """group name -> (import path, help) for every module's declared command groups."""
    groups: dict[str, tuple[str, str]] = {}
    for manifest in _manifest_files():
        try:
            with open(manifest, "rb") as handle:
                data = tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError):
            continue  # the validating reader reports broken manifests when a command uses them
        for name, target in (data.get("cli") or {}).items():
            groups[name] = (target, f"Commands of the {data.get('name', '?')} module.")
    return groups


def _manifest_files() -> Iterator[str]:
    import loom.modules

    for root in [*loom.modules.__path__, *_module_path()]:
        yield from _manifests_below(root)
    for package in _entry_point_packages():
        folder = _package_folder(package)
        if folder:
            yield os.path.join(folder, "module.toml")


def _module_path() -> list[str]:
    return [p for p in os.environ.get("LOOM_MODULE_PATH", "").split(os.pathsep) if p]


def _manifests_below(root: str) -> Iterator[str]:
    if os.path.isfile(os.path.join(root, "module.toml")):
        yield os.path.join(root, "module.toml")
        return
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        candidate = os.path.join(entry.path, "module.toml")
        if entry.is_dir() and os.path.isfile(candidate):
            yield candidate


def _entry_point_packages() -> Iterator[str]:
    for folder in sys.path:
        try:
            names = [e.name for e in os.scandir(folder or ".") if e.name.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
        for name in names:
            yield from _packages_in(os.path.join(folder, name, "entry_points.txt"))


def _packages_in(path: str) -> Iterator[str]:
    if not os.path.isfile(path):
        return
    parser = ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read(path, encoding="utf-8")
    except Exception:  # noqa: BLE001 - a broken file of another distribution is not ours to report
        return
    if parser.has_section(GROUP):
        yield from (value.strip().split(":")[0] for value in parser[GROUP].values())


def _package_folder(package: str) -> str | None:
    from importlib.util import find_spec

    try:
        spec = find_spec(package)
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or []) if spec else []
    return locations[0] if locations else None
