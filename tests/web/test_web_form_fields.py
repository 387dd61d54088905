"""A field restricted to some roles is absent from the form of everyone else, and a value sent for
it anyway is ignored (no mass assignment through the form)."""

from __future__ import annotations

import secrets

import pytest

from loom_test_support import ROOTS, committed_shop


@pytest.fixture(scope="module")
def shop(database_factory):
    """A committed database with support tickets, whose internal note only support staff see."""
    yield from committed_shop(database_factory, "loomtest_beta")


@pytest.fixture(scope="module")
def app(shop):
    from loom.kernel.web.app import create_app

    return create_app(shop.url, roots=ROOTS, config={"SECRET_KEY": secrets.token_bytes(32)})


@pytest.fixture(scope="module")
def customer(shop):
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment

    return run_unit_of_work(shop.engine, lambda s: Environment(shop.registry, s, su=True)["base.partner"].create(
        {"name": "Dalian Harbour Ltd"}).id)


def token(client) -> str:
    with client.session_transaction() as session:
        return session["csrf"]


def test_an_agent_never_sees_nor_sets_the_internal_note(make_user, log_in, run, customer):
    agent = log_in(make_user("loomtest_beta.agent")).client
    assert 'name="internal_note"' not in agent.get("/m/beta.ticket/new").get_data(as_text=True)
    response = agent.post("/m/beta.ticket/new", data={"csrf_token": token(agent), "subject": "Crane stuck",
                                                      "partner_id": str(customer), "internal_note": "planted"})
    assert response.status_code == 303
    ticket = int(response.headers["Location"].rsplit("/", 1)[1])
    assert run(lambda env: env["beta.ticket"].get(ticket).internal_note) is None


def test_support_staff_edit_the_internal_note(make_user, log_in, run, customer):
    ticket = run(lambda env: env["beta.ticket"].create({"subject": "Late ship", "partner_id": customer}).id)
    support = log_in(make_user("loomtest_beta.support", "loomtest_beta.agent")).client
    page = support.get(f"/m/beta.ticket/{ticket}/edit").get_data(as_text=True)
    assert '<textarea id="field-internal_note" name="internal_note"' in page
    response = support.post(f"/m/beta.ticket/{ticket}/edit", data={
        "csrf_token": token(support), "version": "1", "subject": "Late ship", "partner_id": str(customer),
        "internal_note": "Call the captain"})
    assert response.status_code == 303
    assert run(lambda env: env["beta.ticket"].get(ticket).internal_note) == "Call the captain"
