"""JSON for the API: compact text, values converted by the kernel's one JSON conversion."""

from __future__ import annotations

import json
from typing import Any

from loom.kernel.jsonable import jsonable


def dumps(value: Any) -> str:
    """Compact JSON text of ``value`` (values JSON lacks are converted by :func:`jsonable`)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=jsonable)
