"""Error responses: a page that shows only the request id (never a traceback, SQL or path), or the
JSON error contract for ``/api/`` (W7)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template
from werkzeug.exceptions import HTTPException

from loom.kernel.db import is_database_unreachable
from loom.kernel.errors import LoomError
from loom.kernel.request_deadline import RequestTimeoutError
from loom.kernel.web.csrf import is_api_request
from loom.kernel.web.requests import request_id
from loom.kernel.web.texts import current_lang, text

log = logging.getLogger(__name__)
#: Statuses with a message of their own (others say "the request failed").
KNOWN_STATUSES = frozenset({400, 401, 403, 404, 405, 413, 429, 500, 503})
#: Seconds a client should wait before retrying a 503 (a busy or unreachable database).
RETRY_AFTER_SECONDS = 1


def error_response(status: int, message: str | None = None, *, code: str | None = None,
                   field: str | None = None, headers: dict[str, Any] | None = None) -> Response:
    """A ``status`` response with ``message`` (default: the status's own) and the request id."""
    message = message or text(f"web_error_{status}" if status in KNOWN_STATUSES else "web_error_other")
    if is_api_request():
        body = {"error": {"code": code or f"http_{status}", "message": message, "field": field,
                          "details": {"request_id": request_id()}}}
        response = jsonify(body)
    else:
        response = Response(render_template("error.html", status=status, message=message, request_id=request_id()))
    response.status_code = status
    response.headers.update(headers or {})
    return response


def install_error_pages(app: Flask) -> None:
    """Answer every error, expected or not, with :func:`error_response`."""

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        headers = dict(exc.get_headers()) if exc.code == 405 else {}
        return error_response(exc.code or 500, headers={k: v for k, v in headers.items() if k == "Allow"})

    @app.errorhandler(LoomError)
    def _loom_error(exc: LoomError) -> Response:
        if isinstance(exc, RequestTimeoutError):  # rolled back: the page says so and the client may retry
            log.warning("request %s ran out of time and was rolled back", request_id())
            return error_response(503, exc.message(current_lang()), code=exc.code,
                                  headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        if exc.http_status >= 500:
            log.error("request %s failed: %s", request_id(), exc.message_id, exc_info=exc)
            retry = {"Retry-After": str(RETRY_AFTER_SECONDS)} if exc.http_status == 503 else None
            return error_response(exc.http_status, headers=retry)
        return error_response(exc.http_status, exc.message(current_lang()), code=exc.code, field=exc.field)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if is_database_unreachable(exc):  # F3: the pool reconnects by itself; the client retries
            log.warning("request %s: database unreachable: %s", request_id(), exc)
            return error_response(503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        log.error("request %s failed", request_id(), exc_info=exc)
        return error_response(500)
