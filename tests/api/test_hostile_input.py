"""Hostile requests (B1, B3): SQL in filters and orders, oversized and malformed bodies, numbers that
are not amounts. Each gets a 4xx naming its field, the payload never reaches a statement, and
nothing is written."""

from __future__ import annotations

import json
import time

import pytest
from api_bench import error, statements

SQL_ORDERS = ["name;DROP TABLE base_partner--", "id,(SELECT pg_sleep(5))", "(CASE WHEN (SELECT 1)=1 THEN name END)",
              "id) OR 1=1--", "__class__", "password_hash", "name desc; SELECT 1", "strcmp(secret,'x')"]
SQL_FILTERS = ['[["name", "=", "x\' OR \'1\'=\'1"]]', '[["id) OR 1=1--", "=", 1]]', '[["__class__", "=", 1]]',
               '[["name", "= ANY(ARRAY[1]) OR 1=1 --", "x"]]', '[["password_hash", "=", "x"]]',
               '[["name", "in", "SELECT 1"]]', '"1=1"', '[["company_id.name; DROP", "=", "x"]]']


def test_sql_in_an_order_is_refused_and_never_reaches_the_database(bench):
    engine = bench.app.extensions["loom"].engine
    for order in SQL_ORDERS:
        with statements(engine) as seen:
            started = time.monotonic()
            answer = bench.get("/api/v1/loom.user", query_string={"order": order})
            assert time.monotonic() - started < 1
        assert answer.status_code in (400, 403), (order, answer.get_json())
        assert error(answer)["code"] in ("invalid_field", "invalid_operator", "invalid_value", "field_forbidden")
        if _sql_like(order):
            assert not any(order in statement for statement in seen), order


def test_sql_in_a_filter_is_refused_or_bound_as_a_value(bench):
    engine = bench.app.extensions["loom"].engine
    for domain in SQL_FILTERS:
        with statements(engine) as seen:
            answer = bench.get("/api/v1/loom.user", query_string={"filter": domain, "total": "exact"})
        payload = json.loads(domain)
        texts = [part for leaf in (payload if isinstance(payload, list) else [[payload]]) for part in leaf
                 if isinstance(part, str) and _sql_like(part)]
        assert not any(text in statement for text in texts for statement in seen), domain
        if answer.status_code == 200:  # a literal compared as a value: no row has that name
            assert answer.get_json()["total"] == 0, domain
        else:
            assert answer.status_code in (400, 403, 422), (domain, answer.get_json())


def _sql_like(text: str) -> bool:
    """Whether ``text`` carries SQL syntax (plain names like ``password_hash`` are column names anyway)."""
    return any(ch in text for ch in " '();-,")


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1e309", "1." + "0" * 39 + "1", '"\uff11\uff12"'])
def test_amounts_that_are_not_numbers_or_too_precise_are_refused_naming_the_field(bench, amount):
    order = bench.unit(lambda env: env["alpha.order"].search([], limit=1) or None)
    body = b'{"order_id": %d, "quantity": 1, "price": %s}' % (order[0].id if order else 1, amount.encode())
    before = bench.unit(lambda env: env["alpha.order.line"].count())
    answer = bench.post("/api/v1/alpha.order.line", data=body, content_type="application/json")
    assert answer.status_code == 422, answer.get_json()
    assert error(answer)["field"] == "price"
    assert bench.unit(lambda env: env["alpha.order.line"].count()) == before


@pytest.fixture(scope="module", autouse=True)
def an_order(bench):
    """One draft order, so line bodies have a parent."""
    from loomtest_alpha.testing import draft_orders

    bench.unit(lambda env: draft_orders(env, 1))


@pytest.mark.parametrize(("body", "status", "field"), [
    (b'{"name": "\xff\xfe"}', 400, "body"),
    (b'[' * 10_000 + b']' * 10_000, 400, "body"),
    (b'[1, 2, 3]', 400, "body"),
    (b'{"name": "a\\u0000b"}', 422, "name"),
    (b'{"name": "' + b"x" * 300 + b'"}', 422, "name"),
    (b'{"name": ' + b"1" * 5000 + b'}', 400, "body"),
    (b'{"name": "' + b"x" * 2_000_000 + b'"}', 413, "body"),
    (b"[" + b"1," * 999_999 + b"1]", 413, "body"),
])
def test_malformed_and_oversized_bodies_are_refused_quickly(bench, body, status, field):
    before = bench.unit(lambda env: env["base.partner"].count([], active_test=False))
    started = time.monotonic()
    answer = bench.post("/api/v1/base.partner", data=body, content_type="application/json")
    assert time.monotonic() - started < 0.5
    assert answer.status_code == status, answer.get_json()
    assert error(answer)["field"] == field
    assert bench.unit(lambda env: env["base.partner"].count([], active_test=False)) == before


def test_a_query_string_that_is_not_utf8_is_a_400(bench):
    answer = bench.get("/api/v1/base.partner?filter=%FF%FE")
    assert answer.status_code == 400
