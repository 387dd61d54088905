"""Sessions end when they should: logout, a password change and a role change end every session
of the user; an idle or old session is over (W3). State-changing requests need the session's CSRF
token (W4)."""

from __future__ import annotations

import time

import pytest

from loom.kernel.users import change_roles, find_user, set_password


def is_logged_in(client) -> bool:
    return client.get("/").status_code == 200


def test_logout_ends_every_session_of_the_user(make_user, log_in, csrf):
    login = make_user()
    office, laptop = log_in(login).client, log_in(login).client
    office.get("/")
    office.post("/logout", data={"csrf_token": csrf(office)})
    assert not is_logged_in(office) and not is_logged_in(laptop)
    assert is_logged_in(log_in(login).client)


def test_a_stolen_cookie_is_worthless_after_logout(app, make_user, log_in, csrf):
    browser = log_in(make_user()).client
    cookie = browser.get_cookie("loom_session").value
    browser.get("/")
    browser.post("/logout", data={"csrf_token": csrf(browser)})
    thief = app.test_client()
    thief.set_cookie("loom_session", cookie)
    assert thief.get("/", headers={"HX-Request": "true"}).status_code == 401


def test_a_password_change_ends_every_session(make_user, log_in, run):
    login = make_user()
    browser = log_in(login).client
    run(lambda env: set_password(env, find_user(env, login), "a brand new password"))
    assert not is_logged_in(browser)
    assert log_in(login, password="a brand new password").status_code == 302


def test_a_role_change_ends_the_session(make_user, log_in, run):
    login = make_user()
    browser = log_in(login).client
    run(lambda env: change_roles(env, find_user(env, login), ["kernel.auditor"], grant=True))
    assert not is_logged_in(browser)


def test_a_deactivated_user_is_logged_out(make_user, log_in, run):
    login = make_user()
    browser = log_in(login).client
    run(lambda env: env["loom.user"].write([find_user(env, login)], {"active": False}))
    assert not is_logged_in(browser)


@pytest.mark.parametrize("idle, age, alive", [(29 * 60, 60 * 60, True), (31 * 60, 60 * 60, False),
                                              (60, 12 * 3600 + 1, False)])
def test_idle_and_absolute_timeouts(make_user, log_in, idle, age, alive):
    browser = log_in(make_user()).client
    now = int(time.time())
    with browser.session_transaction() as session:
        session["seen"], session["born"] = now - idle, now - age
    assert is_logged_in(browser) is alive


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_a_post_without_the_session_token_is_refused(make_user, log_in, token):
    browser = log_in(make_user()).client
    data = {} if token is None else {"csrf_token": token}
    assert browser.post("/logout", data=data).status_code == 403
    assert is_logged_in(browser)


def test_another_sessions_token_is_refused(make_user, log_in, csrf):
    mine, theirs = log_in(make_user()).client, log_in(make_user()).client
    mine.get("/")
    theirs.get("/")
    assert mine.post("/logout", data={"csrf_token": csrf(theirs)}).status_code == 403
    assert is_logged_in(mine)


def test_htmx_sends_the_token_in_a_header(make_user, log_in, csrf):
    browser = log_in(make_user()).client
    browser.get("/")
    response = browser.post("/logout", headers={"X-CSRFToken": csrf(browser), "HX-Request": "true"})
    assert response.status_code == 302 and not is_logged_in(browser)


def test_the_login_form_itself_needs_the_token(app, make_user):
    response = app.test_client().post("/login", data={"login": make_user(), "password": "correct horse battery"})
    assert response.status_code == 403


def test_logout_is_not_reachable_by_get(make_user, log_in):
    browser = log_in(make_user()).client
    assert browser.get("/logout").status_code == 405
    assert is_logged_in(browser)
