"""Triggers and views that modules declare, re-created after every migration.

SQLite's batch migrations rebuild tables and silently drop their triggers, and refuse to rebuild a
table a view uses; so the kernel drops every declared view before migrating and re-creates all
declared triggers and views afterwards, on both backends, from the registry of the new set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, inspect, text


@dataclass(frozen=True)
class Trigger:
    """A trigger named ``name`` on ``table``, with its SQL per dialect (``sqlite``, ``postgresql``).

    For PostgreSQL give the ``CREATE FUNCTION`` and ``CREATE TRIGGER`` statements separated by
    ``;;`` (the kernel splits on it)."""

    name: str
    table: str
    sqlite: str
    postgresql: str


@dataclass(frozen=True)
class View:
    """A view named ``name``; ``sql`` is its SELECT, portable across both backends."""

    name: str
    sql: str


def drop_all(connection: Connection, objects: Iterable[object]) -> None:
    """Drop every declared trigger and view that exists."""
    dialect = connection.dialect.name
    for obj in objects:
        if isinstance(obj, View):
            connection.execute(text(f'DROP VIEW IF EXISTS "{obj.name}"'))
        elif isinstance(obj, Trigger) and _table_exists(connection, obj.table):
            suffix = f' ON "{obj.table}"' if dialect == "postgresql" else ""
            connection.execute(text(f'DROP TRIGGER IF EXISTS "{obj.name}"{suffix}'))


def create_all(connection: Connection, objects: Iterable[object]) -> None:
    """Create every declared trigger and view (after :func:`drop_all`)."""
    dialect = connection.dialect.name
    for obj in objects:
        if isinstance(obj, View):
            connection.execute(text(f'CREATE VIEW "{obj.name}" AS {obj.sql}'))
        elif isinstance(obj, Trigger):
            for statement in getattr(obj, dialect).split(";;"):
                if statement.strip():
                    connection.exec_driver_sql(statement)


def missing(connection: Connection, objects: Iterable[object]) -> list[str]:
    """Names of declared triggers and views absent from the database (for checks and tests)."""
    names = _existing_names(connection)
    return [obj.name for obj in objects if obj.name not in names]


def _existing_names(connection: Connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        rows = connection.execute(text("SELECT name FROM sqlite_master WHERE type IN ('trigger', 'view')"))
    else:
        rows = connection.execute(text(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
            "UNION SELECT viewname FROM pg_views WHERE schemaname = current_schema()"))
    return {row[0] for row in rows}


def _table_exists(connection: Connection, table: str) -> bool:
    return inspect(connection).has_table(table)
