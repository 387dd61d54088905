"""One conversion of Python values into JSON values, shared by error bodies, the API and the timeline.

Decimals travel as exact text, dates and times as ISO 8601 text, records as their ids; dicts,
lists, tuples and sets are converted item by item; anything else becomes its text.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any


def jsonable(value: Any) -> Any:
    """``value`` with Decimals, dates, records and containers turned into JSON-safe values, recursively."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "__model__"):
        return value.id
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
