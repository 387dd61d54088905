"""The partner_rating module: credit ratings on partners, and when they are due for review."""

from loom_partner_rating import hooks, partner


def register(loom):
    """Everything partner_rating contributes: its extension of partners and its hooks."""
    loom.models(partner.Partner)
    loom.hooks(hooks)
