"""Cells of an import file as the values the environment expects, one field kind at a time.

CSV cells are text; XLSX cells may already be numbers, booleans or dates. A cell that cannot be
read as its field's kind is handed to the kernel's own conversion unchanged, so the error is the
same one every channel gives (``qty: "abc" is not a valid number``). Empty cells are ``None``.
Booleans read ``true``/``false``, ``1``/``0``, ``yes``/``no`` and ``是``/``否``; dates are ISO
(``2026-12-05``); a datetime without a time zone is UTC.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from loom.kernel.errors import ValidationError
from loom.kernel.fields import FieldInfo
from loom.kernel.transfer.xlsx_reader import Formula
from loom.kernel.values import convert

_TRUE = frozenset({"true", "1", "yes", "y", "是"})
_FALSE = frozenset({"false", "0", "no", "n", "否"})
_INTEGER = re.compile(r"[+-]?\d+")


def cell_value(info: FieldInfo, raw: Any) -> Any:
    """The converted value of ``raw`` for field ``info`` (``ValidationError`` naming the field)."""
    if isinstance(raw, Formula):
        raise ValidationError("kernel.import_formula_refused", field=info.name, formula=raw.text[:60])
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    reader = _READERS.get(info.kind, as_text)
    return convert(info, reader(raw))


def as_text(raw: Any) -> Any:
    """A workbook's number or date as the text a person typed (``13800138000``, not ``13800138000.0``)."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, (dt.date, int, float, Decimal)) and not isinstance(raw, bool):
        return raw.isoformat() if isinstance(raw, dt.date) else str(raw)
    return raw


def _integer(raw: Any) -> Any:
    if isinstance(raw, str) and _INTEGER.fullmatch(raw.strip()):
        return int(raw.strip())
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw


def _decimal(raw: Any) -> Any:
    if isinstance(raw, float):
        return Decimal(repr(raw))
    return raw.strip() if isinstance(raw, str) else raw


def _boolean(raw: Any) -> Any:
    text = str(raw).strip().lower() if not isinstance(raw, bool) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return raw


def _date(raw: Any) -> Any:
    if isinstance(raw, dt.datetime) and raw.time() == dt.time(0):
        return raw.date()
    return raw.strip() if isinstance(raw, str) else raw


def _datetime(raw: Any) -> Any:
    return raw.strip() if isinstance(raw, str) else raw


_READERS = {"integer": _integer, "decimal": _decimal, "boolean": _boolean, "date": _date, "datetime": _datetime}
