"""Module command groups read from manifests (``[cli]`` table of ``module.toml``)."""

from __future__ import annotations

from functools import cache


@cache
def module_groups() -> dict[str, tuple[str, str]]:
    """group name -> (import path, help) for every discoverable module's declared groups."""
    from loom.kernel.manifest import discover

    groups: dict[str, tuple[str, str]] = {}
    for manifest in discover().values():
        for name, target in manifest.cli.items():
            groups[name] = (target, f"Commands of the {manifest.name} module.")
    return groups
