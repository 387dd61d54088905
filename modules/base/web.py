"""base's dashboard tiles: customers and suppliers, and partners by country, counted through the
visitor's environment (only the partners they may read: their companies' and the shared ones)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func

from loom.kernel.web.dashboard import Tile
from loom.kernel.web.texts import text

#: Countries a pie shows by name; the others are summed as one slice.
COUNTRIES_SHOWN = 8


def partner_roles(env: Any) -> list[tuple[str, int]]:
    """How many active partners are customers, and how many suppliers (one pass over them)."""
    partners = env["base.partner"]
    cls = partners.cls
    stmt = partners.select().order_by(None).with_only_columns(
        func.count().filter(cls.is_customer.is_(True)), func.count().filter(cls.is_supplier.is_(True)))
    customers, suppliers = env.session.execute(stmt).one()
    return [(text("base.dashboard_customers"), customers), (text("base.dashboard_suppliers"), suppliers)]


def partners_by_country(env: Any) -> list[tuple[str, int]]:
    """Active partners per country code, the largest first; countries beyond
    :data:`COUNTRIES_SHOWN` as one "other" slice."""
    partners = env["base.partner"]
    country = partners.cls.country_code
    stmt = partners.select().order_by(None).with_only_columns(country, func.count()).group_by(country)
    counts = sorted(env.session.execute(stmt).all(), key=lambda row: (-row[1], row[0]))
    shown = [(code, count) for code, count in counts[:COUNTRIES_SHOWN]]
    rest = sum(count for _, count in counts[COUNTRIES_SHOWN:])
    return shown + ([(text("base.dashboard_other_countries"), rest)] if rest else [])


TILES = [
    Tile("base.partner_roles", "base.dashboard_partner_roles", "base.partner", partner_roles, kind="bar",
         sequence=10),
    Tile("base.partners_by_country", "base.dashboard_partners_by_country", "base.partner", partners_by_country,
         kind="pie", sequence=20),
]
