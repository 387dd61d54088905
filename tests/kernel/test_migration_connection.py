"""Migrations run in one transaction with foreign keys off on SQLite, then checked.

KERNEL-NOTES: a batch rebuild of a parent table must not cascade into its children, and a
migration that leaves orphans is rolled back naming them.
"""

from __future__ import annotations

import pytest

from loom.kernel.db import (
    create_engine,
    migration_connection,
)
from loom.kernel.errors import ModuleError
from loom_test_support import count_rows

# --- migrations -----------------------------------------------------------------------------------

@pytest.fixture
def family(database_url):
    """A parent with three children that ON DELETE CASCADE; one connection, so the pool reuses it."""
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY, name VARCHAR(20))")
        conn.exec_driver_sql("CREATE TABLE child (id INTEGER PRIMARY KEY, "
                             "parent_id INTEGER NOT NULL REFERENCES parent(id) ON DELETE CASCADE)")
        conn.exec_driver_sql("INSERT INTO parent (id, name) VALUES (1, 'p')")
        conn.exec_driver_sql("INSERT INTO child (id, parent_id) VALUES (1, 1), (2, 1), (3, 1)")
    yield engine
    engine.dispose()



def test_a_sqlite_table_rebuild_in_a_migration_keeps_the_children(family, backend):
    if backend != "sqlite":
        pytest.skip("SQLite only: PostgreSQL alters tables in place and keeps its foreign keys on")
    with migration_connection(family) as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0  # the pragma is SQLite's
        # what alembic's batch mode does to drop a column; with foreign keys on, DROP TABLE
        # would delete every child through ON DELETE CASCADE
        conn.exec_driver_sql("CREATE TABLE _tmp_parent (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("INSERT INTO _tmp_parent (id) SELECT id FROM parent")
        conn.exec_driver_sql("DROP TABLE parent")
        conn.exec_driver_sql("ALTER TABLE _tmp_parent RENAME TO parent")

    assert count_rows(family, "child") == 3
    with family.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_migration_that_leaves_orphans_is_rolled_back_naming_them(family, backend):
    if backend != "sqlite":
        pytest.skip("SQLite only: PostgreSQL refuses the orphan at the DELETE itself")
    with pytest.raises(ModuleError) as refused, migration_connection(family) as conn:
        conn.exec_driver_sql("DELETE FROM parent")

    assert refused.value.message_id == "kernel.foreign_key_check_failed"
    assert refused.value.params["count"] == 3 and "child row 1 -> parent" in str(refused.value)
    assert count_rows(family, "parent") == 1 and count_rows(family, "child") == 3
    with family.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_migration_is_one_transaction_on_both_backends(family):
    with migration_connection(family) as conn:
        conn.exec_driver_sql("CREATE TABLE note (id INTEGER PRIMARY KEY)")
    with pytest.raises(RuntimeError), migration_connection(family) as conn:
        conn.exec_driver_sql("CREATE TABLE tag (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("INSERT INTO parent (id, name) VALUES (2, 'q')")
        raise RuntimeError("step 9 of 10 failed")

    with family.connect() as conn:
        names = set(conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'" if conn.dialect.name == "sqlite"
            else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").scalars())
    assert "note" in names and "tag" not in names
    assert count_rows(family, "parent") == 1
