"""The on-change protocol: a draft's values and the field that changed in, recomputed values out.

Nothing is saved: the draft is built inside a savepoint that is always rolled back. The web form
and the JSON API call this same code as the user types. A model customizes it by defining
``on_change(self, env, changed)`` (extensions call ``super()``) or ``_onchange_<field>(self, env)``;
stored computed fields are then recomputed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loom.kernel import access
from loom.kernel.assign import assign_values, recompute

if TYPE_CHECKING:
    from loom.kernel.records import Records


def run_onchange(records: Records, values: dict[str, Any], changed: str) -> dict[str, Any]:
    """The values of a draft of ``records.model`` after ``changed`` changed, without saving."""
    env = records.env
    access.check_model(env, records.model, "read")
    records.field(changed)
    session = env.session
    with session.no_autoflush:
        savepoint = session.begin_nested()
        try:
            draft = records.cls()
            assign_values(records, draft, values, creating=True)
            _run_hooks(env, draft, changed)
            recompute(records, draft, {changed}, creating=True)
            return _diff(records, draft, values)
        finally:
            savepoint.rollback()


def _run_hooks(env: Any, draft: Any, changed: str) -> None:
    hook = getattr(draft, "on_change", None)
    if hook is not None:
        hook(env, changed)
    specific = getattr(draft, f"_onchange_{changed}", None)
    if specific is not None:
        specific(env)


def _diff(records: Records, draft: Any, values: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, info in records.fields.items():
        if name in ("id", "version") or not access.field_readable(records.env, records.model, name):
            continue
        value = getattr(draft, name)
        if info.kind == "one2many":
            line_fields = records.env[info.target]
            value = [{k: _plain(getattr(line, k)) for k, f in line_fields.fields.items()
                      if f.kind not in ("one2many", "many2many") and k not in ("id", "version")}
                     for line in value]
        elif info.kind == "many2many":
            value = [item.id for item in value]
        if value != values.get(name, ...):
            result[name] = value
    return result


def _plain(value: Any) -> Any:
    return getattr(value, "id", value) if hasattr(value, "__model__") else value
