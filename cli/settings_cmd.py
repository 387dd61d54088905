"""``loom settings``: read and change the active company's settings."""

from __future__ import annotations

import json

import click

from loom.cli.context import acting_user_option, run_as_user


@click.group()
def settings() -> None:
    """Read and change per-company settings."""


@settings.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@acting_user_option
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """Every declared setting with the active company's value."""
    from loom.kernel.settings import declared, get_setting

    def rows(env):
        return [{"key": key, "type": s.type, "value": str(get_setting(env, key)), "label": s.label}
                for key, s in sorted(declared(env).items())]

    data = run_as_user(ctx, rows, write=False)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    for row in data:
        click.echo(f"{row['key']:<40} {row['value']:<12} {row['label']}")


@settings.command()
@click.argument("key")
@acting_user_option
@click.pass_context
def get(ctx: click.Context, key: str) -> None:
    """Print the active company's value of KEY."""
    from loom.kernel.settings import get_setting

    click.echo(run_as_user(ctx, lambda env: get_setting(env, key), write=False))


@settings.command("set")
@click.argument("key")
@click.argument("value")
@acting_user_option
@click.pass_context
def set_(ctx: click.Context, key: str, value: str) -> None:
    """Set KEY to VALUE for the active company (checked against the declared type)."""
    from loom.kernel.settings import set_setting

    parsed = run_as_user(ctx, lambda env: set_setting(env, key, value))
    click.echo(f"{key} = {parsed}")
