"""A user manager manages people, not companies: they give only companies they may work in
themselves and never widen their own allowed companies, so nobody opens another company's
records through them; an administrator may give any company."""

from __future__ import annotations

import pytest
from api_bench import PASSWORD, error


@pytest.fixture(scope="module")
def people(bench):
    """Uma, a user manager of the main company with a token; Cleo, a clerk there; a branch company
    with an order of its own. Returns the ids by name."""
    from loom.kernel.api.tokens import create_token
    from loom.kernel.users import create_user

    def make(env):
        uma = create_user(env, "uma", "Uma", PASSWORD, roles=["kernel.user_manager", "loomtest_alpha.clerk"])
        cleo = create_user(env, "cleo", "Cleo", PASSWORD, roles=["loomtest_alpha.clerk"])
        bench.tokens["uma"] = create_token(env, uma, "people")[1]
        bench.tokens["cleo"] = create_token(env, cleo, "orders")[1]
        branch = env["loom.company"].create({"name": "Branch", "code": "BR"})
        buyer = env["base.partner"].create({"name": "Branch buyer", "company_id": branch.id})
        order = env["alpha.order"].create({"partner_id": buyer.id, "company_id": branch.id, "name": "BRANCH-1"})
        return {"uma": uma.id, "cleo": cleo.id, "main": uma.company_id, "branch": branch.id, "order": order.id}

    return bench.unit(make)


def _version(bench, user_id):
    return bench.get(f"/api/v1/loom.user/{user_id}", query_string={"fields": "version"}).get_json()["version"]


def _companies(bench, user_id):
    return bench.unit(lambda env: (sorted(c.id for c in env["loom.user"].get(user_id).company_ids),
                                   env["loom.user"].get(user_id).company_id))


def test_a_user_manager_cannot_add_a_company_to_their_own_account(bench, people):
    before = _companies(bench, people["uma"])
    answer = bench.patch(f"/api/v1/loom.user/{people['uma']}", who="uma", json={
        "version": _version(bench, people["uma"]), "company_ids": [people["main"], people["branch"]]})
    assert answer.status_code == 403 and error(answer)["field"] == "company_ids"
    assert _companies(bench, people["uma"]) == before


def test_a_user_manager_cannot_make_another_company_their_active_one(bench, people):
    answer = bench.patch(f"/api/v1/loom.user/{people['uma']}", who="uma", json={
        "version": _version(bench, people["uma"]), "company_id": people["branch"]})
    assert answer.status_code == 422 and error(answer)["field"] == "company_id"  # not a company of hers
    assert bench.get(f"/api/v1/alpha.order/{people['order']}", who="uma").status_code == 404


def test_a_user_manager_cannot_open_the_branch_to_a_clerk(bench, people):
    answer = bench.patch(f"/api/v1/loom.user/{people['cleo']}", who="uma", json={
        "version": _version(bench, people["cleo"]), "company_ids": [people["main"], people["branch"]]})
    assert answer.status_code == 403 and error(answer)["field"] == "company_ids"
    assert _companies(bench, people["cleo"]) == ([people["main"]], people["main"])
    assert bench.get(f"/api/v1/alpha.order/{people['order']}", who="cleo").status_code == 404


def test_an_administrator_opens_the_branch_to_a_clerk(bench, people):
    answer = bench.patch(f"/api/v1/loom.user/{people['cleo']}", json={
        "version": _version(bench, people["cleo"]), "company_ids": [people["main"], people["branch"]]})
    assert answer.status_code == 200, answer.get_json()
    assert bench.get(f"/api/v1/alpha.order/{people['order']}", who="cleo").status_code == 200
    # now within Cleo's allowed companies, the user manager may not widen them further, but may
    # still edit her within the companies both of them share
    renamed = bench.patch(f"/api/v1/loom.user/{people['cleo']}", who="uma", json={
        "version": _version(bench, people["cleo"]), "name": "Cleo Wu"})
    assert renamed.status_code == 200, renamed.get_json()
