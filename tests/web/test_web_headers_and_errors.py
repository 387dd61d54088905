"""Every response carries the security headers and a request id; errors show only that id (W5, W7)."""

from __future__ import annotations

import os

import pytest

from loom.kernel.errors import BusyError
from loom.kernel.web.app import create_app
from loom.kernel.web.gate import public

CSP = "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'"


@pytest.fixture(scope="module")
def breaking_app(shop):
    """An application with a public page that fails with a database error."""
    app = create_app(shop.url, config={"SECRET_KEY": os.urandom(32)})

    @public
    def explode():
        raise RuntimeError("SELECT secret FROM /srv/loom/config.py")

    @public
    def busy():
        raise BusyError("kernel.busy", attempts=5)

    app.add_url_rule("/explode", "explode", explode)
    app.add_url_rule("/busy", "busy", busy)
    return app


@pytest.mark.parametrize("path", ["/login", "/no-such-page", "/explode", "/api/v1/health", "/api/nothing-here",
                                  "/static/loom.css", "/"])
def test_every_response_carries_the_security_headers(breaking_app, path):
    response = breaking_app.test_client().get(path)
    assert response.headers["Content-Security-Policy"] == CSP
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert len(response.headers["X-Request-Id"]) == 16
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_is_sent_over_https(breaking_app):
    response = breaking_app.test_client().get("/login", base_url="https://shop.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_crash_shows_only_the_request_id(breaking_app):
    response = breaking_app.test_client().get("/explode")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert response.headers["X-Request-Id"] in body
    assert "Traceback" not in body and "SELECT" not in body and "/srv/" not in body and ".py" not in body


def test_a_busy_database_answers_503_with_retry_after(breaking_app):
    response = breaking_app.test_client().get("/busy")
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert "try again" in response.get_data(as_text=True)


def test_an_api_error_is_json_with_the_request_id(breaking_app):
    response = breaking_app.test_client().get("/api/nothing-here")
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["details"]["request_id"] == response.headers["X-Request-Id"]


def test_no_debug_or_database_management_route_is_reachable(app):
    rules = [rule.rule for rule in app.url_map.iter_rules()]
    assert not [rule for rule in rules if any(word in rule for word in ("database", "debug", "console", "/db"))]
    assert app.debug is False
    assert app.test_client().get("/console").status_code == 404


def test_each_request_gets_its_own_id(app):
    client = app.test_client()
    assert client.get("/login").headers["X-Request-Id"] != client.get("/login").headers["X-Request-Id"]
