"""Finding the available modules: shipped folders, the ``loom.modules`` entry points, extra folders."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from importlib import metadata, util
from pathlib import Path

from loom.kernel.errors import ModuleError
from loom.kernel.manifest.reading import MANIFEST_FILE, Manifest, _invalid, read_manifest

ENTRY_POINT_GROUP = "loom.modules"
SHIPPED_PACKAGE = "loom.modules"
PACKAGE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", re.ASCII)


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
