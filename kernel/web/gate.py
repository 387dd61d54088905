"""Default deny: every shell route needs a logged-in user unless its view is marked :func:`public`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, g, redirect, request, url_for

from loom.kernel.web.csrf import is_api_request
from loom.kernel.web.sessions import load_account

F = TypeVar("F", bound=Callable)


def public(view: F) -> F:
    """Mark ``view`` as reachable without logging in (the login page)."""
    view.loom_public = True  # type: ignore[attr-defined]
    return view


def safe_next(target: str | None) -> str:
    """``target`` if it is a same-origin relative path, else ``/`` (W7: ``//evil.example``,
    ``/\\evil.example``, ``https://evil.example`` and ``javascript:`` all go home)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ord(char) < 32 or char == "\\" for char in target):
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


def install_gate(app: Flask) -> None:
    """Load the session's user before each shell request and send anonymous users to the login
    page (401 for htmx and non-GET requests)."""

    @app.before_request
    def _authenticate():
        if is_api_request() or request.endpoint in (None, "static"):
            return None
        g.account = load_account(app)
        view = app.view_functions.get(request.endpoint)
        if g.account is not None or getattr(view, "loom_public", False):
            return None
        if request.method not in ("GET", "HEAD") or request.headers.get("HX-Request"):
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
