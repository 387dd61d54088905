"""The company a new record defaults to is a link like any other: a user who may not read companies
cannot create company-bound records by leaving ``company_id`` out, through the API or in lines."""

from __future__ import annotations

import pytest
from api_bench import PASSWORD, error


@pytest.fixture(scope="module")
def partner(bench):
    """A customer the alpha clerk can read."""
    return bench.unit(lambda env: env["base.partner"].create({"name": "Defaulted Buyer"}).id)


def _orders(bench, partner):
    return bench.unit(lambda env: env["alpha.order"].count([["partner_id", "=", partner]]))


def test_a_clerk_who_cannot_read_companies_cannot_rely_on_the_default_company(bench, partner):
    defaulted = bench.post("/api/v1/alpha.order", who="clerk", json={"partner_id": partner})
    explicit = bench.post("/api/v1/alpha.order", who="clerk", json={"partner_id": partner, "company_id": 1})

    for answer in (defaulted, explicit):
        assert answer.status_code == 403
        assert error(answer)["code"] == "access_denied" and error(answer)["details"]["model"] == "loom.company"
    assert error(defaulted) == error(explicit)  # the default is checked exactly as a company the user names
    assert _orders(bench, partner) == 0


def test_a_clerk_who_may_read_companies_gets_their_own(bench, partner):
    from loom.kernel.api.tokens import create_token
    from loom.kernel.users import create_user

    def make(env):
        role = env["loom.role"].create({"code": "test.company_reader", "name": "Company reader"})
        env["loom.access"].create({"role_id": role.id, "model": "loom.company", "perm_read": True})
        user = create_user(env, "cora", "Cora", PASSWORD, roles=["loomtest_alpha.clerk", "test.company_reader"])
        bench.tokens["cora"] = create_token(env, user, "orders")[1]
        return user.company_id

    company = bench.unit(make)
    answer = bench.post("/api/v1/alpha.order", who="cora", json={"partner_id": partner,
                                                               "lines": [{"quantity": "1", "price": "2"}]})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["company_id"] == company
    assert _orders(bench, partner) == 1
