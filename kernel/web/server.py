"""Serving the application with gunicorn, in-process (``loom serve``).

The application is built once in the master before workers fork (``preload_app``), so a new worker
answers at once; each worker then drops the pooled connections it inherited and opens its own."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from loom.kernel.web.state import loom_state

#: Seconds a request may run before its worker is restarted (the database rolls its unit back).
REQUEST_TIMEOUT = 60


class LoomServer(BaseApplication):
    """gunicorn serving one prebuilt Flask application on ``host:port`` with ``workers`` processes."""

    def __init__(self, app: Flask, *, host: str, port: int, workers: int) -> None:
        self.application = app
        self.options = {
            "bind": f"{host}:{port}", "workers": workers, "preload_app": True, "timeout": REQUEST_TIMEOUT,
            "graceful_timeout": 10, "accesslog": "-", "errorlog": "-", "post_fork": _fresh_connections,
            "proc_name": "loom", "control_socket_disable": True,
        }
        super().__init__()

    def load_config(self) -> None:
        """Hand the options to gunicorn (its command line is not read)."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        """The application, already built."""
        return self.application


def _fresh_connections(_server: Any, worker: Any) -> None:
    """After fork: forget the master's pooled connections without closing them under its feet."""
    loom_state(worker.app.application).engine.dispose(close=False)

