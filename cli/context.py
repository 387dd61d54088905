"""Open the database and an environment for a CLI command.

The CLI acts as the administrator unless ``--user LOGIN`` (or ``LOOM_USER``) names a user, whose
permissions then apply. Every command's work is one unit of work: retried when the database is
busy, rolled back entirely on any error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

T = TypeVar("T")


def database_url(ctx: click.Context) -> str:
    """The database URL given by ``--database`` or ``LOOM_DATABASE_URL``."""
    return ctx.find_root().obj["database"]


def engine_for(ctx: click.Context) -> Any:
    """A SQLAlchemy engine for the command's database (created once per command)."""
    root = ctx.find_root()
    if "engine" not in root.obj:
        from loom.kernel.db import create_engine

        root.obj["engine"] = create_engine(database_url(ctx))
        root.call_on_close(root.obj["engine"].dispose)  # no pooled connection outlives the command
    return root.obj["engine"]


def manager_for(ctx: click.Context) -> Any:
    """The module manager of the command's database, acting as ``--user`` when one is given."""
    from loom.kernel.installer import ModuleManager

    return ModuleManager(engine_for(ctx), actor=ctx.find_root().obj.get("user"))


def acting_user_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--user LOGIN`` after the subcommand too (``loom user list --user bob``), same as the root option."""

    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value is not None:
            ctx.find_root().obj["user"] = value

    return click.option("--user", "acting_user", default=None, expose_value=False, callback=remember,
                        help="Act as this login with its permissions (as `loom --user`).")(command)


def run_as_user(ctx: click.Context, work: Callable[[Any], T], *, write: bool = True, su: bool = False) -> T:
    """Run ``work(env)`` in one unit of work as the CLI's user (the superuser with ``su``)."""
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.errors import ModuleError

    manager = manager_for(ctx)
    installed = manager.installed()
    if not installed:
        raise ModuleError("kernel.database_not_initialized", database=database_url(ctx))
    registry = manager.registry(installed)
    login = None if su else ctx.find_root().obj.get("user")

    def unit(session: Any) -> T:
        env = Environment(registry, session, su=True)
        if login:
            from loom.kernel.users import find_user

            env = Environment(registry, session, uid=find_user(env, login).id)
        return work(env)

    return run_unit_of_work(engine_for(ctx), unit, write=write)
