"""A user's own companies are theirs to use: a clerk who may not read loom.company still creates
orders in their company (the default, or naming it), lines and all; a company they are not in stays
refused. And an order's lines saved twice from the same reading: the second save is stale (409)."""

from __future__ import annotations

import pytest
from api_bench import error


@pytest.fixture(scope="module")
def partner(bench):
    """A customer the alpha clerk can read."""
    return bench.unit(lambda env: env["base.partner"].create({"name": "Defaulted Buyer"}).id)


@pytest.fixture(scope="module")
def branch(bench):
    """A second company the clerk is not in."""
    return bench.unit(lambda env: env["loom.company"].create({"name": "Branch Office", "code": "BR"}).id)


def _clerk_company(bench):
    return bench.unit(lambda env: env["loom.user"].search([["login", "=", "clerk"]])[0].company_id)


def _orders(bench, partner):
    return bench.unit(lambda env: env["alpha.order"].count([["partner_id", "=", partner]]))


def test_a_clerk_creates_an_order_in_their_own_company_without_reading_companies(bench, partner):
    assert bench.get("/api/v1/loom.company", who="clerk").status_code == 403
    company = _clerk_company(bench)

    defaulted = bench.post("/api/v1/alpha.order", who="clerk", json={
        "partner_id": partner, "lines": [{"quantity": "1", "price": "2"}]})
    named = bench.post("/api/v1/alpha.order", who="clerk", json={"partner_id": partner, "company_id": company})

    assert defaulted.status_code == 201, defaulted.get_json()
    assert named.status_code == 201, named.get_json()
    assert defaulted.get_json()["company_id"] == named.get_json()["company_id"] == company
    assert len(defaulted.get_json()["lines"]) == 1
    assert _orders(bench, partner) == 2


def test_a_clerk_cannot_create_an_order_in_a_company_they_are_not_in(bench, partner, branch):
    before = _orders(bench, partner)

    answer = bench.post("/api/v1/alpha.order", who="clerk", json={"partner_id": partner, "company_id": branch})

    assert answer.status_code == 403
    assert error(answer)["details"]["model"] == "loom.company"
    assert _orders(bench, partner) == before


def test_two_saves_of_an_orders_lines_from_the_same_reading_the_second_is_stale(bench, partner):
    order = bench.post("/api/v1/alpha.order", who="clerk", json={"partner_id": partner}).get_json()
    lines = {"lines": {"create": [{"quantity": "0", "price": "5"}]}}  # the total stays: only lines change

    first = bench.patch(f"/api/v1/alpha.order/{order['id']}", who="clerk", json={"version": order["version"], **lines})
    second = bench.patch(f"/api/v1/alpha.order/{order['id']}", who="clerk", json={"version": order["version"], **lines})

    assert first.status_code == 200 and first.get_json()["version"] == order["version"] + 1
    assert second.status_code == 409
    assert len(bench.get(f"/api/v1/alpha.order/{order['id']}", who="clerk").get_json()["lines"]) == 1
