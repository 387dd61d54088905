"""Who may close an activity and who may be given one: the assignee marks it done, and so does whoever
may change its record, but a colleague who can only read the record cannot; an activity on a record
of one company goes only to someone who may work in that company."""

from __future__ import annotations

import datetime as dt

import pytest

from loom.kernel.errors import AccessError, ValidationError
from loom.kernel.timeline import add_activity, mark_activity_done, timeline
from loom_test_support import rolled_back
from loomtest_alpha.testing import acting_as, draft_orders, person

DUE = dt.date(2027, 3, 1)


@pytest.fixture
def env(installed):
    with rolled_back(installed("loomtest_alpha")) as env:
        yield env


def _done(env, order):
    return [e["done"] for e in timeline(env, "alpha.order", order.id) if e["kind"] == "activity"]


def test_only_the_assignee_or_someone_who_may_change_the_record_marks_it_done(env):
    (order,) = draft_orders(env, 1)
    mia = acting_as(env, "mia", "loomtest_alpha.manager")  # reads orders, may not change them
    max_ = acting_as(env, "max", "loomtest_alpha.manager")
    first = add_activity(env, "alpha.order", order.id, due=DUE, assignee_id=mia.uid, summary="Call the buyer")

    with pytest.raises(AccessError) as refused:
        mark_activity_done(max_, first)
    assert refused.value.message_id == "kernel.activity_not_yours"
    assert "Call the buyer" in str(refused.value) and "max" in str(refused.value)
    assert _done(env, order) == [False]

    mark_activity_done(mia, first)  # her own
    second = add_activity(env, "alpha.order", order.id, due=DUE, assignee_id=mia.uid, summary="Send the offer")
    clerk = acting_as(env, "cleo", "loomtest_alpha.clerk")  # may change the order
    mark_activity_done(clerk, second)
    assert _done(env, order) == [True, True]


def test_an_activity_goes_only_to_someone_who_may_work_in_the_records_company(env):
    (order,) = draft_orders(env, 1)
    branch = env["loom.company"].create({"name": "Activity Branch Ltd.", "code": "ACTBR"})
    outsider = person(env, "otto")
    env["loom.user"].write([outsider], {"company_id": branch.id, "company_ids": [branch.id]})
    both = person(env, "bea")
    env["loom.user"].write([both], {"company_ids": [both.company_id, branch.id]})

    with pytest.raises(ValidationError) as refused:
        add_activity(env, "alpha.order", order.id, due=DUE, assignee_id=outsider.id, summary="Count the chairs")
    assert refused.value.field == "assignee_id" and "otto" in str(refused.value)
    assert add_activity(env, "alpha.order", order.id, due=DUE, assignee_id=both.id, summary="Count the chairs")
    assert [e["body"] for e in timeline(env, "alpha.order", order.id) if e["kind"] == "activity"] == [
        "Count the chairs"]
