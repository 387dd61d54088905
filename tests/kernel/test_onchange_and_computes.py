"""Computed fields and the on-change protocol.

Stories: a clerk types two lines on a draft order and sees the total before saving, and nothing
is saved; saving stores the same totals; editing a line's quantity later recomputes the order.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from loom.kernel.errors import UnknownFieldError, ValidationError


@pytest.fixture
def partner(test_modules_env):
    return test_modules_env["base.partner"].create({"name": "Draft Buyer Ltd."})


def test_a_draft_is_recomputed_without_saving(test_modules_env, partner):
    orders, lines = test_modules_env["alpha.order"], test_modules_env["alpha.order.line"]
    before, lines_before = orders.count(), lines.count()
    draft = {"partner_id": partner.id, "lines": [{"quantity": "2", "price": "9.99"},
                                                  {"quantity": "0.5", "price": "100"}]}
    result = orders.onchange(draft, "lines")
    assert result["amount_total"] == Decimal("69.9800")
    assert [line["subtotal"] for line in result["lines"]] == [Decimal("19.9800"), Decimal("50.0000")]
    assert orders.count() == before
    assert lines.count() == lines_before


def test_onchange_refuses_unknown_fields_and_bad_values(test_modules_env, partner):
    orders = test_modules_env["alpha.order"]
    with pytest.raises(UnknownFieldError):
        orders.onchange({"partner_id": partner.id, "colour": "red"}, "partner_id")
    with pytest.raises(ValidationError) as caught:
        orders.onchange({"partner_id": partner.id, "lines": [{"quantity": 1.5, "price": "1"}]}, "lines")
    assert caught.value.field == "quantity"


def test_stored_totals_follow_their_lines(test_modules_env, partner):
    orders = test_modules_env["alpha.order"]
    order = orders.create({"partner_id": partner.id, "lines": [{"quantity": "3", "price": "9.99"}]})
    assert order.amount_total == Decimal("29.9700")
    line = order.lines[0]
    orders.write([order], {"lines": {"update": [{"id": line.id, "quantity": "4"}],
                                     "create": [{"quantity": "1", "price": "0.03"}]}})
    assert line.subtotal == Decimal("39.9600")
    assert order.amount_total == Decimal("39.9900")
    test_modules_env["alpha.order.line"].write([line], {"price": "10"})
    assert order.amount_total == Decimal("40.0300")  # a line edited on its own updates its order
    orders.write([order], {"lines": {"delete": [line.id]}})
    assert order.amount_total == Decimal("0.0300")


def test_lines_of_another_order_cannot_be_touched(test_modules_env, partner):
    orders = test_modules_env["alpha.order"]
    first = orders.create({"partner_id": partner.id, "lines": [{"quantity": "1", "price": "1"}]})
    second = orders.create({"partner_id": partner.id, "lines": [{"quantity": "1", "price": "2"}]})
    with pytest.raises(ValidationError) as caught:
        orders.write([second], {"lines": {"delete": [first.lines[0].id]}})
    assert caught.value.field == "lines"
    assert len(first.lines) == 1


def test_computed_fields_cannot_be_written_by_clients(test_modules_env, partner):
    with pytest.raises(UnknownFieldError) as caught:
        test_modules_env["alpha.order"].create({"partner_id": partner.id, "amount_total": "1000000"})
    assert caught.value.field == "amount_total"
