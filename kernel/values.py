"""Convert and validate client values for one field, naming the field in every error.

Used by the environment's create and write, by the data loader and by imports, so every channel
accepts and refuses the same values.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from loom.kernel.errors import ValidationError
from loom.kernel.fields import FieldInfo
from loom.kernel.money import check_decimal

MAX_TEXT = 1_000_000


def convert(info: FieldInfo, value: Any) -> Any:
    """The Python value to store for ``info`` from a client value; raises ``ValidationError``."""
    if value is None:
        if info.required:
            raise ValidationError("kernel.field_required", field=info.name)
        return None
    converter = _CONVERTERS.get(info.kind)
    return converter(info, value) if converter else value


def _integer(info: FieldInfo, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("kernel.value_not_integer", field=info.name, value=_show(value))
    if not -(2**63) <= value < 2**63:
        raise ValidationError("kernel.value_out_of_range", field=info.name, value=_show(value))
    return value


def _string(info: FieldInfo, value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationError("kernel.value_not_text", field=info.name, value=_show(value))
    if "\x00" in value:
        raise ValidationError("kernel.value_nul_character", field=info.name)
    limit = info.size or MAX_TEXT
    if len(value) > limit:
        raise ValidationError("kernel.value_too_long", field=info.name, limit=limit, length=len(value))
    if info.selection and value not in info.selection:
        raise ValidationError("kernel.value_not_in_selection", field=info.name, value=_show(value),
                              allowed=", ".join(info.selection))
    return value


def _boolean(info: FieldInfo, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError("kernel.value_not_boolean", field=info.name, value=_show(value))
    return value


def _decimal(info: FieldInfo, value: Any) -> Decimal:
    precision = info.extra.get("precision", 18)
    return check_decimal(value, scale=info.scale if info.scale is not None else 6,
                         precision=precision, field=info.name)


def _date(info: FieldInfo, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValidationError("kernel.value_not_date", field=info.name, value=_show(value))
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _bad()
    except ValueError:
        raise ValidationError("kernel.value_not_date", field=info.name, value=_show(value)) from None


def _datetime(info: FieldInfo, value: Any) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError("kernel.value_not_datetime", field=info.name, value=_show(value)) from None
    if not isinstance(value, dt.datetime):
        raise ValidationError("kernel.value_not_datetime", field=info.name, value=_show(value))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _bad() -> Any:
    raise ValueError


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_CONVERTERS = {
    "integer": _integer, "many2one": _integer, "string": _string, "text": _string,
    "selection": _string, "boolean": _boolean, "decimal": _decimal, "date": _date,
    "datetime": _datetime,
}
