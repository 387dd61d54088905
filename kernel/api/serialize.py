"""JSON for the API: decimals travel as strings (exact), dates and times as ISO 8601 text."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def plain(value: Any) -> Any:
    """``value`` with Decimals, dates, records and tuples turned into JSON-safe values, recursively."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "__model__"):
        return value.id
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def dumps(value: Any) -> str:
    """Compact JSON text of ``value`` (values JSON lacks are converted as :func:`plain` does)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=plain)
