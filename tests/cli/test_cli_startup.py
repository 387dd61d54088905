"""``loom`` starts fast: help and the module list import no database, ORM, web or job library.

``python -X importtime`` writes one stderr line per imported module; none may belong to the heavy
libraries (hundreds of milliseconds each, KERNEL-NOTES.md "Cold start"). Help answers to ``-h``
as well as ``--help`` at every level.
"""

from __future__ import annotations

import json

import pytest
from loom_cli_support import Loom

HEAVY = ("sqlalchemy", "alembic", "flask", "huey", "psycopg", "pluggy")


def imported(stderr: str) -> set[str]:
    """Top-level packages named by ``-X importtime`` lines."""
    return {line.split("|")[-1].strip().split(".")[0] for line in stderr.splitlines()
            if line.startswith("import time:") and line.count("|") == 2}


def test_help_imports_nothing_heavy(shop):
    run = shop.process("--help", python=("-X", "importtime"))

    assert run.code == 0 and run.out.startswith("Usage: ")
    packages = imported(run.err)
    assert "click" in packages  # the measurement works
    assert sorted(packages & set(HEAVY)) == []


def test_module_list_reads_the_installed_set_without_sqlalchemy(shop, backend):
    run = shop.process("module", "list", "--json", python=("-X", "importtime"))

    assert run.code == 0
    assert {r["name"]: r["installed"] for r in json.loads(run.out)}["base"] is True
    allowed = {"psycopg"} if backend == "postgresql" else set()  # PostgreSQL needs its driver, nothing more
    assert sorted(imported(run.err) & set(HEAVY) - allowed) == []


@pytest.mark.parametrize("command", [(), ("module",), ("module", "install"), ("user", "create"), ("db", "backup")])
def test_dash_h_shows_help_at_every_level(tmp_path, command):
    result = Loom(f"sqlite:///{tmp_path}/never-opened.db")(*command, "-h")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: loom {' '.join(command)}".rstrip() + " ")
    assert "-h, --help" in result.stdout
