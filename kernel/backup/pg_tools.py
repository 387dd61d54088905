"""PostgreSQL's own tools and statements a backup and a restore need: pg_dump, pg_restore, and
creating, renaming and dropping databases through the server's maintenance database."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from loom.kernel.errors import UserError

MAINTENANCE_DATABASE = "postgres"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise UserError("kernel.backup_tool_missing", tool=name)
    return path


def _connection_arguments(url: URL) -> tuple[list[str], dict[str, str]]:
    arguments = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return arguments, environment


def check_tool_version(connection: Connection, tool: str) -> None:
    """Refuse when ``tool``'s major version is older than the server's (it could not read the server)."""
    done = subprocess.run([_tool(tool), "--version"], capture_output=True, text=True, check=False)
    client = int(done.stdout.split()[-1].split(".")[0]) if done.returncode == 0 else 0
    server = int(connection.scalar(text("SHOW server_version_num"))) // 10000
    if client < server:
        raise UserError("kernel.backup_tool_too_old", tool=tool, client=client, server=server)


def pg_dump(url: URL, target: Path, snapshot: str | None = None) -> None:
    """Dump ``url``'s database into ``target`` (custom format), in ``snapshot`` when given."""
    arguments, environment = _connection_arguments(url)
    command = [_tool("pg_dump"), "-Fc", "--no-owner", "-f", str(target), *arguments]
    command += ["--snapshot", snapshot] if snapshot else []
    _run([*command, url.database or ""], environment, "kernel.backup_failed")


def pg_restore(url: URL, dump: Path) -> None:
    """Restore ``dump`` into ``url``'s (empty) database in one transaction: all of it or nothing."""
    arguments, environment = _connection_arguments(url)
    command = [_tool("pg_restore"), "--single-transaction", "--exit-on-error", "--no-owner", *arguments,
               "-d", url.database or "", str(dump)]
    _run(command, environment, "kernel.restore_failed")


def _run(command: list[str], environment: dict[str, str], message_id: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    if done.returncode != 0:
        raise UserError(message_id, problem=done.stderr.strip()[:500])


def maintenance_engine(url: URL) -> Engine:
    """An engine on the server's maintenance database, where databases are created and renamed."""
    return sa.create_engine(url.set(database=MAINTENANCE_DATABASE), poolclass=NullPool)


def create_database(admin: Engine, name: str) -> None:
    """Create an empty database ``name``."""
    with admin.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(f'CREATE DATABASE "{name}"')


def drop_database(admin: Engine, name: str) -> None:
    """Drop ``name`` if it exists, closing its connections."""
    with admin.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def swap_databases(admin: Engine, fresh: str, target: str, retired: str) -> None:
    """Rename ``target`` to ``retired`` (if it exists) and ``fresh`` to ``target`` in one transaction.

    Sessions still connected to ``target`` are ended first: a restore replaces the database."""
    with admin.begin() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :t AND pid <> pg_backend_pid()"), {"t": target})
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target}):
            conn.exec_driver_sql(f'ALTER DATABASE "{target}" RENAME TO "{retired}"')
        conn.exec_driver_sql(f'ALTER DATABASE "{fresh}" RENAME TO "{target}"')
