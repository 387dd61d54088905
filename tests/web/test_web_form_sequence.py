"""A seller writes a quote whose lines keep the order given in the form: the line model has a
``sequence`` field, so moving a line up or down and saving stores the new order, and the quote's
total follows its lines; picking the customer proposes a default note."""

from __future__ import annotations

import secrets
import sys
from decimal import Decimal
from pathlib import Path

import pytest

WEB_MODULES = str(Path(__file__).resolve().parent / "web_modules")


@pytest.fixture(scope="module")
def shop(database_factory):
    """A committed database with the test module ``loomtest_forms`` (quotes with ordered lines)."""
    from loom.kernel.db import create_engine
    from loom.kernel.installer import ModuleManager
    from loom_test_support import Installed

    sys.path.insert(0, WEB_MODULES)
    url = database_factory()
    engine = create_engine(url)
    try:
        ModuleManager(engine, roots=(WEB_MODULES,)).install(["loomtest_forms"])
        yield Installed(url, engine, ModuleManager(engine, roots=(WEB_MODULES,)))
    finally:
        engine.dispose()
        sys.path.remove(WEB_MODULES)


@pytest.fixture(scope="module")
def app(shop):
    from loom.kernel.web.app import create_app

    return create_app(shop.url, roots=(WEB_MODULES,), config={"SECRET_KEY": secrets.token_bytes(32)})


@pytest.fixture
def seller(make_user, log_in):
    return log_in(make_user("loomtest_forms.seller")).client


@pytest.fixture(scope="module")
def customer(shop):
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment

    return run_unit_of_work(shop.engine, lambda s: Environment(shop.registry, s, su=True)["base.partner"].create(
        {"name": "Kunming Flowers"}).id)


def token(client) -> str:
    with client.session_transaction() as session:
        return session["csrf"]


def quote_form(client, customer, lines, **extra):
    data = {"csrf_token": token(client), "name": "Q-2026-001", "partner_id": str(customer),
            "quoted_on": "2026-12-05", "note": "Valid 30 days", **extra}
    for index, (description, quantity, price, *line_id) in enumerate(lines):
        data.update({f"line_ids-{index}-description": description, f"line_ids-{index}-quantity": quantity,
                     f"line_ids-{index}-price": price})
        if line_id:
            data[f"line_ids-{index}-id"] = str(line_id[0])
    return data


def stored(run, quote_id):
    def read(env):
        quote = env["forms.quote"].get(quote_id)
        return quote.total, quote.version, [(line.id, line.description, line.sequence) for line in quote.line_ids]

    return run(read)


def test_the_form_shows_a_date_a_note_and_the_lines_without_their_sequence(seller):
    html = seller.get("/m/forms.quote/new").get_data(as_text=True)
    assert 'type="date"' in html and 'name="quoted_on"' in html and '<textarea id="field-note"' in html
    assert 'id="field-total"' in html and 'id="line_ids-add"' in html
    added = seller.post("/m/forms.quote/lines?field=line_ids&action=add", data=quote_form(seller, 1, []),
                        headers={"X-CSRFToken": token(seller)}).get_data(as_text=True)
    assert 'name="line_ids-0-description"' in added and "sequence" not in added


def test_lines_moved_in_the_form_are_saved_in_that_order(seller, run, customer):
    lines = [("Roses", "10", "2.50"), ("Lilies", "5", "4"), ("Delivery", "1", "30")]
    moved = seller.post("/m/forms.quote/lines?field=line_ids&action=up&index=2",
                        data=quote_form(seller, customer, lines),
                        headers={"X-CSRFToken": token(seller)}).get_data(as_text=True)
    assert 'name="line_ids-1-description" value="Delivery"' in moved

    response = seller.post("/m/forms.quote/new", data=quote_form(seller, customer, [lines[0], lines[2], lines[1]]))

    assert response.status_code == 303
    quote = int(response.headers["Location"].rsplit("/", 1)[1])
    total, version, saved = stored(run, quote)
    assert total == Decimal("75.00")
    assert [(description, sequence) for _id, description, sequence in saved] == [
        ("Roses", 10), ("Delivery", 20), ("Lilies", 30)]

    first, second, third = saved
    edited = quote_form(seller, customer, [(first[1], "10", "2.50", first[0]), (third[1], "5", "4", third[0]),
                                           (second[1], "1", "30", second[0])], version=str(version))
    assert seller.post(f"/m/forms.quote/{quote}/edit", data=edited).status_code == 303
    assert [description for _id, description, _seq in stored(run, quote)[2]] == ["Roses", "Lilies", "Delivery"]


def test_picking_the_customer_proposes_a_note_the_seller_has_not_written(seller, customer):
    data = {**quote_form(seller, customer, []), "note": ""}
    html = seller.post("/m/forms.quote/onchange", data=data, headers={
        "X-CSRFToken": token(seller), "HX-Trigger-Name": "partner_id"}).get_data(as_text=True)
    assert '<textarea id="field-note" hx-swap-oob="true" name="note"' in html
    assert "Terms agreed with Kunming Flowers</textarea>" in html
    written = seller.post("/m/forms.quote/onchange", data=quote_form(seller, customer, []), headers={
        "X-CSRFToken": token(seller), "HX-Trigger-Name": "partner_id"}).get_data(as_text=True)
    assert "field-note" not in written  # the seller's own note stays


def test_a_line_added_at_the_end_keeps_the_saved_lines_untouched(seller, run, customer):
    lines = [("Roses", "10", "2.50"), ("Lilies", "5", "4")]
    response = seller.post("/m/forms.quote/new", data=quote_form(seller, customer, lines))
    quote = int(response.headers["Location"].rsplit("/", 1)[1])
    run(lambda env: [env["forms.quote.line"].write([line], {"sequence": number})  # numbered by another channel
                     for line, number in zip(env["forms.quote"].get(quote).line_ids, (5, 7), strict=True)])
    _total, version, saved = stored(run, quote)
    edited = quote_form(seller, customer, [(saved[0][1], "10", "2.50", saved[0][0]),
                                           (saved[1][1], "5", "4", saved[1][0]), ("Ribbon", "1", "3")],
                        version=str(version))
    assert seller.post(f"/m/forms.quote/{quote}/edit", data=edited).status_code == 303
    total, _version, after = stored(run, quote)
    assert [(description, sequence) for _id, description, sequence in after] == [
        ("Roses", 5), ("Lilies", 7), ("Ribbon", 17)]  # the saved lines were not renumbered
    assert total == Decimal("48.00")
