"""A module adds its own screens and menu entries to the shell through hooks; its routes are
behind the login and the CSRF check like the kernel's, and its templates extend the shell's."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from loom.kernel.web.app import create_app

_logins = itertools.count(1)
WEB_MODULES = str(Path(__file__).resolve().parent / "web_modules")


@pytest.fixture(scope="module")
def board_app(database_factory):
    """A database with base and the test module ``loomtest_web``, and the shell over it."""
    import sys

    from loom.kernel.db import create_engine
    from loom.kernel.installer import ModuleManager

    sys.path.insert(0, WEB_MODULES)
    url = database_factory()
    engine = create_engine(url)
    try:
        ModuleManager(engine, roots=(WEB_MODULES,)).install(["loomtest_web"])
        yield create_app(url, config={"SECRET_KEY": os.urandom(32)}, roots=(WEB_MODULES,))
    finally:
        engine.dispose()
        sys.path.remove(WEB_MODULES)


def logged_in(app, *roles):
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.users import create_user
    from loom.kernel.web.state import loom_state

    state = loom_state(app)
    login = f"board{next(_logins)}"
    run_unit_of_work(state.engine, lambda session: create_user(
        Environment(state.registry, session, su=True), login, login, "board password", roles=roles))
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    assert client.post("/login", data={"login": login, "password": "board password",
                                       "csrf_token": token}).status_code == 302
    with client.session_transaction() as session:
        return client, session["csrf"]  # login gave the session a new token


def test_a_module_screen_appears_in_the_menu_and_extends_the_shell(board_app):
    client, _ = logged_in(board_app, "kernel.administrator")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/board"' in home
    board = client.get("/board")
    assert board.status_code == 200
    page = board.get_data(as_text=True)
    assert "partners</p>" in page and 'action="/logout"' in page  # the shell's top bar around it


def test_a_module_extends_the_kernels_home_page_without_copying_it(board_app):
    client, _ = logged_in(board_app, "kernel.administrator")
    home = client.get("/").get_data(as_text=True)
    assert "Board teaser from loomtest_web" in home  # the module's block
    assert "Welcome" in home and 'action="/logout"' in home  # the kernel's page around it


def test_a_module_screen_needs_a_login_and_its_posts_the_token(board_app):
    assert board_app.test_client().get("/board").status_code == 302
    client, token = logged_in(board_app)
    assert 'href="/board"' not in client.get("/").get_data(as_text=True)  # may not read partners
    assert client.post("/board/refresh").status_code == 403
    assert client.post("/board/refresh", data={"csrf_token": token}).status_code == 200
