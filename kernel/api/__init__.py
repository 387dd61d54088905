"""The JSON API under ``/api/v1/``: token authentication, records by dotted model name, the error
contract of docs/api.md. :func:`register_api` adds it to an application made by
:func:`loom.kernel.web.app.create_app`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from loom.kernel.errors import BusyError, LoomError

if TYPE_CHECKING:  # Flask is imported when an application is built, not by the kernel's periodic job
    from flask import Flask, Response

log = logging.getLogger(__name__)


def register_api(app: Flask) -> None:
    """Register the ``/api/v1`` blueprint on ``app``: its routes and its one error handler."""
    from flask import Blueprint

    from loom.kernel.api.docs_page import add_docs_page
    from loom.kernel.api.routes import add_routes

    api = Blueprint("api_v1", __name__, url_prefix="/api/v1")
    add_routes(api)
    add_docs_page(api)
    api.register_error_handler(Exception, _error)
    app.register_blueprint(api)


def _error(exc: Exception) -> Response:
    """Every refusal of the API as ``{"error": {...}}`` with its status (see :mod:`.errors`)."""
    from flask import Response, g
    from sqlalchemy.exc import InterfaceError, OperationalError
    from werkzeug.exceptions import HTTPException

    from loom.kernel.api.errors import MalformedRequestError, error_response
    from loom.kernel.api.serialize import dumps

    lang = g.get("loom_lang", "en")
    if isinstance(exc, LoomError):
        return error_response(exc, lang)
    if isinstance(exc, HTTPException):
        code = exc.code or 500
        body = {"error": {"code": (exc.name or "error").lower().replace(" ", "_"), "message": exc.description,
                          "field": None, "details": {}}}
        return Response(dumps(body), status=code, mimetype="application/json")
    if isinstance(exc, (OperationalError, InterfaceError)):  # the database went away: retry later (F3)
        log.warning("API request: database unavailable: %s", exc)
        return error_response(BusyError("kernel.api_database_unavailable"), lang)
    if isinstance(exc, UnicodeDecodeError):  # a query string that is not UTF-8
        return error_response(MalformedRequestError("kernel.api_body_not_utf8", field="query", position=exc.start),
                              lang)
    log.exception("API request failed")
    body = {"error": {"code": "internal_error", "message": "Internal error", "field": None, "details": {}}}
    return Response(dumps(body), status=500, mimetype="application/json")
