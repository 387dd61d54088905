"""The small vocabulary of errors every channel understands.

Each error carries a message id and parameters; :func:`loom.kernel.i18n.translate` renders it in
English or Chinese. The CLI prints ``str(error)`` (English by default) as one line; the API maps
``code`` and ``http_status`` onto its JSON error contract.
"""

from __future__ import annotations

from typing import Any


class LoomError(Exception):
    """Base of every error Loom shows to a user: a code, a message id and its parameters."""

    code = "error"
    http_status = 400

    def __init__(self, message_id: str, /, field: str | None = None, **params: Any) -> None:
        self.message_id = message_id
        self.field = field
        self.params = params
        super().__init__(message_id)

    def message(self, lang: str = "en") -> str:
        """The message rendered in ``lang`` (``en`` or ``zh_CN``)."""
        from loom.kernel.i18n import translate

        return translate(self.message_id, lang, **{"field": self.field, **self.params})

    def __str__(self) -> str:
        return self.message("en")

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        """The JSON error body: code, message, field and details (JSON-safe values)."""
        from loom.kernel.jsonable import jsonable

        return {"code": self.code, "message": self.message(lang), "field": self.field,
                "details": {key: jsonable(value) for key, value in self.params.items()}}


class UserError(LoomError):
    """A business rule refused the action (illegal transition, a record still in use, ...)."""

    code = "user_error"
    http_status = 422


class ValidationError(UserError):
    """A value is wrong; ``field`` names it."""

    code = "invalid_value"


class InvalidFieldError(ValidationError):
    """A filter, sort, grouping or write names a field that does not exist or may not be used."""

    code = "invalid_field"
    http_status = 400


class UnknownFieldError(ValidationError):
    """A write names a field that does not exist or that clients may not set."""

    code = "unknown_or_readonly_field"


class InvalidOperatorError(ValidationError):
    """A filter uses an operator outside the domain language."""

    code = "invalid_operator"
    http_status = 400


class AccessError(LoomError):
    """The user may not do this (model permission, record rule, company, field)."""

    code = "access_denied"
    http_status = 403


class FieldForbiddenError(AccessError):
    """The user may not read or write this field."""

    code = "field_forbidden"


class MissingError(LoomError):
    """The record does not exist or is outside what the user may see (same answer for both)."""

    code = "not_found"
    http_status = 404


class StaleRecordError(LoomError):
    """The record changed since the client read it (its version is stale)."""

    code = "stale_record"
    http_status = 409


class BusyError(LoomError):
    """The database stayed busy through every retry: the user should try again shortly."""

    code = "busy"
    http_status = 503


class ModuleError(LoomError):
    """Module resolution, installation or uninstallation failed; the message names every module."""

    code = "module_error"


class ConfigurationError(LoomError):
    """A registry cannot be built: a hook, model or manifest is declared wrongly."""

    code = "configuration_error"
    http_status = 500


class Warning(UserError):  # noqa: A001 - the design names it Warning; always used as errors.Warning
    """A warning the user may acknowledge by its ``warning_id`` and resubmit."""

    code = "warning"

    def __init__(self, message_id: str, /, warning_id: str, **params: Any) -> None:
        super().__init__(message_id, warning_id=warning_id, **params)
        self.warning_id = warning_id
