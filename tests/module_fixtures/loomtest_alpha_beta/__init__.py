"""Bridge between alpha and beta: confirmed orders open tickets, orders link to them."""

from loomtest_alpha_beta import hooks, order


def register(loom):
    """Everything the bridge contributes."""
    loom.models(order.Order)
    loom.hooks(hooks)
