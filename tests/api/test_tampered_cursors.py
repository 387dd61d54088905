"""A cursor is opaque, but a client can still decode, edit and send it back: every value it holds must
be of its column's kind and range, or the answer is 400 ``malformed_request`` naming ``cursor``,
never a database error."""

from __future__ import annotations

import base64
import json

import pytest
from api_bench import error


@pytest.fixture(scope="module")
def partners(bench):
    """Three partners, so a page of one has a next cursor."""
    bench.unit(lambda env: env["base.partner"].create([{"name": f"Cursor {i}"} for i in range(3)]))


def _cursor(order: str, values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": order, "v": values}).encode()).decode().rstrip("=")


def _page(bench, **query):
    return bench.get("/api/v1/base.partner", query_string={"limit": "1", "fields": "name", **query})


def test_the_cursor_the_server_gave_still_works(bench, partners):
    first = _page(bench).get_json()
    second = _page(bench, cursor=first["next_cursor"])
    assert second.status_code == 200 and second.get_json()["records"] != first["records"]


@pytest.mark.parametrize("values", [
    [[1, 2], 1], [{"a": 1}, 1], ["a\x00b", 1], [True, 1], [1.5, 1], ["\ud800", 1],  # names that are no text
    ["x", 2**70], ["x", -(2**64)], ["x", 1.5], ["x", "7"], ["x", True],              # ids that are no id
], ids=repr)
def test_a_tampered_name_order_cursor_is_refused(bench, partners, values):
    order = _page(bench).get_json()["next_cursor"]
    state = json.loads(base64.urlsafe_b64decode(order + "=" * (-len(order) % 4)))
    answer = _page(bench, cursor=_cursor(state["o"], values))
    assert answer.status_code == 400, answer.get_json()
    assert error(answer)["code"] == "malformed_request" and error(answer)["field"] == "cursor"


@pytest.mark.parametrize("values", [["x", 1], [[1], 1], [1, 1], [None, "1"]], ids=repr)
def test_a_tampered_yes_or_no_cursor_is_refused(bench, partners, values):
    answer = _page(bench, order="is_company", cursor=_cursor("is_company", values))
    assert answer.status_code == 400 and error(answer)["field"] == "cursor"


@pytest.mark.parametrize("values", [["NaN", 1], ["1e999999", 1], [1.5, 1], [{"a": 1}, 1], ["12.5", 1]], ids=repr)
def test_a_tampered_amount_cursor_is_refused_unless_it_is_an_amount(bench, partners, values):
    answer = bench.get("/api/v1/alpha.order", query_string={
        "limit": "1", "order": "amount_total", "cursor": _cursor("amount_total", values)})
    if values[0] == "12.5":  # an amount written by hand is a fine place to start from
        assert answer.status_code == 200, answer.get_json()
    else:
        assert answer.status_code == 400 and error(answer)["field"] == "cursor"


def test_a_cursor_that_is_no_json_object_is_refused(bench, partners):
    for cursor in ("bm90IGpzb24", base64.urlsafe_b64encode(b"[1, 2]").decode(),
                   base64.urlsafe_b64encode(b'{"o": "name, id", "v": {"a": 1, "b": 2}}').decode()):
        answer = _page(bench, order="name", cursor=cursor)
        assert answer.status_code == 400 and error(answer)["field"] == "cursor"
