"""The shell's routes are a reviewed list: each one is public or needs a login, and a new route
fails this test until it is added here (A5). Anonymous visitors reach only the public ones."""

from __future__ import annotations

import pytest

#: (rule, methods, access) of every shell route. Review a change here like a change of permissions.
REVIEWED = {
    ("/", "GET", "login"),
    ("/login", "GET POST", "public"),
    ("/logout", "POST", "login"),
    ("/preferences/lang", "POST", "login"),
    ("/preferences", "GET", "login"),
    ("/preferences", "POST", "login"),
    ("/preferences/password", "POST", "login"),
    ("/m/<model>", "GET", "login"),
    ("/m/<model>/<int:record_id>", "GET", "login"),
    ("/m/<model>/new", "GET", "login"),
    ("/m/<model>/new", "POST", "login"),
    ("/m/<model>/<int:record_id>/edit", "GET", "login"),
    ("/m/<model>/<int:record_id>/edit", "POST", "login"),
    ("/m/<model>/onchange", "POST", "login"),
    ("/m/<model>/lines", "POST", "login"),
    ("/m/<model>/autocomplete", "GET", "login"),
    ("/m/<model>/<int:record_id>/transition/<name>", "POST", "login"),
    ("/m/<model>/<int:record_id>/approve", "POST", "login"),
    ("/m/<model>/<int:record_id>/reject", "POST", "login"),
    ("/m/<model>/<int:record_id>/notes", "POST", "login"),
    ("/m/<model>/<int:record_id>/activities", "POST", "login"),
    ("/m/<model>/<int:record_id>/activities/<int:activity_id>/done", "POST", "login"),
    ("/m/<model>/<int:record_id>/attachments", "POST", "login"),
    ("/m/<model>/<int:record_id>/attachments/<int:attachment_id>", "GET", "login"),
    ("/m/<model>/<int:record_id>/print", "GET", "login"),
    ("/m/<model>/kanban", "GET", "login"),
    ("/m/<model>/kanban/move", "POST", "login"),
    ("/m/<model>/export", "POST", "login"),
    ("/static/<path:filename>", "GET", "public"),
}


def shell_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            continue  # the JSON API keeps its own reviewed list
        view = app.view_functions[rule.endpoint]
        access = "public" if rule.endpoint == "static" or getattr(view, "loom_public", False) else "login"
        yield rule, " ".join(sorted(rule.methods - {"HEAD", "OPTIONS"})), access


def test_every_shell_route_is_reviewed(app):
    assert {(rule.rule, methods, access) for rule, methods, access in shell_routes(app)} == REVIEWED


@pytest.mark.parametrize("path, method", [("/", "GET"), ("/logout", "POST"), ("/preferences/lang", "POST"),
                                          ("/preferences", "GET"), ("/preferences", "POST"),
                                          ("/preferences/password", "POST"),
                                          ("/m/base.partner", "GET"), ("/m/base.partner/1", "GET")])
def test_an_anonymous_visitor_reaches_no_route_that_needs_a_login(app, path, method, csrf):
    client = app.test_client()
    client.get("/login")
    response = client.open(path, method=method, data={"csrf_token": csrf(client)})
    assert response.status_code in (302, 401)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login?next=")


def test_no_get_changes_the_database(app, shop, make_user, log_in):
    from sqlalchemy import MetaData, select

    from loom.kernel.db import run_unit_of_work

    def snapshot():
        """Every row of every table (a row-count and content checksum in one)."""
        def rows(session):
            metadata = MetaData()
            metadata.reflect(session.connection())
            return {name: sorted(map(repr, session.execute(select(table)).all()))
                    for name, table in metadata.tables.items()}

        return run_unit_of_work(shop.engine, rows, write=False)

    browser = log_in(make_user("kernel.administrator", "kernel.auditor")).client
    before = snapshot()
    for path in ("/", "/login", "/m/base.partner", "/m/base.partner?q=x&page=1", "/m/loom.audit_log",
                 "/m/loom.user/1", "/logout", "/preferences/lang?lang=zh_CN", "/preferences",
                 "/preferences?lang=zh_CN&tz=UTC", "/no-such-page"):
        browser.get(path)
    app.test_client().get("/login")
    assert snapshot() == before
    assert "Audit log" in browser.get("/").get_data(as_text=True)  # still English, still logged in
