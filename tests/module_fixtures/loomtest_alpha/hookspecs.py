"""Business hooks of the alpha test module."""

from loom.kernel.hooks import hookspec


@hookspec
def on_alpha_confirmed(env, orders):
    """Called inside the confirmation's unit of work with every order just confirmed."""
