"""Attachments are reached through their record: the generic API lists no attachment row (not even
for an administrator, whose company may not be the record's) and writes none (a forged row would
point at another company's file by its SHA-256)."""

from __future__ import annotations

import pytest
from api_bench import PASSWORD


@pytest.fixture(scope="module")
def branch_contract(bench):
    """A branch order with a contract attached; Ada's administrator colleague Max works in main only."""
    from loom.kernel.api.tokens import create_token
    from loom.kernel.attachments.service import attach
    from loom.kernel.users import create_user

    def make(env):
        branch = env["loom.company"].create({"name": "Branch", "code": "BR"})
        buyer = env["base.partner"].create({"name": "Branch buyer", "company_id": branch.id})
        order = env["alpha.order"].create({"partner_id": buyer.id, "company_id": branch.id, "name": "BR-1"})
        contract = attach(env, "alpha.order", order.id, "contract.txt", b"BRANCH CONTRACT")
        max_ = create_user(env, "max", "Max", PASSWORD, roles=["kernel.administrator"])
        bench.tokens["max"] = create_token(env, max_, "admin")[1]
        mine = env["base.partner"].create({"name": "Main buyer"})
        return {"contract": contract.id, "sha256": contract.sha256, "mine": mine.id}

    return bench.unit(make)


def test_an_administrator_of_another_company_does_not_list_the_branch_contract(bench, branch_contract):
    answer = bench.get("/api/v1/loom.attachment", who="max")
    assert answer.status_code == 403
    assert bench.get(f"/api/v1/loom.attachment/{branch_contract['contract']}", who="max").status_code == 403


def test_an_administrator_cannot_forge_an_attachment_row_onto_the_branch_file(bench, branch_contract):
    forged = bench.post("/api/v1/loom.attachment", who="max", json={
        "model": "base.partner", "res_id": branch_contract["mine"], "name": "mine.txt",
        "mimetype": "text/plain", "size": 15, "sha256": branch_contract["sha256"]})
    assert forged.status_code == 403
    assert bench.unit(lambda env: len(env.sudo()["loom.attachment"].search([["name", "=", "mine.txt"]]))) == 0
