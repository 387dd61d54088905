"""``loom timeline``: read an order's history, post a note, schedule an activity and mark it done.

Stories: a clerk confirms an order, notes the customer's call and schedules a follow-up for a
colleague, who marks it done; the timeline shows it all in order; a bad date or an unknown
assignee is one line naming it; a user who may not read the order is refused.
"""

from __future__ import annotations

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
    alpha_database(url, {"clara": ("loomtest_alpha.clerk",), "carl": ("loomtest_alpha.clerk",), "stan": ()})
    return Loom(url)


def test_a_clerk_notes_a_call_and_a_colleague_does_the_follow_up(shop):
    (order,) = orders_in(shop.url, 1)
    shop.ok("workflow", "run", "alpha.order", "confirm", str(order), "--user", "clara", env=MODULES)
    shop.ok("timeline", "note", "alpha.order", str(order), "The customer called about delivery", "--user", "clara",
            env=MODULES)
    scheduled = shop.ok("timeline", "activity", "add", "alpha.order", str(order), "--due", "2027-01-04",
                        "--assignee", "carl", "--summary", "Confirm the delivery date", "--user", "clara",
                        env=MODULES)
    activity = scheduled.split()[1]
    assert scheduled.strip().endswith(f"on alpha.order {order} for carl")
    assert "done" in shop.ok("timeline", "activity", "done", activity, "--user", "carl", env=MODULES)
    lines = shop.ok("timeline", "show", "alpha.order", str(order), env=MODULES).splitlines()
    assert [line.split()[4] for line in lines] == ["transition", "note", "activity"]
    assert "clara" in lines[0] and "confirm: draft -> confirmed" in lines[0]
    assert lines[1].endswith("The customer called about delivery")
    assert f"#{activity} due 2027-01-04 for carl: Confirm the delivery date [done " in lines[2]


def test_bad_dates_unknown_assignees_and_strangers_are_one_line(shop):
    (order,) = orders_in(shop.url, 1)
    bad_date = shop.main("timeline", "activity", "add", "alpha.order", str(order), "--due", "soon", "--assignee",
                         "carl", "--summary", "x", env=MODULES)
    assert bad_date.code == 2 and "--due" in bad_date.err
    nobody = shop.main("timeline", "activity", "add", "alpha.order", str(order), "--due", "2027-01-04",
                       "--assignee", "nobody", "--summary", "x", env=MODULES)
    assert nobody.code == 1 and len(nobody.err_lines) == 1 and "nobody" in nobody.err
    stranger = shop.main("timeline", "show", "alpha.order", str(order), "--user", "stan", env=MODULES)
    assert stranger.code == 1 and "stan may not read records of alpha.order" in stranger.err
