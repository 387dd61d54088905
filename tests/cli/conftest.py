"""Fixtures of the CLI stories: ``loom`` on a new database, ``empty`` and ``shop`` shared per file.

A PostgreSQL database costs seconds to drop at the end of a run, so read-only stories share one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from loom_cli_support import ADMIN_PASSWORD, Loom  # noqa: E402 - needs the folder on sys.path


@pytest.fixture
def loom(database_url: str) -> Loom:
    """``loom`` on a new, empty database."""
    return Loom(database_url)


@pytest.fixture(scope="module")
def empty(database_factory: Callable[[], str]) -> Loom:
    """``loom`` on a database never initialized, shared by a test file's read-only stories."""
    return Loom(database_factory())


@pytest.fixture(scope="module")
def shop(database_factory: Callable[[], str]) -> Loom:
    """``loom`` on a database initialized once per test file (``loom init``); tests use their own logins."""
    shop = Loom(database_factory())
    shop.ok("init", env={"LOOM_ADMIN_PASSWORD": ADMIN_PASSWORD})
    return shop
