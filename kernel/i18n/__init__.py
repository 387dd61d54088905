"""Message catalogs: one TOML file per language per owner (the kernel and each module).

A message id is ``owner.name`` (``kernel.field_required``). Catalogs are read lazily with
``tomllib`` from ``<owner package>/i18n/<lang>.toml`` merged with any ``<lang>.<part>.toml`` beside it
(the kernel keeps one part per service: ``en.workflow.toml``, ``en.audit.toml``, ...); a missing id
renders as the id itself with its parameters so nothing is ever swallowed. TOML tables flatten to
dotted names: ``[field.base_partner]`` with ``name = "Name"`` is the message ``field.base_partner.name``
(the labels of models, fields and selection values, see :mod:`loom.kernel.i18n.labels`).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("en", "zh_CN")


def _package_of(owner: str) -> str:
    """The package holding ``owner``'s ``i18n/``: the kernel, a shipped module, a module of an
    installed distribution (``loom.modules`` entry point) or of ``LOOM_MODULE_PATH``."""
    if owner == "kernel":
        return "loom.kernel"
    from loom.kernel.manifest import discover

    manifest = discover().get(owner)
    return manifest.package if manifest is not None else f"loom.modules.{owner}"


@cache
def catalog(owner: str, lang: str) -> dict[str, str]:
    """The messages of ``owner`` (``kernel`` or a module name) in ``lang``; empty if it has none."""
    try:
        folder = resources.files(_package_of(owner)).joinpath("i18n")
        files = sorted((f for f in folder.iterdir() if _is_part(f.name, lang)), key=lambda f: f.name)
    except (FileNotFoundError, ModuleNotFoundError, NotADirectoryError):
        return {}
    messages: dict[str, str] = {}
    for file in files:
        messages.update(_flattened(tomllib.loads(file.read_text("utf-8"))))
    return messages


def _flattened(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"field": {"base_partner": {"name": "Name"}}}`` as ``{"field.base_partner.name": "Name"}``."""
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flattened(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = value
    return flat


def _is_part(name: str, lang: str) -> bool:
    """``en.toml`` and ``en.<part>.toml`` belong to ``en`` (``zh_CN.toml`` does not)."""
    stem, dot, suffix = name.partition(".")
    return stem == lang and dot == "." and (suffix == "toml" or (suffix.endswith(".toml") and "." not in suffix[:-5]))


def translate(message_id: str, lang: str = "en", **params: Any) -> str:
    """Render ``message_id`` in ``lang`` with ``params``; falls back to English, then to the id."""
    owner, _, name = message_id.partition(".")
    template = catalog(owner, lang).get(name) or catalog(owner, "en").get(name)
    if template is None:
        extra = ", ".join(f"{k}={v}" for k, v in params.items() if v is not None)
        return f"{message_id}({extra})" if extra else message_id
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template
