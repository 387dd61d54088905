"""Content hashes: equal data gives equal text, whichever backend it was read from.

SQLite hands back naive UTC timestamps and Decimals rebuilt from scaled integers; PostgreSQL gives
aware timestamps and NUMERIC values carrying their column's scale. The canonical form makes them one.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from loom.kernel.backup.digest import canonical


def text(value) -> str:
    """What the hash covers: the canonical value as JSON text."""
    return json.dumps(canonical(value))


@pytest.mark.parametrize(("one", "other"), [
    (Decimal("19.990000"), Decimal("19.99")),
    (Decimal("100"), Decimal("1E+2")),
    (Decimal("-0.000"), Decimal("0")),
    (dt.datetime(2026, 12, 5, 19, 0, 0, 123456), dt.datetime(2026, 12, 5, 19, 0, 0, 123456, tzinfo=dt.UTC)),
    (dt.datetime(2026, 12, 6, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), dt.datetime(2026, 12, 5, 19, 0)),
    ({"b": 1, "a": [1, 2]}, {"a": [1, 2], "b": 1}),
])
def test_the_same_value_read_from_either_backend_has_one_canonical_form(one, other):
    assert text(one) == text(other)


@pytest.mark.parametrize(("one", "other"), [
    (Decimal("1.5"), "1.5"),                  # a number is not its text
    (Decimal("0.1"), Decimal("0.10000001")),
    (dt.date(2026, 12, 5), "2026-12-05"),
    (b"\x00\x01", "0001"),
    (1, True),
])
def test_different_values_keep_different_forms(one, other):
    assert text(one) != text(other)
