"""Fixtures of the backup and copy tests: empty databases of either backend, whatever the run's.

A copy across backends needs both: PostgreSQL comes from ``LOOM_TEST_PG_URL`` or the local server
(the test is skipped when none answers), SQLite from a temporary folder. Import the fixture into a
test module: ``from backup_support import new_url``.
"""

from __future__ import annotations

import contextlib
import os
import uuid

import pytest

PG_SERVER = os.environ.get("LOOM_TEST_PG_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def new_url(tmp_path):
    """``new_url("sqlite")`` / ``new_url("postgresql")``: an empty database of that backend."""
    created = []

    def make(backend: str) -> str:
        name = "loom_c_" + uuid.uuid4().hex[:12]
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / name}.db"
        try:
            _pg_admin(f'CREATE DATABASE "{name}"')
        except Exception as exc:  # noqa: BLE001 - no server: the cross-backend step cannot run here
            pytest.skip(f"PostgreSQL is not reachable at {PG_SERVER}: {exc}")
        created.append(name)
        return f"{PG_SERVER.rsplit('/', 1)[0]}/{name}"

    yield make
    for name in created:
        with contextlib.suppress(Exception):
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
