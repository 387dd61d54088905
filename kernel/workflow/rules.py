"""Approval rules as data: list, add, edit and remove them, validating every value.

A rule says: documents of ``model`` of the rule's company matching ``domain`` (the domain
language over stored fields), and, when ``amount_field`` is set, whose amount in company
currency exceeds ``threshold``, wait at ``transition`` for ``approvers`` different users holding
``role``; rules are approved in ``sequence`` order. Every change goes to the security audit log
(``approval_rule.change``). Rules are read and changed through ``env["loom.approval_rule"]``, so
the model permissions of ``loom.approval_rule`` decide who may administer them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loom.kernel.audit import audit_event
from loom.kernel.domain import compile_domain
from loom.kernel.errors import UserError, ValidationError
from loom.kernel.money import check_decimal
from loom.kernel.users import role_by_code
from loom.kernel.workflow.definition import find_workflow

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

#: What ``add_rule`` and ``edit_rule`` accept.
RULE_FIELDS = ("name", "model", "transition", "domain", "amount_field", "threshold", "role", "approvers",
               "sequence", "company_id")
MODEL = "loom.approval_rule"


def list_rules(env: Environment, model: str | None = None) -> list[dict[str, Any]]:
    """Every rule the user may read (of ``model`` when given), as plain dicts in approval order."""
    domain = [["model", "=", model]] if model else []
    return [describe(rule) for rule in env[MODEL].search(domain)]


def add_rule(env: Environment, values: dict[str, Any]) -> dict[str, Any]:
    """Create a rule from ``values`` (:data:`RULE_FIELDS`; ``model``, ``transition`` and ``role``
    required); returns it as a dict."""
    stored = _check(env, {"domain": [], "approvers": 1, "sequence": 10, **values}, None)
    stored.setdefault("name", f"{stored['model']} {stored['transition']}")
    rule = env[MODEL].create(stored)
    after = describe(rule)
    audit_event(env, "approval_rule.change", model=MODEL, record_id=rule.id, after=after, details={"op": "add"})
    return after


def edit_rule(env: Environment, rule_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Change the values given of rule ``rule_id``; open requests keep the terms they opened with."""
    rule = env[MODEL].get(rule_id)
    before = describe(rule)
    merged = {**before, "company_id": rule.company_id, **values}
    stored = _check(env, merged, rule)
    env[MODEL].write([rule], stored)
    after = describe(rule)
    audit_event(env, "approval_rule.change", model=MODEL, record_id=rule.id, before=before, after=after,
                details={"op": "edit"})
    return after


def remove_rule(env: Environment, rule_id: int) -> dict[str, Any]:
    """Delete rule ``rule_id``; requests it opened stay and are decided as they are."""
    rule = env[MODEL].get(rule_id)
    before = describe(rule)
    env[MODEL].delete([rule])
    audit_event(env, "approval_rule.change", model=MODEL, record_id=rule_id, before=before, details={"op": "remove"})
    return before


def describe(rule: Any) -> dict[str, Any]:
    """A rule as plain, JSON-friendly data."""
    return {"id": rule.id, "name": rule.name, "model": rule.model, "transition": rule.transition,
            "domain": rule.domain, "amount_field": rule.amount_field,
            "threshold": str(rule.threshold) if rule.threshold is not None else None,
            "role": rule.role.code, "approvers": rule.approvers, "sequence": rule.sequence,
            "company_id": rule.company_id}


def _check(env: Environment, values: dict[str, Any], rule: Any) -> dict[str, Any]:
    unknown = sorted(set(values) - set(RULE_FIELDS) - {"id"})
    if unknown:
        raise ValidationError("kernel.approval_rule_field_unknown", field=unknown[0], known=", ".join(RULE_FIELDS))
    model, transition = values.get("model"), values.get("transition")
    wf = find_workflow(env.registry, model) if isinstance(model, str) and model in env.registry else None
    if wf is None:
        raise ValidationError("kernel.approval_rule_model_unknown", field="model", model=model)
    if transition not in wf.transitions or not wf.transitions[transition].approval:
        raise ValidationError("kernel.approval_rule_transition_unknown", field="transition", model=model,
                              transition=transition,
                              known=", ".join(t.name for t in wf.transitions.values() if t.approval) or "-")
    stored = {k: v for k, v in values.items() if k in ("name", "model", "transition", "domain", "company_id")}
    compile_domain(values.get("domain") or [], model, env.registry)
    stored.update(_amount(env, model, values.get("amount_field"), values.get("threshold")))
    if "role" in values:
        stored["role_id"] = role_by_code(env.sudo(), values["role"]).id
    elif rule is None:
        raise ValidationError("kernel.field_required", field="role", model=MODEL)
    for name in ("approvers", "sequence"):
        value = values.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < (1 if name == "approvers" else 0):
            raise ValidationError("kernel.approval_rule_count_invalid", field=name, value=repr(value)[:30])
        stored[name] = value
    if stored.get("company_id") is None:
        stored.pop("company_id", None)
    return stored


def _amount(env: Environment, model: str, field: Any, threshold: Any) -> dict[str, Any]:
    if field in (None, ""):
        if threshold not in (None, ""):
            raise ValidationError("kernel.approval_rule_threshold_without_field", field="threshold")
        return {"amount_field": None, "threshold": None}
    info = env.registry.fields(model).get(field)
    if info is None or info.kind != "decimal" or not info.stored:
        raise ValidationError("kernel.approval_rule_amount_field_invalid", field="amount_field", model=model,
                              name=field)
    if threshold in (None, ""):
        raise ValidationError("kernel.approval_rule_threshold_required", field="threshold")
    amount = check_decimal(threshold, scale=4, precision=18, field="threshold")
    if amount < 0:
        raise UserError("kernel.approval_rule_threshold_negative", field="threshold", value=str(amount))
    return {"amount_field": field, "threshold": amount}
