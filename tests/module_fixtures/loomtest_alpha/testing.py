"""Builders for tests that need alpha orders and people: a partner, draft orders, users with roles."""

from __future__ import annotations

from decimal import Decimal

from loom.kernel.users import create_user


def draft_orders(env, count: int, *, price: str | Decimal = "10", partner_name: str = "Alpha Buyer Co.") -> list:
    """``count`` draft orders of one new partner, created as the superuser, each with one line of
    quantity 1 at ``price``."""
    su = env.sudo()
    partner = su["base.partner"].create({"name": partner_name})
    return su["alpha.order"].create([{"partner_id": partner.id, "lines": [{"quantity": "1", "price": str(price)}]}
                                     for _ in range(count)])


def person(env, login: str, *roles: str):
    """A user ``login`` holding ``roles`` (role codes), created as the superuser."""
    return create_user(env.sudo(), login, login.title(), "a-long-test-password", roles=roles)
