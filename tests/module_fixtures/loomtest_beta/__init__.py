"""Test module beta: extends partners with a level and declares support tickets."""

from loomtest_beta import partner, ticket


def register(loom):
    """Everything beta contributes."""
    loom.models(partner.Partner, ticket.Ticket)
