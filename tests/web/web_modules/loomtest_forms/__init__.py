"""Test module forms: a quote with ordered lines (a ``sequence`` field) and a total computed from them."""

from loomtest_forms import quote


def register(loom):
    """Everything forms contributes: its two models."""
    loom.models(quote.Quote, quote.QuoteLine)
