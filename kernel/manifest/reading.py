"""Reading one module's ``module.toml``: the :class:`Manifest` record and every check on its keys and values."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loom.kernel.errors import ModuleError

MANIFEST_FILE = "module.toml"
KERNEL = "kernel"
BASE = "base"

NAME = re.compile(r"[a-z][a-z0-9_]{1,40}")
VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
CLI_GROUP = re.compile(r"[a-z][a-z0-9_-]*")
CLI_ENTRY = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*", re.ASCII)

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
