"""``loom role``: list roles, grant and revoke them."""

from __future__ import annotations

import json

import click

from loom.cli.context import acting_user_option, run_as_user


@click.group()
def role() -> None:
    """List roles and grant or revoke them."""


@role.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@acting_user_option
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """Every role with its code and name."""
    data = run_as_user(ctx, lambda env: [{"code": r.code, "name": r.name, "all_access": r.all_access}
                                         for r in env["loom.role"].search(order="code")], write=False)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    for row in data:
        click.echo(f"{row['code']:<30} {row['name']}" + ("  (all access)" if row["all_access"] else ""))


@role.command()
@click.argument("code")
@click.argument("login")
@acting_user_option
@click.pass_context
def grant(ctx: click.Context, code: str, login: str) -> None:
    """Give role CODE to user LOGIN."""
    run_as_user(ctx, lambda env: _change(env, code, login, add=True))
    click.echo(f"{login} now has role {code}")


@role.command()
@click.argument("code")
@click.argument("login")
@acting_user_option
@click.pass_context
def revoke(ctx: click.Context, code: str, login: str) -> None:
    """Take role CODE from user LOGIN."""
    run_as_user(ctx, lambda env: _change(env, code, login, add=False))
    click.echo(f"{login} no longer has role {code}")


def _change(env, code: str, login: str, *, add: bool) -> None:
    from loom.kernel.users import change_roles, find_user

    change_roles(env, find_user(env, login), [code], grant=add)
