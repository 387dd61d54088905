"""Fixtures of the API tests: one committed alpha database per test module, served by the Flask
test client, with people holding tokens (each request commits, so the data must be committed too)."""

from __future__ import annotations

import secrets

import pytest
from api_bench import PASSWORD, PEOPLE, Bench

from loom_test_support import ROOTS, committed_shop


@pytest.fixture(scope="module")
def shop(database_factory):
    """A committed database of its own with alpha (and base) installed."""
    yield from committed_shop(database_factory, "loomtest_alpha")


@pytest.fixture(scope="module")
def bench(shop):
    """The application over ``shop`` with :data:`PEOPLE` and their tokens."""
    from loom.kernel.api.tokens import create_token
    from loom.kernel.users import create_user
    from loom.kernel.web.app import create_app

    item = Bench(shop, create_app(shop.url, roots=ROOTS, config={"SECRET_KEY": secrets.token_hex(32)}), {})

    def people(env):
        for login, roles in PEOPLE.items():
            user = create_user(env, login, login.title(), PASSWORD, roles=roles)
            item.tokens[login] = create_token(env, user, "bench")[1]

    item.unit(people)
    return item
