"""The JSON API's error contract: every refusal is ``{"error": {"code", "message", "field", "details"}}``
with the HTTP status of its :class:`~loom.kernel.errors.LoomError` class.

The kernel's vocabulary (``kernel/errors.py``) already carries ``code`` and ``http_status``; the
classes here add what only HTTP has (401, 413, 429, a malformed request, a reused idempotency key).
:func:`error_response` is the one place that turns an error into a response.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loom.kernel.api.serialize import dumps
from loom.kernel.errors import LoomError

if TYPE_CHECKING:
    from flask import Response

#: Seconds a client should wait before retrying a busy or timed-out (503) answer.
RETRY_AFTER_SECONDS = 1


class AuthenticationError(LoomError):
    """No token, an unknown or revoked token, or a wrong login or password (one body for all)."""

    code = "unauthenticated"
    http_status = 401


class MalformedRequestError(LoomError):
    """The request cannot be read: a body that is not JSON or UTF-8, a bad query parameter."""

    code = "malformed_request"
    http_status = 400


class PayloadTooLargeError(LoomError):
    """The body is over the configured limit (``LOOM_API_MAX_BODY``, 1 MB by default)."""

    code = "payload_too_large"
    http_status = 413


class IdempotencyKeyReusedError(LoomError):
    """An ``Idempotency-Key`` already answered a request with another body or route."""

    code = "idempotency_key_reused"
    http_status = 409


class ThrottledError(LoomError):
    """Too many failed attempts: wait ``retry_after`` seconds (sent as ``Retry-After``)."""

    code = "throttled"
    http_status = 429


class RouteMissingError(LoomError):
    """No API route answers this method and path."""

    code = "not_found"
    http_status = 404


def error_body(error: LoomError, lang: str = "en") -> dict[str, Any]:
    """The JSON body of ``error``: its code, translated message, field and JSON-safe details."""
    return {"error": error.as_dict(lang)}


def error_response(error: LoomError, lang: str = "en") -> Response:
    """The HTTP response of ``error`` (503 answers, busy or timed out, and 429 answers carry ``Retry-After``)."""
    from flask import Response

    status = error.http_status if 400 <= error.http_status < 600 else 500
    response = Response(dumps(error_body(error, lang)), status=status, mimetype="application/json")
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    elif isinstance(error, ThrottledError):
        response.headers["Retry-After"] = str(error.params["retry_after"])
    return response
