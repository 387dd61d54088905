"""``loom token``: create, list and revoke API tokens (``Authorization: Bearer <token>``)."""

from __future__ import annotations

import json

import click

from loom.cli.context import acting_user_option, run_as_user


@click.group()
def token() -> None:
    """Create, list and revoke API tokens."""


@token.command()
@click.argument("login")
@click.option("--name", default="api", show_default=True, help="What the token is for (shown by list).")
@acting_user_option
@click.pass_context
def create(ctx: click.Context, login: str, name: str) -> None:
    """Make a token for LOGIN and print it: it is shown this once (only its SHA-256 is kept)."""
    from loom.kernel.api.tokens import create_token
    from loom.kernel.users import find_user

    def make(env):
        row, text = create_token(env, find_user(env.sudo(), login), name)
        return row.id, text

    token_id, text = run_as_user(ctx, make)
    click.echo(text)
    click.echo(f"token {token_id} for {login}: store it now, it cannot be shown again", err=True)


@token.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@acting_user_option
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """Every token: id, user, name, created, last used, revoked (never the token itself)."""
    from loom.kernel.api.tokens import list_tokens

    def rows(env):
        def when(moment):
            return moment.isoformat(timespec="seconds") if moment is not None else ""

        return [{"id": t.id, "user": t.user.login, "name": t.name, "created": when(t.created_at),
                 "last_used": when(t.last_used_at), "revoked": when(t.revoked_at)} for t in list_tokens(env)]

    data = run_as_user(ctx, rows, write=False)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    if not data:
        click.echo("No API tokens.")
    for row in data:
        state = f"revoked {row['revoked']}" if row["revoked"] else f"last used {row['last_used'] or 'never'}"
        click.echo(f"{row['id']:>5}  {row['user']:<20} {row['name']:<20} created {row['created']}  {state}")


@token.command()
@click.argument("token_id", metavar="ID", type=int)
@acting_user_option
@click.pass_context
def revoke(ctx: click.Context, token_id: int) -> None:
    """Revoke token ID: requests with it get 401 from now on."""
    from loom.kernel.api.tokens import revoke_token

    run_as_user(ctx, lambda env: revoke_token(env, token_id))
    click.echo(f"token {token_id} revoked")
