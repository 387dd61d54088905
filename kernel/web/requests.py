"""Every request gets an id (``X-Request-Id``) and every response the security headers (W5)."""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request

#: The content security policy: our own files only, no inline script, no plugins, no framing.
CSP = "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'"
#: One year, as HSTS preload lists ask.
HSTS = "max-age=31536000; includeSubDomains"


def request_id() -> str:
    """The id of the request being handled (also sent back as ``X-Request-Id``)."""
    if "request_id" not in g:
        g.request_id = secrets.token_hex(8)
    return g.request_id


def client_ip() -> str | None:
    """The address the request came from (the proxy's, unless a proxy fix is configured)."""
    return request.remote_addr


def served_over_https(app: Flask) -> bool:
    """Whether this request arrived over HTTPS (or the application is configured as served behind it)."""
    return request.is_secure or bool(app.config.get("LOOM_HTTPS"))


def install_request_headers(app: Flask) -> None:
    """Give every request an id and every response, errors included, the security headers."""

    @app.before_request
    def _assign_request_id() -> None:
        request_id()

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers["X-Request-Id"] = request_id()
        response.headers.setdefault("Content-Security-Policy", CSP)  # a page may carry its own (the API docs)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if served_over_https(app):
            response.headers["Strict-Transport-Security"] = HSTS
        return response
