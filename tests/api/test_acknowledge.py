"""Warnings to acknowledge: a write that meets a business warning answers 422 ``warning`` listing every
warning id, changes nothing, and goes through when repeated with those ids acknowledged."""

from __future__ import annotations

from decimal import Decimal

import pytest
from api_bench import error

from loom.kernel.acknowledge import warn
from loom.kernel.errors import Warning  # noqa: A004 - errors.Warning is the design's name
from loom.kernel.hooks import hookimpl
from loom.kernel.web.state import loom_state
from loomtest_alpha.order import USUAL_QUANTITY

UNUSUAL = "loomtest_alpha.line_quantity_unusual"
LARGE = "loomtest_alpha.order_total_large"


class LargeOrdersNeedAWord:
    """A test rule: marking done an order over 1,000, or one with an unusual line, needs a word."""

    @hookimpl
    def on_transition(self, env, model, transition, records):
        """Warn about every large order made done, then about every unusual line in it."""
        if model != "alpha.order" or transition != "done":
            return
        for order in records:
            if order.amount_total > Decimal(1000):
                warn(env, Warning(LARGE, warning_id=LARGE, order=order.id, amount=order.amount_total))
            for line in order.lines:
                if line.quantity > USUAL_QUANTITY:
                    warn(env, Warning(UNUSUAL, warning_id=UNUSUAL, field="quantity", quantity=line.quantity,
                                      usual=USUAL_QUANTITY))


@pytest.fixture(scope="module")
def partner(bench):
    """The customer of every order here."""
    return bench.unit(lambda env: env["base.partner"].create({"name": "Careful Buyer"}).id)


@pytest.fixture
def large_orders_rule(bench):
    """:class:`LargeOrdersNeedAWord` plugged into the application's registry for one test."""
    pm = loom_state(bench.app).registry.pm
    pm.register(LargeOrdersNeedAWord(), name="loomtest_alpha:large_orders")
    yield
    pm.unregister(name="loomtest_alpha:large_orders")


def _orders_of(bench, partner):
    return bench.unit(lambda env: env["alpha.order"].count([["partner_id", "=", partner]]))


def test_an_unusual_quantity_is_a_warning_and_nothing_is_saved(bench, partner):
    before = _orders_of(bench, partner)
    answer = bench.post("/api/v1/alpha.order", json={"partner_id": partner,
                                                    "lines": [{"quantity": "50000", "price": "1"}]})
    assert answer.status_code == 422
    refusal = error(answer)
    assert refusal["code"] == "warning" and refusal["field"] == "quantity"
    assert refusal["details"]["warning_id"] == UNUSUAL
    assert [w["warning_id"] for w in refusal["details"]["warnings"]] == [UNUSUAL]
    assert "50000" in refusal["details"]["warnings"][0]["message"]
    assert _orders_of(bench, partner) == before


def test_the_same_order_with_the_warning_acknowledged_is_created(bench, partner):
    answer = bench.post("/api/v1/alpha.order", json={"partner_id": partner, "acknowledge": [UNUSUAL],
                                                    "lines": [{"quantity": "50000", "price": "1"}]})
    assert answer.status_code == 201, answer.get_json()
    assert Decimal(answer.get_json()["amount_total"]) == Decimal(50000)


def test_a_patch_meets_the_warning_and_goes_through_once_acknowledged(bench, partner):
    order = bench.post("/api/v1/alpha.order", json={"partner_id": partner,
                                                   "lines": [{"quantity": "2", "price": "3"}]}).get_json()
    line_id = order_lines(bench, order["id"])[0]
    version = bench.get(f"/api/v1/alpha.order.line/{line_id}").get_json()["version"]
    warned = bench.patch(f"/api/v1/alpha.order.line/{line_id}", json={"version": version, "quantity": "20000"})
    assert warned.status_code == 422 and error(warned)["details"]["warning_id"] == UNUSUAL
    assert bench.get(f"/api/v1/alpha.order.line/{line_id}").get_json()["quantity"] == "2.000000"
    done = bench.patch(f"/api/v1/alpha.order.line/{line_id}", json={
        "version": version, "quantity": "20000", "acknowledge": [UNUSUAL]})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["quantity"] == "20000.000000"


def order_lines(bench, order_id):
    """Ids of the lines of order ``order_id``."""
    answer = bench.get("/api/v1/alpha.order.line", query_string={"filter": f'[["order_id", "=", {order_id}]]'})
    return [row["id"] for row in answer.get_json()["records"]]


def test_a_transition_meeting_two_warnings_lists_both_and_needs_both(bench, partner, large_orders_rule):
    order = bench.post("/api/v1/alpha.order", json={
        "partner_id": partner, "acknowledge": [UNUSUAL], "lines": [{"quantity": "20000", "price": "1"}]}).get_json()
    assert bench.post(f"/api/v1/alpha.order/{order['id']}/confirm").status_code == 200
    answer = bench.post(f"/api/v1/alpha.order/{order['id']}/done")
    assert answer.status_code == 422 and error(answer)["details"]["warning_id"] == LARGE
    assert [w["warning_id"] for w in error(answer)["details"]["warnings"]] == [LARGE, UNUSUAL]
    assert bench.get(f"/api/v1/alpha.order/{order['id']}").get_json()["state"] == "confirmed"
    one = bench.post(f"/api/v1/alpha.order/{order['id']}/done", query_string={"acknowledge": LARGE})
    assert one.status_code == 422 and error(one)["details"]["warning_id"] == UNUSUAL
    both = bench.post(f"/api/v1/alpha.order/{order['id']}/done", query_string={"acknowledge": f"{LARGE},{UNUSUAL}"})
    assert both.status_code == 200, both.get_json()
    assert both.get_json()["state"] == "done"


def test_two_warnings_in_one_create_are_listed_together(bench, partner):
    answer = bench.post("/api/v1/alpha.order", json={"partner_id": partner, "lines": [
        {"quantity": "30000", "price": "1"}, {"quantity": "1", "price": "1"}]})
    assert [w["warning_id"] for w in error(answer)["details"]["warnings"]] == [UNUSUAL]  # one id, met twice


def test_unknown_or_malformed_acknowledgements_are_refused(bench, partner):
    lines = [{"quantity": "50000", "price": "1"}]
    for given in (["loomtest_alpha.no_such_warning"], ["nowhere.line_quantity_unusual"], ["plain"], [7]):
        answer = bench.post("/api/v1/alpha.order", json={"partner_id": partner, "lines": lines, "acknowledge": given})
        assert answer.status_code == 422, given
        assert error(answer)["code"] == "invalid_value" and error(answer)["field"] == "acknowledge"
    answer = bench.post("/api/v1/alpha.order", json={"partner_id": partner, "lines": lines, "acknowledge": UNUSUAL})
    assert answer.status_code == 400 and error(answer)["field"] == "acknowledge"
    answer = bench.post("/api/v1/alpha.order/1/done", query_string={"acknowledge": "kernel.nothing_like_it"})
    assert answer.status_code == 422 and error(answer)["field"] == "acknowledge"
