"""Each web or API request's deadline: ``LOOM_REQUEST_TIMEOUT`` seconds (the application's config,
else the environment, else 30) from its first unit of work, shared by every unit it runs; ``0``
turns it off. It stays below gunicorn's worker timeout (:data:`loom.kernel.web.server.REQUEST_TIMEOUT`),
which remains the last resort."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

from flask import current_app, g, has_request_context

from loom.kernel.errors import ConfigurationError
from loom.kernel.request_deadline import Deadline

SETTING = "LOOM_REQUEST_TIMEOUT"
#: Seconds a request may spend in its units of work when ``LOOM_REQUEST_TIMEOUT`` is not set.
DEFAULT_SECONDS = 30.0
_G_KEY = "loom_deadline"


def request_timeout(config: Mapping[str, Any]) -> float | None:
    """The configured seconds: ``config[LOOM_REQUEST_TIMEOUT]``, else the environment variable, else
    :data:`DEFAULT_SECONDS`; None when it is 0 (no deadline). Anything but a number from 0 up to the
    worker timeout is a ``ConfigurationError``."""
    from loom.kernel.web.server import REQUEST_TIMEOUT

    given = config.get(SETTING, os.environ.get(SETTING) or DEFAULT_SECONDS)
    try:
        seconds = float(given)
    except (TypeError, ValueError):
        seconds = math.nan
    if not 0 <= seconds < REQUEST_TIMEOUT:
        raise ConfigurationError("kernel.request_timeout_invalid", field=SETTING, value=str(given)[:40],
                                 limit=REQUEST_TIMEOUT)
    return seconds or None


def request_deadline() -> Deadline | None:
    """The deadline of the request being handled, started by its first unit of work (None outside a
    request, so the CLI and the workers run without one, or when the timeout is 0)."""
    if not has_request_context():
        return None
    if _G_KEY not in g:
        seconds = request_timeout(current_app.config)
        setattr(g, _G_KEY, Deadline.after(seconds) if seconds else None)
    return g.get(_G_KEY)
