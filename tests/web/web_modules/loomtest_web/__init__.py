"""Test module web: a partner board screen and its menu entry."""

from loomtest_web import hooks


def register(loom):
    """Everything the module contributes: two web hooks."""
    loom.hooks(hooks)
