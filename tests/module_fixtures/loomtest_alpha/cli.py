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
    """Confirm draft orders ORDER_IDS; print each one's state (confirmed, or waiting_approval) and number."""
    from loomtest_alpha.order import confirm as confirm_orders

    def work(env):
        return [(order.state, order.name) for order in confirm_orders(env, list(order_ids))]

    for state, name in run_as_user(ctx, work):
        click.echo(f"{state} {name}")
