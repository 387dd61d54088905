"""``loom workflow``: see a model's workflow and run its transitions on records from the shell.

Stories: the administrator lists the workflows and reads alpha's; a clerk confirms two orders in
one command; confirming them again is one line naming the order, its state and what is allowed,
and changes nothing.
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
    alpha_database(url, {"clara": ("loomtest_alpha.clerk",)})
    return Loom(url)


def test_the_administrator_reads_alphas_workflow(shop):
    assert "alpha.order" in shop.ok("workflow", "list", env=MODULES)
    shown = shop.ok("workflow", "show", "alpha.order", env=MODULES)
    assert "confirm          draft -> confirmed  (approval rules apply; hook on_alpha_confirmed)" in shown
    data = json.loads(shop.ok("workflow", "show", "alpha.order", "--json", env=MODULES))
    assert data["states"][-1] == "waiting_approval" and data["initial"] == "draft"


def test_a_clerk_confirms_two_orders_and_a_second_try_changes_nothing(shop):
    first, second = orders_in(shop.url, 2)
    done = shop.ok("workflow", "run", "alpha.order", "confirm", str(first), str(second), "--user", "clara",
                   env=MODULES).splitlines()
    assert [line.split()[:2] for line in done] == [["alpha.order", str(first)], ["alpha.order", str(second)]]
    assert all(line.endswith(": confirmed") for line in done)
    (third,) = orders_in(shop.url, 1)
    again = shop.main("workflow", "run", "alpha.order", "confirm", str(third), str(first), "--user", "clara",
                      env=MODULES)
    assert again.code == 1 and len(again.err_lines) == 1
    assert f"(id {first}) is in state confirmed, so it cannot confirm" in again.err
    assert "allowed from confirmed: done, cancel" in again.err
    assert json.loads(shop.ok("timeline", "show", "alpha.order", str(third), "--json", env=MODULES)) == []


def test_an_unknown_model_or_transition_is_one_line(shop):
    assert "base.partner has no workflow" in shop.main("workflow", "show", "base.partner", env=MODULES).err
    unknown = shop.main("workflow", "run", "alpha.order", "ship", "1", env=MODULES)
    assert unknown.code == 1 and "alpha.order has no transition ship" in unknown.err
