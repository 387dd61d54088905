"""Every refusal of the API is one JSON shape with the status the contract names, never a 500."""

from __future__ import annotations

import pytest
from api_bench import error


@pytest.fixture(scope="module")
def orders(bench):
    """Two draft orders of the main company and one of another company nobody on the bench may see."""
    from loomtest_alpha.testing import draft_orders

    def make(env):
        mine = [o.id for o in draft_orders(env, 2)]
        branch = env["loom.company"].create({"name": "Branch Ltd.", "code": "BRANCH"})
        partner = env["base.partner"].create({"name": "Branch Buyer"})
        hidden = env.with_company(branch.id)["alpha.order"].create({"partner_id": partner.id, "company_id": branch.id})
        return mine, hidden.id

    return bench.unit(make)


def test_400_for_a_body_that_is_not_json(bench):
    answer = bench.post("/api/v1/base.partner", data=b'{"name": ', content_type="application/json")
    assert answer.status_code == 400
    assert error(answer)["code"] == "malformed_request" and error(answer)["field"] == "body"


def test_400_for_an_unknown_field_in_a_filter(bench):
    answer = bench.get("/api/v1/base.partner", query_string={"filter": '[["nickname", "=", "x"]]'})
    assert answer.status_code == 400
    assert error(answer)["code"] == "invalid_field" and error(answer)["field"] == "nickname"


def test_400_for_an_unknown_field_asked_for(bench):
    partner = bench.unit(lambda env: env["base.partner"].create({"name": "Asked For"}).id)
    for path in ("/api/v1/base.partner", f"/api/v1/base.partner/{partner}"):
        answer = bench.get(path, query_string={"fields": "name,nickname"})
        assert answer.status_code == 400, path
        assert error(answer)["code"] == "invalid_field" and error(answer)["field"] == "nickname"


def test_400_for_an_unknown_operator(bench):
    answer = bench.get("/api/v1/base.partner", query_string={"filter": '[["name", "~~", "x"]]'})
    assert answer.status_code == 400
    assert error(answer)["code"] == "invalid_operator"


def test_401_without_a_token(bench):
    answer = bench.get("/api/v1/base.partner", who=None)
    assert answer.status_code == 401 and error(answer)["code"] == "unauthenticated"


def test_403_for_a_model_the_user_has_no_permission_on(bench):
    answer = bench.get("/api/v1/alpha.order", who="nobody")
    assert answer.status_code == 403 and error(answer)["code"] == "access_denied"


def test_403_for_a_field_nobody_may_read(bench):
    answer = bench.get("/api/v1/loom.user", query_string={"fields": "login,password_hash"})
    assert answer.status_code == 403
    assert error(answer)["code"] == "field_forbidden" and error(answer)["field"] == "password_hash"


def test_404_looks_the_same_for_a_missing_record_and_one_of_another_company(bench, orders):
    _mine, hidden = orders
    missing = 10 ** len(str(hidden)) - 1  # same number of digits: the bodies must be identical but for the id
    assert missing > hidden
    for who in ("ada", "clerk"):
        seen = bench.get(f"/api/v1/alpha.order/{hidden}", who=who)
        absent = bench.get(f"/api/v1/alpha.order/{missing}", who=who)
        assert seen.status_code == absent.status_code == 404
        assert error(seen)["code"] == "not_found"
        assert seen.get_data(as_text=True).replace(str(hidden), "N") == absent.get_data(as_text=True).replace(
            str(missing), "N")


def test_404_for_an_unknown_model_and_an_unknown_route(bench):
    assert error(bench.get("/api/v1/no.such.model"))["code"] == "not_found"
    answer = bench.get("/api/v1/base.partner/1/lines/2/more")
    assert answer.status_code == 404 and error(answer)["code"] == "not_found"


def test_409_with_the_current_values_when_the_version_is_stale(bench, orders):
    record = orders[0][0]
    version = bench.get(f"/api/v1/alpha.order/{record}").get_json()["version"]
    assert bench.patch(f"/api/v1/alpha.order/{record}", json={"name": "first", "version": version}).status_code == 200
    stale = bench.patch(f"/api/v1/alpha.order/{record}", json={"name": "second", "version": version})
    assert stale.status_code == 409
    refusal = error(stale)
    assert refusal["code"] == "stale_record"
    assert refusal["details"]["current"]["name"] == "first"
    assert refusal["details"]["current"]["version"] == version + 1


def test_409_for_an_idempotency_key_used_with_another_body(bench):
    headers = {"Idempotency-Key": "contract-409"}
    assert bench.post("/api/v1/base.partner", json={"name": "Keyed"}, headers=headers).status_code == 201
    reused = bench.post("/api/v1/base.partner", json={"name": "Other"}, headers=headers)
    assert reused.status_code == 409 and error(reused)["code"] == "idempotency_key_reused"


def test_413_for_a_body_over_the_limit(bench):
    answer = bench.post("/api/v1/base.partner", data=b'{"name": "' + b"x" * 1_100_000 + b'"}',
                        content_type="application/json")
    assert answer.status_code == 413
    assert error(answer)["code"] == "payload_too_large" and error(answer)["field"] == "body"


def test_422_for_a_field_clients_may_not_write(bench, orders):
    answer = bench.post("/api/v1/alpha.order", json={"partner_id": 1, "state": "done"})
    assert answer.status_code == 422
    assert error(answer)["code"] == "unknown_or_readonly_field" and error(answer)["field"] == "state"


def test_422_for_an_invalid_value(bench):
    answer = bench.post("/api/v1/alpha.order.line", json={"order_id": 1, "quantity": "abc", "price": "1"})
    assert answer.status_code == 422 and error(answer)["field"] == "quantity"


def test_422_for_an_illegal_transition(bench, orders):
    record = orders[0][1]
    answer = bench.post(f"/api/v1/alpha.order/{record}/done")
    assert answer.status_code == 422
    assert "draft" in error(answer)["message"]


def test_503_with_retry_after_when_the_database_stays_busy(bench, monkeypatch):
    from loom.kernel.api import routes
    from loom.kernel.errors import BusyError

    def busy(*_args, **_kw):
        raise BusyError("kernel.busy", attempts=5)

    monkeypatch.setattr(routes, "list_page", busy)
    answer = bench.get("/api/v1/base.partner")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    assert error(answer)["code"] == "busy"


def test_503_when_the_database_connection_is_lost(bench, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from loom.kernel.api import routes

    def lost(*_args, **_kw):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(routes, "list_page", lost)
    answer = bench.get("/api/v1/base.partner")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    assert error(answer)["code"] == "busy"


def test_422_for_a_warning_to_acknowledge_carries_its_id(bench, monkeypatch):
    from loom.kernel import errors
    from loom.kernel.api import routes

    def warn(*_args, **_kw):
        raise errors.Warning("kernel.busy", warning_id="credit_limit", attempts=1)

    monkeypatch.setattr(routes, "list_page", warn)
    answer = bench.get("/api/v1/base.partner")
    assert answer.status_code == 422
    assert error(answer)["code"] == "warning" and error(answer)["details"]["warning_id"] == "credit_limit"


def test_messages_follow_the_users_language(bench):
    def chinese(env):
        env["loom.user"].write(env["loom.user"].search([["login", "=", "nobody"]]), {"lang": "zh_CN"})

    bench.unit(chinese)
    answer = bench.get("/api/v1/alpha.order", who="nobody")
    assert answer.status_code == 403
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error(answer)["message"])
