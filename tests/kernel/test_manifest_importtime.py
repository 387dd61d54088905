"""Reading manifests stays cheap: ``loom --help`` and ``loom module list`` import this module.

``python -X importtime`` writes one stderr line per imported module; none may belong to the heavy
libraries KERNEL-NOTES.md "Cold start" measured (hundreds of milliseconds each).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "alembic", "pluggy", "flask", "huey", "psycopg")


def imported_modules(statement: str) -> set[str]:
    """Every module a fresh interpreter imports to run ``statement`` from the repository root."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", statement], cwd=REPO,
                            capture_output=True, text=True, check=True)
    return {line.split("|")[-1].strip() for line in result.stderr.splitlines()
            if line.startswith("import time:") and line.count("|") == 2}


def test_importing_the_manifest_module_imports_nothing_heavy() -> None:
    modules = imported_modules("import loom.kernel.manifest")

    assert "loom.kernel.manifest" in modules
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY) == []


def test_discovering_modules_imports_nothing_heavy() -> None:
    modules = imported_modules("import loom.kernel.manifest as m; m.discover()")

    assert "loom.kernel.errors" in modules
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY) == []
