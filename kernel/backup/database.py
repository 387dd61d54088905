"""What backup, restore and copy read from a database besides its rows: the installed set (and so
the registry whose column types read the rows) and alembic's revisions."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Column, Connection, Engine, MetaData, String, Table, inspect, select

from loom.kernel.errors import UserError
from loom.kernel.registry import Registry

#: alembic's own table, copied and hashed with the models' tables.
ALEMBIC = Table("alembic_version", MetaData(), Column("version_num", String(32), primary_key=True))


def installed(connection: Connection) -> dict[str, str]:
    """The installed modules of the database (``loom_module``); a clear error when there are none."""
    from loom.kernel.installer import installed_modules

    modules = installed_modules(connection)
    if not modules:
        raise UserError("kernel.database_not_initialized", database=_name(connection))
    return modules


def registry_of(engine: Engine, modules: dict[str, str], roots: Iterable[str] = ()) -> Registry:
    """The registry of ``modules`` (found in ``roots`` too); names modules whose code is missing."""
    from loom.kernel.installer import ModuleManager

    return ModuleManager(engine, roots=roots).registry(modules)


def alembic_revisions(connection: Connection) -> list[str]:
    """The revisions alembic recorded, sorted."""
    if not inspect(connection).has_table(ALEMBIC.name):
        return []
    return sorted(connection.scalars(select(ALEMBIC.c.version_num)))


def is_empty(connection: Connection) -> bool:
    """Whether the database holds no table at all."""
    return not inspect(connection).get_table_names()


def _name(connection: Connection) -> str:
    return connection.engine.url.render_as_string(hide_password=True)
