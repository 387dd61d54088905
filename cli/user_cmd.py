"""``loom user``: create, list and change users."""

from __future__ import annotations

import json

import click

from loom.cli.context import acting_user_option, run_as_user


@click.group()
def user() -> None:
    """Create, list and change users."""


@user.command()
@click.argument("login")
@click.option("--name", help="Full name (default: the login).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="LOOM_NEW_PASSWORD", help="Password (prompted when not given).")
@click.option("--role", "roles", multiple=True, help="Role code to grant (repeatable).")
@click.option("--lang", type=click.Choice(["en", "zh_CN"]), default="en", show_default=True)
@acting_user_option
@click.pass_context
def create(ctx: click.Context, login: str, name: str | None, password: str, roles: tuple[str, ...],
           lang: str) -> None:
    """Create user LOGIN in the active company."""
    from loom.kernel.users import create_user

    run_as_user(ctx, lambda env: create_user(env, login, name or login, password, roles=roles, lang=lang))
    click.echo(f"User {login} created" + (f" with roles {', '.join(roles)}" if roles else ""))


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@acting_user_option
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """Every active user with their roles."""

    def rows(env):
        return [{"login": u.login, "name": u.name, "lang": u.lang, "roles": sorted(r.code for r in u.role_ids)}
                for u in env["loom.user"].search(order="login")]

    data = run_as_user(ctx, rows, write=False)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    for row in data:
        click.echo(f"{row['login']:<20} {row['name']:<30} {', '.join(row['roles'])}")


@user.command()
@click.argument("login")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="LOOM_NEW_PASSWORD", help="New password (prompted when not given).")
@acting_user_option
@click.pass_context
def passwd(ctx: click.Context, login: str, password: str) -> None:
    """Change LOGIN's password."""
    from loom.kernel.users import find_user, set_password

    run_as_user(ctx, lambda env: set_password(env, find_user(env, login), password))
    click.echo(f"Password of {login} changed")
