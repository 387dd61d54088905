"""What a record being created will hold once inserted.

The kernel calls a model's ``validate`` right after assigning the client's values, before the
INSERT; SQLAlchemy applies column defaults only at the INSERT, so a field the client left out
still reads ``None`` there. :func:`current` gives validation the value the row will really get.
"""

from __future__ import annotations

from typing import Any


def current(record: Any, field: str) -> Any:
    """``record.field``, or the column's scalar default while the field is unset."""
    value = getattr(record, field)
    if value is not None:
        return value
    default = type(record).__table__.c[field].default
    return default.arg if default is not None and default.is_scalar else None
