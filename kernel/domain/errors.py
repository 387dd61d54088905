"""The domain language's errors, each naming the path, operator or place in the domain at fault."""

from __future__ import annotations

from typing import Any

from loom.kernel.errors import InvalidFieldError, ValidationError


class MalformedDomainError(ValidationError):
    """A domain, sort or group spec does not follow the syntax (code ``invalid_value``, HTTP 400)."""

    http_status = 400


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _malformed(location: str) -> MalformedDomainError:
    return MalformedDomainError("kernel.domain_malformed", location=location)


def _invalid_field(path: str, message_id: str = "kernel.domain_invalid_field",
                   **params: Any) -> InvalidFieldError:
    return InvalidFieldError(message_id, field=_show(path), path=_show(path), **params)


def _invalid_value(path: str, operator: str, value: Any, expected: str) -> ValidationError:
    return ValidationError("kernel.domain_invalid_value", field=_show(path), path=_show(path),
                           operator=operator, value=_show(value), expected=expected)
