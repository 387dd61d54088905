"""Builders for the web stories over buy: the shell over a database with buy installed, users
with roles, logged-in browsers, and documents made as the superuser."""

from __future__ import annotations

import itertools
import os
from decimal import Decimal

PASSWORD = "buy story password"
_logins = itertools.count(1)


def buy_app(database_factory, roots):
    """Yield the shell over a new database with base and buy installed (``roots``: module folders)."""
    from loom.kernel.db import create_engine
    from loom.kernel.installer import ModuleManager
    from loom.kernel.web.app import create_app

    url = database_factory()
    engine = create_engine(url)
    try:
        ModuleManager(engine, roots=roots).install(["loomtest_buy"])
        yield create_app(url, config={"SECRET_KEY": os.urandom(32)}, roots=roots)
    finally:
        engine.dispose()


def as_superuser(app, work):
    """Run ``work(env)`` as the superuser in one committed unit of work; return its result."""
    from loom.kernel.web.state import loom_state

    return loom_state(app).run(None, work)


def browser(app, *roles, lang="en"):
    """A client logged in as a new user holding ``roles``; its ``login`` attribute names the user."""
    from loom.kernel.users import create_user

    login = f"buyer{next(_logins)}_{os.urandom(3).hex()}"
    as_superuser(app, lambda env: create_user(env, login, f"User {login}", PASSWORD, roles=roles, lang=lang))
    client = app.test_client()
    client.get("/login")
    response = client.post("/login", data={"login": login, "password": PASSWORD, "csrf_token": token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)
    client.login = login
    return client


def token(client):
    """The CSRF token of ``client``'s session."""
    with client.session_transaction() as session:
        return session["csrf"]


def post(client, path, **data):
    """POST ``data`` to ``path`` with the session's CSRF token."""
    return client.post(path, data={"csrf_token": token(client), **data})


def purchase(app, name, amount, *, lines=0):
    """A draft purchase request for ``amount`` with ``lines`` lines; its id."""
    def make(env):
        request = env["buy.request"].create({"name": name, "amount_total": Decimal(amount)})
        if lines:
            env["buy.request.line"].create([{"request_id": request.id, "description": f"{name} line {n}"}
                                            for n in range(lines)])
        return request.id

    return as_superuser(app, make)


def approval_threshold(app, amount):
    """Submitting a purchase over ``amount`` waits for a purchase manager's approval."""
    from loom.kernel.workflow import add_rule

    as_superuser(app, lambda env: add_rule(env, {"model": "buy.request", "transition": "submit",
                                                 "amount_field": "amount_total", "threshold": str(amount),
                                                 "role": "loomtest_buy.manager"}))
