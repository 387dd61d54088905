"""``loom init`` and ``loom quickstart``: create a database ready to use."""

from __future__ import annotations

import os
import secrets

import click

from loom.cli.context import engine_for, manager_for, run_as_user
from loom.cli.progress import module_steps


@click.command()
@click.option("--admin-login", default="admin", show_default=True, help="Login of the administrator.")
@click.option("--demo/--no-demo", default=False, help="Load demo data.")
@click.pass_context
def init(ctx: click.Context, admin_login: str, demo: bool) -> None:
    """Create the database with the kernel and base, and the administrator.

    The password is LOOM_ADMIN_PASSWORD, or a generated one that is printed once."""
    _initialize(ctx, ["base"], admin_login, demo)


@click.command()
@click.option("--admin-login", default="admin", show_default=True, help="Login of the administrator.")
@click.option("--serve/--no-serve", default=True, show_default=True,
              help="Serve the web shell once the database is ready.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port to serve on.")
@click.pass_context
def quickstart(ctx: click.Context, admin_login: str, serve: bool, port: int) -> None:
    """Create ./loom.db (or --database) with every shipped module, demo data and the administrator,
    then serve the web shell on http://127.0.0.1:5000 (`--no-serve` only prepares the database)."""
    from loom.kernel.manifest import discover

    modules = sorted(m.name for m in discover().values() if m.package.startswith("loom.modules."))
    _initialize(ctx, modules, admin_login, demo=True)
    if serve:
        from loom.cli.serve_cmd import serve as serve_command

        ctx.invoke(serve_command, host="127.0.0.1", port=port, workers=1)
    else:
        click.echo("Run `loom serve` to open the web shell.")


def _initialize(ctx: click.Context, modules: list[str], admin_login: str, demo: bool) -> None:
    from loom.kernel.passwords import check_password

    manager = manager_for(ctx)
    if manager.installed():
        raise click.ClickException(f"{engine_for(ctx).url.render_as_string(hide_password=True)} is already "
                                   "initialized; use `loom module install` to add modules.")
    password = os.environ.get("LOOM_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
    check_password(password)  # a bad password is refused before anything is installed
    with module_steps("install", lambda: manager.install(modules, dry_run=True), 2) as progress:
        plan = manager.install(modules, demo=demo, progress=progress)
    run_as_user(ctx, lambda env: _create_admin(env, admin_login, password), su=True)
    click.echo(f"Database: {engine_for(ctx).url.render_as_string(hide_password=True)}")
    click.echo(f"Installed {len(plan.modules)} modules: {', '.join(plan.modules)}"
               + (" (with demo data)" if demo else ""))
    if os.environ.get("LOOM_ADMIN_PASSWORD"):
        click.echo(f"Administrator: {admin_login} (password from LOOM_ADMIN_PASSWORD)")
    else:
        click.echo(f"Administrator: {admin_login}  password: {password}  (shown once; change it with "
                   f"`loom user passwd {admin_login}`)")


def _create_admin(env, login: str, password: str) -> None:
    from loom.kernel.users import create_user

    create_user(env, login, "Administrator", password, roles=["kernel.administrator"])
