"""The application factory: ``create_app(database_url)`` gives a Flask application over that
database, with the JSON API and the web shell's blueprints registered."""

from __future__ import annotations

from typing import Any

from flask import Flask

from loom.kernel.db import create_engine, database_url_from_env
from loom.kernel.errors import ModuleError
from loom.kernel.installer import ModuleManager
from loom.kernel.web.state import EXTENSION, LoomState


def create_app(database_url: str | None = None, *, config: dict[str, Any] | None = None,
               roots: tuple[str, ...] = ()) -> Flask:
    """A Flask application serving the database at ``database_url`` (default ``LOOM_DATABASE_URL``).

    ``config`` updates Flask's configuration; ``roots`` are extra module folders (test modules).
    A database without Loom installed is refused with the same message as the CLI's."""
    url = database_url or database_url_from_env()
    engine = create_engine(url)
    manager = ModuleManager(engine, roots=roots)
    installed = manager.installed()
    if not installed:
        raise ModuleError("kernel.database_not_initialized", database=url)
    app = Flask("loom.kernel.web")
    app.config.update(config or {})
    app.extensions[EXTENSION] = LoomState(engine, manager.registry(installed))
    from loom.kernel.api import register_api

    register_api(app)
    return app
