"""Typed per-company settings that modules declare through the ``register_settings`` hook.

A module returns ``Setting`` objects (``sales.credit_grace_days``: int, default 0); values are
stored per company in ``loom_setting`` and read back with their declared type, the default
applying until a company sets one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from loom.kernel.audit import audit_event
from loom.kernel.errors import ValidationError

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

TYPES = ("bool", "int", "decimal", "str", "choice")


@dataclass(frozen=True)
class Setting:
    """A declared setting: ``key`` (``module.name``), its type, default, label and choices."""

    key: str
    type: str
    default: Any
    label: str
    choices: tuple[str, ...] = ()

    def parse(self, value: Any) -> Any:
        """``value`` converted to this setting's type; accepts the CLI's strings too."""
        try:
            return _PARSERS[self.type](self, value)
        except (ValueError, InvalidOperation, TypeError):
            raise ValidationError("kernel.setting_bad_value", field=self.key, value=str(value)[:60],
                                  type=self.type) from None

    def to_json(self, value: Any) -> Any:
        """The JSON form stored in the database."""
        return str(value) if self.type == "decimal" else value


def _bool(setting: Setting, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered not in ("true", "false", "1", "0", "yes", "no"):
        raise ValueError(value)
    return lowered in ("true", "1", "yes")


def _int(setting: Setting, value: Any) -> int:
    if isinstance(value, (bool, float)):
        raise ValueError(value)
    return int(value)


def _choice(setting: Setting, value: Any) -> str:
    if value not in setting.choices:
        raise ValueError(value)
    return str(value)


def _decimal(setting: Setting, value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValueError(value)
    return Decimal(str(value))


_PARSERS = {"bool": _bool, "int": _int, "decimal": _decimal, "str": lambda s, v: str(v), "choice": _choice}


def declared(env: Environment) -> dict[str, Setting]:
    """Every setting the installed modules declare, by key."""
    return env.registry.settings


def get_setting(env: Environment, key: str) -> Any:
    """The active company's value of ``key`` (its default until set)."""
    setting = _declared(env, key)
    row = _row(env, key)
    return setting.parse(row.value) if row is not None else setting.default


def set_setting(env: Environment, key: str, value: Any) -> Any:
    """Store ``value`` for the active company after converting it to the declared type."""
    setting = _declared(env, key)
    parsed = setting.parse(value)
    row = _row(env, key)
    records = env["loom.setting"]
    before = None if row is None else {key: row.value}
    if row is None:
        row = records.create({"key": key, "company_id": env.company_id, "value": setting.to_json(parsed)})
    else:
        records.write([row], {"value": setting.to_json(parsed)})
    audit_event(env, "settings.change", model="loom.setting", record_id=row.id, before=before,
                after={key: setting.to_json(parsed)})
    return parsed


def _declared(env: Environment, key: str) -> Setting:
    try:
        return declared(env)[key]
    except KeyError:
        raise ValidationError("kernel.setting_unknown", field="key", key=key) from None


def _row(env: Environment, key: str) -> Any:
    cls = env.registry["loom.setting"]
    return env.session.scalar(select(cls).where(cls.company_id == env.company_id, cls.key == key))
