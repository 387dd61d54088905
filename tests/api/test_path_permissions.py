"""A dotted path reads every model it passes through: the alpha clerk, who may not read companies,
can neither filter nor sort orders by their company's name (a filter's total would tell the name,
letter by letter); a path through models the clerk reads works as before."""

from __future__ import annotations

import json

import pytest
from api_bench import error


@pytest.fixture(scope="module")
def order(bench):
    """An order of the main company's partner Rita."""
    def make(env):
        partner = env["base.partner"].create({"name": "Rita"})
        return env["alpha.order"].create({"partner_id": partner.id, "name": "PATH-1"}).id

    return bench.unit(make)


def _orders(bench, **query):
    return bench.get("/api/v1/alpha.order", who="clerk", query_string=query)


def test_the_clerk_may_not_read_companies(bench, order):
    assert bench.get("/api/v1/loom.company", who="clerk").status_code == 403


def test_the_clerk_cannot_filter_by_the_company_name(bench, order):
    answer = _orders(bench, filter=json.dumps([["company_id.name", "ilike", "My "]]), total="exact")
    assert answer.status_code == 403 and "total" not in answer.get_json()
    assert error(answer)["code"] == "access_denied" and "loom.company" in error(answer)["message"]


def test_the_clerk_cannot_sort_by_the_company_name(bench, order):
    answer = _orders(bench, order="company_id.name desc")
    assert answer.status_code == 403 and "loom.company" in error(answer)["message"]


def test_a_path_through_models_the_clerk_reads_still_works(bench, order):
    answer = _orders(bench, filter=json.dumps([["partner_id.name", "=", "Rita"]]), order="partner_id.name")
    assert answer.status_code == 200, answer.get_json()
    assert [o["id"] for o in answer.get_json()["records"]] == [order]
    assert _orders(bench, filter=json.dumps([["company_id", "=", 1]])).status_code == 200  # its own field


def test_an_administrator_filters_by_the_company_name(bench, order):
    answer = bench.get("/api/v1/alpha.order", query_string={"filter": json.dumps([["company_id.name", "!=", ""]])})
    assert answer.status_code == 200 and order in [o["id"] for o in answer.get_json()["records"]]
