"""What partner_rating adds to partners: a credit rating, the date of its review, reviews due."""

import calendar
import datetime as dt

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.errors import AccessError, ValidationError
from loom.kernel.model import Model
from loom.kernel.settings import get_setting

RATINGS = ("A", "B", "C", "D")
RATER = "partner_rating.rater"


class Partner(Model):
    """Partners get a credit rating: A (sound, usual terms) down to D (prepayment only).

    A rating belongs to the commercial partner: the contacts and addresses of a company share its
    rating. Only credit raters give or change ratings, and a rating carries the date of its review.
    """

    __model__ = "base.partner"

    credit_rating: Mapped[str | None] = mapped_column(
        String(1), info={"selection": RATINGS, "label": "Credit rating"})
    credit_rated_on: Mapped[dt.date | None] = mapped_column(Date, info={"label": "Credit rating date"})

    def validate(self, env, changed):
        """Raters only, commercial partners only, and never a rating without its date."""
        super().validate(env, changed)
        if changed & {"credit_rating", "credit_rated_on"}:
            _check_rater(env, self)
        if self.credit_rating and self.commercial_partner() is not self:
            raise ValidationError("partner_rating.rate_the_company", field="credit_rating",
                                  partner=self.name, company=self.commercial_partner().name)
        if self.credit_rating and self.credit_rated_on is None:
            raise ValidationError("partner_rating.rated_on_required", field="credit_rated_on",
                                  partner=self.name)

    def effective_credit_rating(self):
        """The rating that applies to this partner: its commercial partner's."""
        return self.commercial_partner().credit_rating


def _check_rater(env, partner):
    if env.su or env.grants.all_access or RATER in env.grants.role_codes:
        return
    raise AccessError("partner_rating.rater_only", field="credit_rating", partner=partner.name,
                      user=env.login)


def due_for_review(env, today):
    """Rated partners whose review is older than the company's ``partner_rating.review_months``."""
    cutoff = months_before(today, get_setting(env, "partner_rating.review_months"))
    domain = [["credit_rating", "is_null", False], ["credit_rated_on", "<=", cutoff]]
    return env["base.partner"].search(domain, order="credit_rated_on, name")


def months_before(day, months):
    """``day`` moved back ``months`` months (the 31st becomes the last day of a shorter month)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
