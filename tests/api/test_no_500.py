"""Random requests to the record routes never get a 500: whatever a client sends, the answer is a
success or a refusal of the error contract (a bounded property-based run, in place of schemathesis)."""

from __future__ import annotations

import json

import pytest
from api_bench import error
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIELDS = ["name", "email", "city", "active", "is_company", "parent_id", "child_ids", "tag_ids", "type", "id",
          "version", "company_id", "nickname", "lines", "partner_id", "state", "amount_total", "quantity"]
values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text(max_size=30)
    | st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(["NaN", "1e309", "2024-02-30", "\x00"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(FIELDS + ["create", "delete"]),
                                                                inner, max_size=3),
    max_leaves=8)
bodies = st.dictionaries(st.sampled_from(FIELDS), values, max_size=4)
MODELS = st.sampled_from(["base.partner", "alpha.order", "alpha.order.line", "loom.user", "no.model"])
RUN = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module", autouse=True)
def some_orders(bench):
    """Three draft orders with a line each (records 1..3 of orders, lines and partners exist)."""
    from loomtest_alpha.testing import draft_orders

    bench.unit(lambda env: draft_orders(env, 3))


def _contract(answer) -> None:
    assert answer.status_code < 500 or answer.status_code == 503, answer.get_data(as_text=True)[:300]
    if answer.status_code >= 400:
        error(answer)


@RUN
@given(model=MODELS, filter_=values, order=st.text(max_size=30), limit=st.text(max_size=6),
       fields=st.text(max_size=20), total=st.sampled_from(["exact", "estimated", "none", "x"]))
def test_random_list_queries(bench, model, filter_, order, limit, fields, total):
    query = {"filter": json.dumps(filter_), "order": order, "limit": limit, "fields": fields, "total": total}
    _contract(bench.get(f"/api/v1/{model}", query_string={k: v for k, v in query.items() if v}))


@RUN
@given(model=MODELS, body=bodies)
def test_random_creates(bench, model, body):
    _contract(bench.post(f"/api/v1/{model}", data=json.dumps(body), content_type="application/json"))


@RUN
@given(model=MODELS, record=st.integers(min_value=0, max_value=5), body=bodies,
       transition=st.sampled_from(["confirm", "cancel", "done", "x", "onchange"]))
def test_random_changes_and_transitions(bench, model, record, body, transition):
    _contract(bench.patch(f"/api/v1/{model}/{record}", data=json.dumps(body), content_type="application/json"))
    _contract(bench.post(f"/api/v1/{model}/{record}/{transition}", json=body))
    _contract(bench.post(f"/api/v1/{model}/onchange", json={"values": body, "changed": transition}))
