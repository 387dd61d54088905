"""Test module alpha: orders with lines, a computed total, a business hook and a trigger."""

from loomtest_alpha import hooks, hookspecs, order


def register(loom):
    """Everything alpha contributes."""
    loom.models(order.Order, order.OrderLine)
    loom.hookspecs(hookspecs)
    loom.hooks(hooks)
    loom.triggers(order.DONE_IMMUTABLE, order.ORDER_SUMMARY)
