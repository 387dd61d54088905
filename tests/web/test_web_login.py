"""Logging in and out: argon2 passwords, a new session at login, a throttle on failures that
treats unknown users like wrong passwords, every event in the audit log, safe redirects (W2, W3,
W6, W7)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

PASSWORD = "correct horse battery"


def audit_rows(run, action):
    def read(env):
        log = env.registry["loom.audit_log"]
        return env.session.scalars(select(log).where(log.action == action).order_by(log.seq)).all()

    return run(read)


def test_a_clerk_logs_in_and_reaches_the_home_page(make_user, log_in):
    login = make_user()
    response = log_in(login)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = response.client.get("/")
    assert home.status_code == 200 and f"Clerk {login}" in home.get_data(as_text=True)


def test_an_anonymous_visitor_is_sent_to_the_login_page(app):
    response = app.test_client().get("/?tab=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/?tab%3D1"
    assert app.test_client().get("/", headers={"HX-Request": "true"}).status_code == 401


def test_the_session_cookie_is_http_only_and_same_site(make_user, log_in):
    cookie = log_in(make_user()).headers["Set-Cookie"]
    assert cookie.startswith("loom_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/" in cookie


def test_over_https_the_cookie_is_secure_with_the_host_prefix(shop, make_user):
    import os

    from loom.kernel.web.app import create_app

    app = create_app(shop.url, config={"SECRET_KEY": os.urandom(32), "LOOM_HTTPS": True})
    client = app.test_client()
    client.get("/login", base_url="https://shop.example")
    with client.session_transaction(base_url="https://shop.example") as session:
        token = session["csrf"]
    response = client.post("/login", base_url="https://shop.example",
                           data={"login": make_user(), "password": PASSWORD, "csrf_token": token})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-loom_session=") and "Secure" in cookie and "HttpOnly" in cookie


def test_login_gives_a_new_session_and_a_new_csrf_token(app, make_user, log_in, csrf):
    client = app.test_client()
    client.get("/login")
    before = csrf(client)
    with client.session_transaction() as session:
        planted = dict(session)
    assert log_in(make_user(), client=client).status_code == 302
    with client.session_transaction() as session:
        assert session["sid"] and session["csrf"] != before and planted.items() - session.items()


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(app, make_user, log_in):
    login, browser = make_user(), app.test_client()
    wrong = log_in(login, password="not the password", client=browser)
    unknown = log_in("nobody-at-all", password="not the password", client=browser)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_data(as_text=True) == unknown.get_data(as_text=True).replace("nobody-at-all", login)
    assert "Wrong login or password" in wrong.get_data(as_text=True)


@pytest.mark.parametrize("login_kind", ["known", "unknown"])
def test_from_the_fifth_failure_each_attempt_waits_a_minute(make_user, log_in, run, login_kind):
    login = make_user() if login_kind == "known" else f"ghost-{make_user()}"
    for _ in range(5):
        assert log_in(login, password="guess").status_code == 401
    throttled = log_in(login)  # even the right password waits
    assert throttled.status_code == 429
    assert 55 <= int(throttled.headers["Retry-After"]) <= 60
    assert "wait a minute" in throttled.get_data(as_text=True)
    failed = [row for row in audit_rows(run, "login.failed") if row.details["login"] == login]
    refused = [row for row in audit_rows(run, "login.throttled") if row.details["login"] == login]
    assert len(failed) == 5 and len(refused) == 1  # every attempt is audited


def test_after_the_wait_the_right_password_works_and_resets_the_count(make_user, log_in, run):
    login = make_user()
    for _ in range(5):
        log_in(login, password="guess")

    def a_minute_passes(env):
        logins = env.registry["loom.web_login"]
        env.session.execute(update(logins).where(logins.login == login)
                            .values(failed_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=61)))

    run(a_minute_passes)
    assert log_in(login).status_code == 302
    assert log_in(login, password="guess").status_code == 401  # counting starts again


def test_logins_failures_and_logouts_are_audited_with_request_id_and_address(make_user, log_in, run, csrf):
    login = make_user()
    failed = log_in(login, password="oops")
    ok = log_in(login)
    client = ok.client
    client.get("/")
    logout = client.post("/logout", data={"csrf_token": csrf(client)})
    assert logout.status_code == 302
    for action, response in (("login.failed", failed), ("login.ok", ok), ("logout", logout)):
        rows = [row for row in audit_rows(run, action) if row.details.get("request_id") ==
                response.headers["X-Request-Id"]]
        assert len(rows) == 1, action
        assert rows[0].details["ip"] == "127.0.0.1"
        assert rows[0].actor_login == login
    assert all(PASSWORD not in str(row.details) for row in audit_rows(run, "login.failed"))


def test_a_failed_login_of_an_unknown_user_is_audited_by_name(log_in, run):
    response = log_in("mallory-probe", password="x" * 10)
    rows = [row for row in audit_rows(run, "login.failed")
            if row.details["request_id"] == response.headers["X-Request-Id"]]
    assert [(row.actor_id, row.details["login"]) for row in rows] == [(None, "mallory-probe")]


@pytest.mark.parametrize("target, lands", [
    ("/m/base.partner?page=2", "/m/base.partner?page=2"),
    ("//evil.example", "/"), ("/\\evil.example", "/"), ("https://evil.example", "/"),
    ("javascript:alert(1)", "/"), ("/%0d%0aLocation:%20x", "/%0d%0aLocation:%20x"), ("", "/"),
])
def test_after_login_only_same_origin_paths_are_followed(make_user, log_in, target, lands):
    assert log_in(make_user(), next=target).headers["Location"] == lands


def test_a_forged_forwarded_address_is_ignored_unless_a_proxy_is_configured(shop, make_user, run):
    import os

    from loom.kernel.web.app import create_app

    def audited_ip(app):
        client = app.test_client()
        client.get("/login")
        with client.session_transaction() as session:
            token = session["csrf"]
        response = client.post("/login", headers={"X-Forwarded-For": "203.0.113.9"},
                               data={"login": make_user(), "password": PASSWORD, "csrf_token": token})
        rows = [row for row in audit_rows(run, "login.ok") if row.details["request_id"] ==
                response.headers["X-Request-Id"]]
        return rows[0].details["ip"]

    key = os.urandom(32)
    assert audited_ip(create_app(shop.url, config={"SECRET_KEY": key})) == "127.0.0.1"
    assert audited_ip(create_app(shop.url, config={"SECRET_KEY": key, "LOOM_PROXY_HOPS": 1})) == "203.0.113.9"
