"""The application factory: ``create_app(database_url)`` gives a Flask application over that
database, with the JSON API and the web shell's blueprints registered."""

from __future__ import annotations

import os
from itertools import chain
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from loom.kernel.db import create_engine, database_url_from_env
from loom.kernel.errors import ModuleError
from loom.kernel.installer import ModuleManager
from loom.kernel.web.deadline import request_timeout
from loom.kernel.web.state import EXTENSION, LoomState
from loom.kernel.web.template_loader import module_template_loader

#: The session cookie's name over plain HTTP, and over HTTPS (where the ``__Host-`` prefix pins it
#: to this host, path ``/`` and Secure).
COOKIE, SECURE_COOKIE = "loom_session", "__Host-loom_session"
#: The largest request body accepted (413 beyond).
MAX_BODY = 16 * 1024 * 1024


def create_app(database_url: str | None = None, *, config: dict[str, Any] | None = None,
               roots: tuple[str, ...] = ()) -> Flask:
    """A Flask application serving the database at ``database_url`` (default ``LOOM_DATABASE_URL``).

    ``config`` updates Flask's configuration; ``roots`` are extra module folders (test modules).
    The secret key is ``config["SECRET_KEY"]``, else ``LOOM_SECRET_KEY``, else the key file beside
    the database (``loom serve`` creates it); a missing, short or default key is refused, and so is
    a database without Loom installed, with the same message as the CLI's. ``LOOM_HTTPS=1`` (or
    ``config["LOOM_HTTPS"]``) says the application is served over HTTPS: Secure ``__Host-`` cookie
    and HSTS. ``LOOM_PROXY_HOPS=N`` trusts the ``X-Forwarded-*`` headers of N reverse proxies (the
    client's address and scheme); without it they are ignored, so a client cannot forge its IP."""
    from loom.kernel.web.secret import check_secret_key, load_secret_key

    url = database_url or database_url_from_env()
    config = dict(config or {})
    secret = check_secret_key(config.pop("SECRET_KEY")) if config.get("SECRET_KEY") else load_secret_key(url)
    engine = create_engine(url)
    manager = ModuleManager(engine, roots=roots)
    installed = manager.installed()
    if not installed:
        raise ModuleError("kernel.database_not_initialized", database=url)
    app = Flask("loom.kernel.web")
    https = bool(config.get("LOOM_HTTPS", os.environ.get("LOOM_HTTPS") == "1"))
    app.config.update(
        SECRET_KEY=secret, DEBUG=False, LOOM_HTTPS=https, MAX_CONTENT_LENGTH=MAX_BODY,
        SESSION_COOKIE_NAME=SECURE_COOKIE if https else COOKIE, SESSION_COOKIE_SECURE=https,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_PATH="/",
        SESSION_COOKIE_DOMAIN=None)
    app.config.update(config)
    request_timeout(app.config)  # a bad LOOM_REQUEST_TIMEOUT stops the start, naming the setting
    hops = int(app.config.get("LOOM_PROXY_HOPS", os.environ.get("LOOM_PROXY_HOPS", "0")))
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    registry = manager.registry(installed)
    app.jinja_loader = module_template_loader(registry)  # type: ignore[assignment]
    app.extensions[EXTENSION] = LoomState(engine, registry)
    from loom.kernel.api import register_api

    register_api(app)
    _register_shell(app, registry)
    return app


def _register_shell(app: Flask, registry: Any) -> None:
    """The shell's request pipeline (request id, CSRF, session user), its pages and the modules'."""
    from loom.kernel.web.attachment_views import attachment_views
    from loom.kernel.web.auth import auth
    from loom.kernel.web.csrf import install_csrf
    from loom.kernel.web.dashboard import install_dashboard
    from loom.kernel.web.detail_views import detail_views
    from loom.kernel.web.errors import install_error_pages
    from loom.kernel.web.export_views import export_views
    from loom.kernel.web.form_views import form_views
    from loom.kernel.web.gate import install_gate
    from loom.kernel.web.kanban_views import kanban_views
    from loom.kernel.web.menus import install_menu
    from loom.kernel.web.preferences import preferences
    from loom.kernel.web.print_views import print_views
    from loom.kernel.web.record_actions import record_actions
    from loom.kernel.web.record_views import record_views
    from loom.kernel.web.requests import install_request_headers
    from loom.kernel.web.shell import shell
    from loom.kernel.web.texts import install_texts
    from loom.kernel.web.timeline_actions import timeline_actions

    install_request_headers(app)
    install_csrf(app)
    install_gate(app)
    install_error_pages(app)
    install_texts(app)
    install_menu(app, registry)
    install_dashboard(app, registry)
    app.register_blueprint(auth)
    app.register_blueprint(shell)
    app.register_blueprint(preferences)
    app.register_blueprint(record_views)
    app.register_blueprint(detail_views)
    app.register_blueprint(form_views)
    for record_page in (record_actions, timeline_actions, attachment_views, print_views, kanban_views):
        app.register_blueprint(record_page)
    app.register_blueprint(export_views)
    for blueprint in chain.from_iterable(registry.pm.hook.register_blueprints()):
        app.register_blueprint(blueprint)
