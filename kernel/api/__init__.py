"""The JSON API under ``/api/v1/``: token authentication, records by dotted model name, the error
contract of docs/api.md. :func:`register_api` adds it to an application made by
:func:`loom.kernel.web.app.create_app`."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify


def register_api(app: Flask) -> None:
    """Register the ``/api/v1`` blueprint on ``app``."""
    api = Blueprint("api_v1", __name__, url_prefix="/api/v1")

    @api.get("/health")
    def health():
        """Whether the application answers (no database access, no authentication)."""
        return jsonify({"status": "ok"})

    app.register_blueprint(api)
