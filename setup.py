"""Map the source folders onto the ``loom`` import namespace.

kernel/, modules/ and cli/ live at the top of the repository but import as ``loom.kernel``,
``loom.modules.<name>`` and ``loom.cli``. setuptools' automatic discovery cannot rename packages,
so every folder under them is listed here as a package of the mapped name.
"""

from pathlib import Path

from setuptools import setup

ROOTS = {"loom": "loom", "loom.kernel": "kernel", "loom.modules": "modules", "loom.cli": "cli"}


def _packages() -> list[str]:
    """Every folder below the mapped roots, named in the ``loom`` namespace."""
    names = []
    for package, folder in ROOTS.items():
        names.append(package)
        if package == "loom":
            continue
        for sub in sorted(Path(folder).rglob("*")):
            if sub.is_dir() and "__pycache__" not in sub.parts:
                names.append(package + "." + ".".join(sub.relative_to(folder).parts))
    return names


setup(packages=_packages(), package_dir=ROOTS)
