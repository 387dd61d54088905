"""Shared fixtures: which backend the run uses and fresh empty databases on it.

The README's test command runs the suite once per backend: SQLite by default, PostgreSQL when
``LOOM_TEST_PG_URL`` names a server's maintenance database (``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``).
``new_database_url()`` gives a brand-new empty database on the run's backend; PostgreSQL databases
made by a run are dropped at its end.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

PG_URL = os.environ.get("LOOM_TEST_PG_URL", "")
BACKEND = "postgresql" if PG_URL else "sqlite"

os.environ.setdefault("LOOM_PASSWORD_PROFILE", "test")  # cheap argon2 parameters in tests only
if not os.environ.get("LOOM_DATA_DIR"):  # filestores and job queues of PostgreSQL test databases
    import tempfile

    os.environ["LOOM_DATA_DIR"] = tempfile.mkdtemp(prefix="loom-test-data-")


def _pg_admin(sql: str) -> None:
    import psycopg

    url = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def _base_pg() -> str:
    return PG_URL.rsplit("/", 1)[0]


@pytest.fixture(scope="session")
def backend() -> str:
    """``sqlite`` or ``postgresql``: the backend this run tests."""
    return BACKEND


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str]]:
    """A function returning the URL of a new, empty database on the run's backend."""
    created: list[str] = []
    root: Path = tmp_path_factory.mktemp("db")

    def new_database_url() -> str:
        name = "loom_t_" + uuid.uuid4().hex[:12]
        if BACKEND == "sqlite":
            return f"sqlite:///{root / name}.db"
        _pg_admin(f'CREATE DATABASE "{name}"')
        created.append(name)
        return f"{_base_pg()}/{name}"

    yield new_database_url
    for name in created:
        with contextlib.suppress(Exception):  # cleanup must not hide the run's own result
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(database_factory: Callable[[], str]) -> str:
    """The URL of a new, empty database for this test."""
    return database_factory()


def pytest_report_header() -> str:
    """Say which backend the run tests."""
    return f"loom backend: {BACKEND}"


# -- installed databases and environments ----------------------------------------------------------

import sys  # noqa: E402 - grouped with the fixtures that need it

for _folder in (Path(__file__).resolve().parent, Path(__file__).resolve().parent / "module_fixtures"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from loom_test_support import ROOTS, Installed, rolled_back  # noqa: E402


@pytest.fixture(scope="session")
def installed(database_factory: Callable[[], str]) -> Iterator[Callable[..., Installed]]:
    """``installed("loomtest_alpha", demo=True)``: a database with those modules (cached per set)."""
    from loom.kernel.db import create_engine
    from loom.kernel.installer import ModuleManager

    cache: dict[tuple, Installed] = {}

    def get(*modules: str, demo: bool = False) -> Installed:
        key = (frozenset(modules), demo)
        if key not in cache:
            url = database_factory()
            engine = create_engine(url)
            manager = ModuleManager(engine, roots=ROOTS)
            manager.install(list(modules), demo=demo)
            cache[key] = Installed(url, engine, manager)
        return cache[key]

    yield get
    for item in cache.values():
        item.engine.dispose()


@pytest.fixture
def base_env(installed: Callable[..., Installed]):
    """A superuser environment on a database with base and its demo data; rolled back after the test."""
    with rolled_back(installed("base", demo=True)) as env:
        yield env


@pytest.fixture
def test_modules_env(installed: Callable[..., Installed]):
    """A superuser environment with the test modules and their bridge; rolled back after the test."""
    with rolled_back(installed("loomtest_alpha", "loomtest_beta")) as env:
        yield env
