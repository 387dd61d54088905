"""CSRF protection: every state-changing request of the cookie-authenticated shell carries the
session's token, as a form field ``csrf_token`` or an ``X-CSRFToken`` header (htmx); 403 otherwise
(W4). The JSON API under ``/api/`` authenticates with Bearer tokens and no cookie, so it is exempt."""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session

#: Methods that change nothing and need no token.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Form field and header that carry the token.
FIELD, HEADER = "csrf_token", "X-CSRFToken"


def csrf_token() -> str:
    """The current session's CSRF token (created with the session if it has none)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def is_api_request() -> bool:
    """Whether the request is for the JSON API (Bearer tokens, no cookies)."""
    return request.path == "/api" or request.path.startswith("/api/")


def install_csrf(app: Flask) -> None:
    """Refuse state-changing shell requests whose token is missing or not the session's."""
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.before_request
    def _check_csrf_token() -> None:
        if request.method in SAFE_METHODS or is_api_request():
            return
        sent = request.headers.get(HEADER) or request.form.get(FIELD) or ""
        expected = session.get("csrf") or ""
        if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            abort(403)
