"""Approval rules are data an administrator edits; every value is checked and every change audited.

Stories: the administrator adds, edits and removes the 10,000 rule on alpha orders, and each
change lands in the security audit log; a rule naming an unknown model, transition, field or role
is refused naming it; a clerk may not touch the rules.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loom.kernel.environment import Environment
from loom.kernel.errors import AccessError, InvalidFieldError, MissingError, ValidationError
from loom.kernel.workflow import add_rule, edit_rule, list_rules, remove_rule
from loom_test_support import rolled_back
from loomtest_alpha.testing import person

RULE = {"model": "alpha.order", "transition": "confirm", "role": "loomtest_alpha.manager",
        "amount_field": "amount_total", "threshold": "10000"}


@pytest.fixture
def env(installed):
    with rolled_back(installed("loomtest_alpha")) as env:
        yield env


def audit(env):
    log = env.registry["loom.audit_log"]
    return [(row.action, row.record_id, (row.details or {}).get("op"))
            for row in env.session.execute(select(log).where(log.action == "approval_rule.change")
                                           .order_by(log.seq)).scalars()]


def test_the_administrator_adds_edits_and_removes_a_rule_and_each_change_is_audited(env):
    added = add_rule(env, RULE)
    assert added["name"] == "alpha.order confirm" and added["threshold"] == "10000.0000"
    assert (added["approvers"], added["sequence"], added["domain"]) == (1, 10, [])
    edited = edit_rule(env, added["id"], {"approvers": 2, "threshold": "20000"})
    assert (edited["approvers"], edited["threshold"], edited["role"]) == (2, "20000.0000", "loomtest_alpha.manager")
    assert [r["id"] for r in list_rules(env, "alpha.order")] == [added["id"]]
    remove_rule(env, added["id"])
    assert list_rules(env) == []
    assert audit(env) == [("approval_rule.change", added["id"], op) for op in ("add", "edit", "remove")]


@pytest.mark.parametrize(("change", "field", "named"), [
    ({"model": "alpha.ordr"}, "model", "alpha.ordr"),
    ({"model": "base.partner"}, "model", "base.partner"),
    ({"transition": "confrim"}, "transition", "confrim"),
    ({"transition": "done"}, "transition", "transitions that do: confirm"),
    ({"amount_field": "name"}, "amount_field", "name is not a stored amount"),
    ({"amount_field": "amount_totl"}, "amount_field", "amount_totl"),
    ({"threshold": None}, "threshold", "threshold is required"),
    ({"threshold": "ten"}, "threshold", "ten"),
    ({"approvers": 0}, "approvers", "0"),
    ({"role": "loomtest_alpha.boss"}, "role", "loomtest_alpha.boss"),
    ({"colour": "red"}, "colour", "colour"),
])
def test_a_wrong_value_is_refused_naming_it(env, change, field, named):
    with pytest.raises(ValidationError) as refused:
        add_rule(env, {**RULE, **change})
    assert refused.value.field == field
    assert named in str(refused.value)
    assert list_rules(env) == []


def test_a_domain_over_an_unknown_field_is_refused_naming_it(env):
    with pytest.raises(InvalidFieldError) as refused:
        add_rule(env, {**RULE, "domain": [["partner_id.colour", "=", "red"]]})
    assert "colour" in str(refused.value)


def test_an_approval_administrator_manages_the_rules_without_being_administrator(env):
    keeper = Environment(env.registry, env.session, uid=person(env, "kim", "kernel.approval_admin").id)
    rule = add_rule(keeper, RULE)
    assert edit_rule(keeper, rule["id"], {"sequence": 5})["sequence"] == 5
    assert [r["id"] for r in list_rules(keeper)] == [rule["id"]]
    remove_rule(keeper, rule["id"])


def test_a_clerk_may_not_touch_the_rules(env):
    rule = add_rule(env, RULE)
    clerk = Environment(env.registry, env.session, uid=person(env, "carl", "loomtest_alpha.clerk").id)
    with pytest.raises(AccessError):
        add_rule(clerk, RULE)
    with pytest.raises(AccessError):
        edit_rule(clerk, rule["id"], {"approvers": 3})
    with pytest.raises(MissingError):
        remove_rule(env, rule["id"] + 100)
