"""As a clerk types an order's lines, the form recomputes each line's subtotal and the order's total
on the server (the on-change protocol), without saving anything; a form page costs the same SQL
statements for 2 lines as for 20."""

from __future__ import annotations

import re
import secrets
from decimal import Decimal

import pytest
from api_bench import statements

from loom_test_support import ROOTS, committed_shop


@pytest.fixture(scope="module")
def shop(database_factory):
    """A committed database with the alpha test module: orders with lines and a stored total."""
    yield from committed_shop(database_factory, "loomtest_alpha")


@pytest.fixture(scope="module")
def app(shop):
    """The shell over ``shop``, the test modules on its path."""
    from loom.kernel.web.app import create_app

    return create_app(shop.url, roots=ROOTS, config={"SECRET_KEY": secrets.token_bytes(32)})


@pytest.fixture
def clerk(make_user, log_in):
    """An alpha clerk who also works on masters (the kernel reads the order's company as the user)."""
    return log_in(make_user("loomtest_alpha.clerk", "base.user")).client


@pytest.fixture(scope="module")
def customer(shop):
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment

    return run_unit_of_work(shop.engine, lambda s: Environment(shop.registry, s, su=True)["base.partner"].create(
        {"name": "Chengdu Pandas Ltd", "is_company": True}).id)


def token(client) -> str:
    with client.session_transaction() as session:
        return session["csrf"]


def order_form(client, customer, lines, **extra):
    data = {"csrf_token": token(client), "name": "/", "partner_id": str(customer), **extra}
    for index, (quantity, price) in enumerate(lines):
        data.update({f"lines-{index}-quantity": quantity, f"lines-{index}-price": price})
    return data


def swapped(html: str, element_id: str) -> Decimal | None:
    """The number shown by the out-of-band element ``element_id`` of an htmx answer."""
    found = re.search(rf'<output id="{re.escape(element_id)}"( [^>]*)>([^<]*)</output>', html)
    if found is None or 'hx-swap-oob="true"' not in found.group(1):
        return None
    return Decimal(found.group(2).replace(",", ""))


def orders(run):
    return run(lambda env: env["alpha.order"].count())


def test_typing_a_quantity_recomputes_the_line_and_the_total_without_saving(clerk, run, customer):
    before = orders(run)
    response = clerk.post("/m/alpha.order/onchange", data=order_form(clerk, customer, [("2", "10.5"), ("1", "4")]),
                          headers={"X-CSRFToken": token(clerk), "HX-Request": "true",
                                   "HX-Trigger-Name": "lines-0-quantity"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert swapped(html, "field-lines-0-subtotal") == Decimal("21")
    assert swapped(html, "field-lines-1-subtotal") == Decimal("4")
    assert swapped(html, "field-amount_total") == Decimal("25")
    assert 'id="field-lines-0-quantity"' not in html  # the input being typed in is left alone
    assert orders(run) == before


def test_a_line_still_being_typed_counts_for_nothing_yet(clerk, run, customer):
    response = clerk.post("/m/alpha.order/onchange", data=order_form(clerk, customer, [("3", "2"), ("5", "")]),
                          headers={"X-CSRFToken": token(clerk), "HX-Trigger-Name": "lines-1-quantity"})
    html = response.get_data(as_text=True)
    assert swapped(html, "field-amount_total") == Decimal("6")
    assert "required" not in html


def test_adding_and_removing_lines_recomputes_the_total(clerk, customer):
    data = order_form(clerk, customer, [("2", "3"), ("1", "100")])
    added = clerk.post("/m/alpha.order/lines?field=lines&action=add", data=data,
                       headers={"X-CSRFToken": token(clerk)}).get_data(as_text=True)
    assert 'name="lines-2-quantity"' in added and swapped(added, "field-amount_total") == Decimal("106")
    removed = clerk.post("/m/alpha.order/lines?field=lines&action=remove&index=1", data=data,
                         headers={"X-CSRFToken": token(clerk)}).get_data(as_text=True)
    assert 'name="lines-1-quantity"' not in removed and swapped(removed, "field-amount_total") == Decimal("6")
    moved = clerk.post("/m/alpha.order/lines?field=lines&action=down&index=0", data=data,
                       headers={"X-CSRFToken": token(clerk)})
    assert moved.status_code == 400  # order lines keep no order: the form offers no Up and Down


def test_a_new_order_belongs_to_the_clerks_company(clerk, run):
    html = clerk.get("/m/alpha.order/new").get_data(as_text=True)
    main = run(lambda env: env["loom.company"].search([], limit=1)[0])
    assert f'name="company_id" value="{main.id}"' in html and f'value="{main.name}"' in html


def test_the_saved_order_has_the_total_the_form_showed(clerk, run, customer):
    response = clerk.post("/m/alpha.order/new", data=order_form(clerk, customer, [("2", "10.5"), ("1", "4")]))
    assert response.status_code == 303
    created = int(response.headers["Location"].rsplit("/", 1)[1])
    total, lines = run(lambda env: (lambda o: (o.amount_total, [(line.quantity, line.price) for line in o.lines]))(
        env["alpha.order"].get(created)))
    assert total == Decimal("25") and len(lines) == 2


def test_an_order_without_its_customer_names_the_field(clerk, run, customer):
    before = orders(run)
    response = clerk.post("/m/alpha.order/new", data=order_form(clerk, customer, [("1", "abc")], partner_id=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="field-partner_id-error"' in html and 'id="field-lines-0-price-error"' in html
    assert orders(run) == before


def test_a_form_page_costs_the_same_statements_for_2_lines_as_for_20(app, clerk, run, customer):
    from loom.kernel.web.state import loom_state

    def order_with(count):
        return run(lambda env: env["alpha.order"].create({"partner_id": customer, "lines": [
            {"quantity": "1", "price": str(n)} for n in range(count)]}).id)

    small, large = order_with(2), order_with(20)
    engine = loom_state(app).engine
    counted = []
    for order in (small, large):
        with statements(engine) as seen:
            assert clerk.get(f"/m/alpha.order/{order}/edit").status_code == 200
        counted.append(len(seen))
    assert counted[0] == counted[1]
