"""JSON for the API: compact text, values converted by the kernel's one JSON conversion; a datetime
carries its offset (``Z`` for the kernel's naive UTC datetimes), as OpenAPI's ``date-time`` requires."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from loom.kernel.jsonable import jsonable


def dumps(value: Any) -> str:
    """Compact JSON text of ``value`` (values JSON lacks are converted by :func:`jsonable`)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_api_value)


def _api_value(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.isoformat() + "Z"  # the kernel stores UTC datetimes without a time zone
    return jsonable(value)
