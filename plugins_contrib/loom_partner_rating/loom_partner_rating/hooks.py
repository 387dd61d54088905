"""partner_rating's kernel hook implementations."""

from loom.kernel.hooks import hookimpl
from loom.kernel.settings import Setting

REVIEW_MONTHS = Setting("partner_rating.review_months", "int", 12, "Months a credit rating stays valid")


@hookimpl
def register_settings():
    """One setting per company: how many months a credit rating stays valid (12 by default)."""
    return [REVIEW_MONTHS]
