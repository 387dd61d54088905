"""Fixtures of the web shell's stories: a committed database with base, an application over it,
users made on demand and a browser-like client that logs in."""

from __future__ import annotations

import itertools
import secrets
import sys
from pathlib import Path

import pytest

from loom_test_support import committed_shop

PASSWORD = "correct horse battery"
#: The web test modules (loomtest_web, loomtest_buy, loomtest_forms).
WEB_MODULES = str(Path(__file__).resolve().parent / "web_modules")
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def shop(database_factory):
    """A database of this test file's own with base installed (logins really commit)."""
    yield from committed_shop(database_factory, "base")


@pytest.fixture(scope="module")
def app(shop):
    """The web shell over ``shop`` with a random secret key."""
    from loom.kernel.web.app import create_app

    return create_app(shop.url, config={"SECRET_KEY": secrets.token_bytes(32)})


@pytest.fixture
def run(shop):
    """``run(work)``: run ``work(env)`` as superuser in one committed unit of work."""
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment

    def go(work, *, uid=None):
        return run_unit_of_work(shop.engine, lambda session: work(
            Environment(shop.registry, session, uid=uid) if uid else Environment(shop.registry, session, su=True)))

    return go


@pytest.fixture
def make_user(run):
    """``make_user(*roles, lang="en")``: a new user with a unique login and :data:`PASSWORD`."""
    from loom.kernel.users import create_user

    def make(*roles, lang="en"):
        login = f"clerk{next(_numbers)}_{secrets.token_hex(3)}"
        run(lambda env: create_user(env, login, f"Clerk {login}", PASSWORD, roles=roles, lang=lang))
        return login

    return make


def csrf_of(client) -> str:
    """The CSRF token of ``client``'s session (after a page that renders a form)."""
    with client.session_transaction() as session:
        return session["csrf"]


@pytest.fixture
def log_in(app):
    """``log_in(login, password=PASSWORD, client=None, next=None)``: the login POST's response
    (on a new client unless one is given); the client is ``response.client``."""

    def go(login, password=PASSWORD, client=None, next=None):
        client = client or app.test_client()
        client.get("/login")
        data = {"login": login, "password": password, "csrf_token": csrf_of(client)}
        if next is not None:
            data["next"] = next
        response = client.post("/login", data=data)
        response.client = client
        return response

    return go


@pytest.fixture
def csrf():
    """``csrf(client)``: the token a page gave ``client``."""
    return csrf_of



@pytest.fixture(scope="module")
def buy_threshold():
    """The amount over which buy's purchases wait for a purchase manager (None: no approval rule);
    a test file overrides this fixture to set one."""
    return None


@pytest.fixture(scope="module")
def buy(database_factory, buy_threshold):
    """The shell over base and buy: purchases with a workflow, tasks on stages, a partner sheet that
    extends base's."""
    sys.path.insert(0, WEB_MODULES)
    from loomtest_buy.testing import approval_threshold, buy_app

    try:
        for app in buy_app(database_factory, (WEB_MODULES,)):
            if buy_threshold is not None:
                approval_threshold(app, buy_threshold)
            yield app
    finally:
        sys.path.remove(WEB_MODULES)


@pytest.fixture(scope="module")
def story(buy):
    """The builders of loomtest_buy (imported once the module folder is on the path)."""
    from loomtest_buy import testing

    return testing
