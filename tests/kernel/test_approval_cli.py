"""``loom approval``: the administrator edits rules; managers approve and reject from the shell.

Stories: the administrator adds the 10,000 rule, edits it and lists it; a rule naming an unknown
role is one line naming it; the salesman's 12,000 order waits, shows in the manager's list, and a
manager approves it; another is rejected with a reason (and refused without one); the salesman
cannot approve his own order.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from loom_test_support import FIXTURE_MODULES
from loomtest_alpha.testing import alpha_database, orders_in

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from loom_cli_support import Loom  # noqa: E402 - the CLI helpers live beside the CLI tests

MODULES = {"LOOM_MODULE_PATH": str(FIXTURE_MODULES)}


@pytest.fixture(scope="module")
def shop(database_factory):
    url = database_factory()
    alpha_database(url, {"sam": ("loomtest_alpha.clerk", "loomtest_alpha.manager"),
                         "mia": ("loomtest_alpha.manager",), "max": ("loomtest_alpha.manager",)})
    loom = Loom(url)
    loom.ok("approval", "rule", "add", "--model", "alpha.order", "--transition", "confirm", "--role",
            "loomtest_alpha.manager", "--amount-field", "amount_total", "--threshold", "10000", env=MODULES)
    return loom


def test_the_administrator_edits_and_lists_the_rules(shop):
    (rule,) = json.loads(shop.ok("approval", "rule", "list", "--json", env=MODULES))
    assert (rule["transition"], rule["threshold"], rule["role"]) == ("confirm", "10000.0000", "loomtest_alpha.manager")
    edited = shop.ok("approval", "rule", "edit", str(rule["id"]), "--name", "Large orders", env=MODULES)
    assert "Large orders" in edited and "amount_total > 10000.0000" in edited
    extra = shop.ok("approval", "rule", "add", "--model", "alpha.order", "--transition", "confirm", "--role",
                    "loomtest_alpha.manager", "--domain", '[["partner_id.name", "=", "Nobody"]]', env=MODULES)
    extra_id = extra.split()[0]
    assert shop.ok("approval", "rule", "remove", extra_id, env=MODULES).startswith(f"removed rule {extra_id}")


def test_a_rule_naming_an_unknown_role_or_field_is_one_line_naming_it(shop):
    unknown_role = shop.main("approval", "rule", "add", "--model", "alpha.order", "--transition", "confirm",
                             "--role", "alpha.boss", env=MODULES)
    assert unknown_role.code == 1 and len(unknown_role.err_lines) == 1 and "alpha.boss" in unknown_role.err
    bad_field = shop.main("approval", "rule", "add", "--model", "alpha.order", "--transition", "confirm",
                          "--role", "loomtest_alpha.manager", "--amount-field", "price", "--threshold", "1",
                          env=MODULES)
    assert bad_field.code == 1 and "price is not a stored amount" in bad_field.err
    bad_json = shop.main("approval", "rule", "add", "--model", "alpha.order", "--transition", "confirm",
                         "--role", "loomtest_alpha.manager", "--domain", "[[", env=MODULES)
    assert bad_json.code == 2 and "--domain" in bad_json.err


def test_a_large_order_waits_for_a_manager_who_approves_it_from_the_shell(shop):
    (order,) = orders_in(shop.url, 1, price="12000")
    assert shop.ok("workflow", "run", "alpha.order", "confirm", str(order), "--user", "sam",
                   env=MODULES).strip().endswith("waiting_approval")
    waiting = json.loads(shop.ok("approval", "list", "--json", "--user", "mia", env=MODULES))
    assert order in [row["res_id"] for row in waiting]
    assert order not in [row["res_id"] for row in json.loads(
        shop.ok("approval", "list", "--json", "--user", "sam", env=MODULES))]  # he asked: not his to decide
    own = shop.main("approval", "approve", "alpha.order", str(order), "--user", "sam", env=MODULES)
    assert own.code == 1 and "sam asked for the approval" in own.err
    assert "transition completed" in shop.ok("approval", "approve", "alpha.order", str(order), "--user", "mia",
                                             env=MODULES)
    assert "confirm: waiting_approval -> confirmed" in shop.ok("timeline", "show", "alpha.order", str(order),
                                                               env=MODULES)


def test_a_manager_rejects_with_a_reason_and_the_order_returns_to_draft(shop):
    (order,) = orders_in(shop.url, 1, price="15000")
    shop.ok("workflow", "run", "alpha.order", "confirm", str(order), "--user", "sam", env=MODULES)
    no_reason = shop.main("approval", "reject", "alpha.order", str(order), "--user", "max", env=MODULES)
    assert no_reason.code == 2 and "--reason" in no_reason.err
    assert shop.ok("approval", "reject", "alpha.order", str(order), "--reason", "Discount too deep", "--user",
                   "max", env=MODULES).strip() == f"alpha.order {order}: rejected"
    story = shop.ok("timeline", "show", "alpha.order", str(order), env=MODULES)
    assert "rejected (waiting_approval -> draft) - Discount too deep" in story


def test_empty_answers_say_so_instead_of_printing_nothing(shop):
    assert shop.ok("approval", "rule", "list", "--model", "base.partner", env=MODULES).strip() == \
        "No approval rules for base.partner."
    assert shop.ok("--user", "max", "approval", "list", env=MODULES).strip() == "Nothing is waiting for your approval."
    assert shop.ok("timeline", "show", "base.partner", "1", env=MODULES).strip() == \
        "base.partner 1 has no timeline events yet."
