"""``loom alpha``: the command group alpha declares in its manifest (loaded only when invoked)."""

import click

from loom.cli.context import run_as_user


@click.group()
def alpha():
    """Work with alpha orders."""


@alpha.command()
@click.argument("order_ids", nargs=-1, type=int, required=True)
@click.pass_context
def confirm(ctx, order_ids):
    """Confirm draft orders ORDER_IDS and print their numbers."""
    from loomtest_alpha.order import confirm as confirm_orders

    def work(env):
        return [order.name for order in confirm_orders(env, env["alpha.order"].browse(list(order_ids)))]

    for name in run_as_user(ctx, work):
        click.echo(f"confirmed {name}")
