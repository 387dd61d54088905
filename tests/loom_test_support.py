"""Helpers shared by the tests: installed databases and rolled-back environments.

``tests/`` and ``tests/module_fixtures/`` are put on ``sys.path`` by ``conftest.py`` so tests can
``from loom_test_support import rolled_back`` and the test modules import by their folder names.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

FIXTURE_MODULES = Path(__file__).resolve().parent / "module_fixtures"
#: ``ci`` (the README's command: both backends within 15 minutes) or ``full`` (the catalogue's sizes).
PROFILE = os.environ.get("LOOM_TEST_PROFILE", "ci")


def size(ci: int, full: int) -> int:
    """The size of a scaled test under the active profile."""
    return full if PROFILE == "full" else ci
ROOTS = (str(FIXTURE_MODULES),)


@dataclass
class Installed:
    """A database with a set of modules installed, shared by the tests of a run."""

    url: str
    engine: object
    manager: object

    @cached_property
    def registry(self):
        """The registry of the installed set (read once: units of work must not open a second connection)."""
        return self.manager.registry(self.manager.installed())


def committed_shop(database_factory, *modules: str):
    """Yield a database of its own with ``modules`` installed, for tests that need real commits
    (``yield from committed_shop(database_factory, "loomtest_alpha")`` in a module-scoped fixture)."""
    from loom.kernel.db import create_engine
    from loom.kernel.installer import ModuleManager

    url = database_factory()
    engine = create_engine(url)
    try:
        ModuleManager(engine, roots=ROOTS).install(list(modules))
        yield Installed(url, engine, ModuleManager(engine, roots=ROOTS))
    finally:
        engine.dispose()


def clear_outbox(item: Installed) -> None:
    """Delete every outbox event and receipt of ``item``'s database (each outbox story starts empty)."""
    from loom.kernel.db import run_unit_of_work

    def unit(session):
        for model in ("loom.outbox_event", "loom.processed_event"):
            session.execute(item.registry[model].__table__.delete())

    run_unit_of_work(item.engine, unit)


@contextmanager
def rolled_back(item: Installed, **env_options):
    """An environment whose every change is rolled back when the block ends."""
    from sqlalchemy.orm import Session

    from loom.kernel.db import WRITE
    from loom.kernel.environment import Environment

    with item.engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        outer = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        try:
            env_options.setdefault("su", True)
            yield Environment(item.registry, session, **env_options)
        finally:
            session.close()
            outer.rollback()


class TinySchema:
    """The domain compiler's schema protocol over a dict of fields and a dict of mapped classes."""

    def __init__(self, fields: dict, classes: dict) -> None:
        self._fields, self._classes = fields, classes

    def fields(self, model: str) -> dict:
        """The FieldInfo of ``model`` by field name."""
        return self._fields[model]

    def model_class(self, model: str) -> type:
        """The mapped class of ``model``."""
        return self._classes[model]


def count_rows(engine, table_name: str) -> int:
    """How many rows ``table_name`` holds, read on a fresh connection."""
    with engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT count(*) FROM {table_name}").scalar_one()


def tables_on_new_database(database_factory, metadata):
    """Yield an engine on a new database holding ``metadata``'s tables; dispose of it afterwards
    (a generator for module-scoped fixtures: one database per test module keeps the PG run quick)."""
    from loom.kernel.db import create_engine

    engine = create_engine(database_factory())
    metadata.create_all(engine)
    yield engine
    engine.dispose()
