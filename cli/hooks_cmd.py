"""``loom hooks``: every hook spec of the installed set with its implementations in call order."""

from __future__ import annotations

import json

import click

from loom.cli.context import manager_for


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def hooks(ctx: click.Context, as_json: bool) -> None:
    """List every hook spec with the modules implementing it, in call order."""
    from loom.kernel.hooks import hook_table

    manager = manager_for(ctx)
    installed = manager.installed() or {"base": ""}
    rows = hook_table(manager.registry(installed).pm)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        impls = ", ".join(row["implementations"]) or "(none)"
        click.echo(f"{row['hook']}  [{row['owner']}]  {row['signature']}\n    -> {impls}")
