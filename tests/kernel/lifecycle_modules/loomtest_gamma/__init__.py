"""A module with no models that depends on alpha: it only makes alpha have a dependent."""


def register(loom):
    """gamma contributes nothing but its dependency."""
