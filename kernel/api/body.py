"""Reading a request: the JSON body (size-capped, strict UTF-8, numbers as Decimals) and query parameters.

Numbers with a fraction or an exponent become ``Decimal`` and ``NaN``/``Infinity`` become
non-finite Decimals, so the field's own validation refuses them naming the field (``1e309`` is
out of range, ``NaN`` is not a number) instead of a float rounding an amount silently.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask import current_app, request

from loom.kernel.api.errors import MalformedRequestError, PayloadTooLargeError

#: Default body limit in bytes (Flask config ``LOOM_API_MAX_BODY`` overrides it).
MAX_BODY = 1_000_000


def body_limit() -> int:
    """The largest body the API reads, in bytes."""
    return int(current_app.config.get("LOOM_API_MAX_BODY", MAX_BODY))


def raw_body() -> bytes:
    """The request body, refused with 413 past :func:`body_limit` before it is read whole."""
    limit = body_limit()
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLargeError("kernel.api_body_too_large", field="body", size=request.content_length,
                                   limit=limit)
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLargeError("kernel.api_body_too_large", field="body", size=f"> {limit}", limit=limit)
    return data


def json_body() -> dict[str, Any]:
    """The body as a JSON object (400 when it is not UTF-8, not JSON or not an object)."""
    return parse_object(raw_body())


def parse_object(data: bytes) -> dict[str, Any]:
    """Decode ``data`` as one JSON object with Decimal numbers (see the module docstring)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedRequestError("kernel.api_body_not_utf8", field="body", position=exc.start) from None
    try:
        value = json.loads(text, parse_float=Decimal, parse_constant=Decimal)
    except json.JSONDecodeError as exc:
        raise MalformedRequestError("kernel.api_body_not_json", field="body", problem=exc.msg,
                                    position=exc.pos) from None
    except (RecursionError, ValueError) as exc:  # nested too deeply, an integer of thousands of digits
        raise MalformedRequestError("kernel.api_body_not_json", field="body", problem=type(exc).__name__,
                                    position=0) from None
    if not isinstance(value, dict):
        raise MalformedRequestError("kernel.api_body_not_object", field="body")
    return value


def json_param(name: str) -> Any:
    """Query parameter ``name`` parsed as JSON (``None`` when absent)."""
    text = request.args.get(name)
    if text is None:
        return None
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=Decimal)
    except (RecursionError, ValueError):
        raise MalformedRequestError("kernel.api_param_invalid", field=name, value=_show(text),
                                    expected="JSON") from None


def int_param(name: str, default: int | None, *, minimum: int, maximum: int | None = None) -> int | None:
    """Query parameter ``name`` as a whole number between ``minimum`` and ``maximum``."""
    text = request.args.get(name)
    if text is None:
        return default
    if len(text) > 12 or not text.isascii() or not text.isdigit() or not minimum <= int(text) <= (maximum or int(text)):
        expected = f"a whole number from {minimum}" + (f" to {maximum}" if maximum is not None else "")
        raise MalformedRequestError("kernel.api_param_invalid", field=name, value=_show(text), expected=expected)
    return int(text)


def choice_param(name: str, choices: tuple[str, ...], default: str) -> str:
    """Query parameter ``name``, one of ``choices``."""
    text = request.args.get(name, default)
    if text not in choices:
        raise MalformedRequestError("kernel.api_param_invalid", field=name, value=_show(text),
                                    expected="one of " + ", ".join(choices))
    return text


def _show(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
