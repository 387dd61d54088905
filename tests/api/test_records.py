"""An integrator lists, reads, creates, changes and deletes records by dotted model name, with lines,
on-change and workflow transitions, within the user's permissions, rules and companies."""

from __future__ import annotations

import pytest
from api_bench import error


@pytest.fixture(scope="module")
def partners(bench):
    """Twelve partners named P00..P11 (the first three without email), and one of another company."""
    def make(env):
        made = env["base.partner"].create([{"name": f"P{i:02d}", "email": None if i < 3 else f"p{i}@example.com"}
                                           for i in range(12)])
        branch = env["loom.company"].create({"name": "Branch Ltd.", "code": "BR"})
        env["base.partner"].create({"name": "P99 branch", "company_id": branch.id})
        return [p.id for p in made]

    return bench.unit(make)


def _names(answer) -> list[str]:
    return [row["name"] for row in answer.get_json()["records"]]


def test_a_list_filters_orders_and_limits(bench, partners):
    answer = bench.get("/api/v1/base.partner", query_string={
        "filter": '[["name", "like", "P0"]]', "order": "name desc", "limit": "3", "fields": "name,email"})
    assert answer.status_code == 200
    body = answer.get_json()
    assert _names(answer) == ["P09", "P08", "P07"]
    assert set(body["records"][0]) == {"name", "email"}
    assert "total" not in body


def test_cursor_pages_walk_every_row_once_in_order(bench, partners):
    for order in ("name", "email desc", "email, name desc"):
        seen, cursor = [], None
        while True:
            query = {"filter": '[["name", "like", "P"]]', "order": order, "limit": "5", "fields": "name"}
            if cursor:
                query["cursor"] = cursor
            body = bench.get("/api/v1/base.partner", query_string=query).get_json()
            seen += [row["name"] for row in body["records"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        every = bench.get("/api/v1/base.partner", query_string={
            "filter": '[["name", "like", "P"]]', "order": order, "limit": "100", "fields": "name"})
        assert seen == _names(every), order
        assert len(seen) == 12  # the other company's partner is not there


def test_offset_pages_and_totals(bench, partners):
    query = {"filter": '[["name", "like", "P"]]', "order": "name", "limit": "4", "offset": "8"}
    exact = bench.get("/api/v1/base.partner", query_string={**query, "total": "exact"}).get_json()
    assert [r["name"] for r in exact["records"]] == ["P08", "P09", "P10", "P11"]
    assert (exact["total"], exact["total_relation"]) == (12, "eq")
    estimated = bench.get("/api/v1/base.partner", query_string={**query, "total": "estimated"}).get_json()
    assert estimated["total"] >= 1 and estimated["total_relation"] in ("eq", "estimate", "gte")


def test_a_bad_cursor_or_limit_is_a_400_naming_it(bench, partners):
    assert error(bench.get("/api/v1/base.partner", query_string={"cursor": "bm9wZQ"}))["field"] == "cursor"
    for limit in ("-1", "1e9", "0", "10001", "abc"):
        answer = bench.get("/api/v1/base.partner", query_string={"limit": limit})
        assert answer.status_code == 400 and error(answer)["field"] == "limit", limit
    answer = bench.get("/api/v1/base.partner", query_string={"total": "maybe"})
    assert answer.status_code == 400 and error(answer)["field"] == "total"


def test_an_order_is_created_with_its_lines_and_its_total(bench, partners):
    answer = bench.post("/api/v1/alpha.order", json={"partner_id": partners[0], "lines": [
        {"quantity": "2", "price": "10.50"}, {"quantity": 1, "price": 4.25}]})
    assert answer.status_code == 201, answer.get_json()
    order = answer.get_json()
    assert order["amount_total"] == "25.2500" and len(order["lines"]) == 2 and order["state"] == "draft"
    line = bench.get(f"/api/v1/alpha.order.line/{order['lines'][0]}").get_json()
    assert line["subtotal"] == "21.0000"


def test_lines_are_added_changed_and_removed_in_one_patch(bench, partners):
    order = bench.post("/api/v1/alpha.order", json={"partner_id": partners[0], "lines": [
        {"quantity": "1", "price": "10"}, {"quantity": "1", "price": "20"}]}).get_json()
    first, second = order["lines"]
    answer = bench.patch(f"/api/v1/alpha.order/{order['id']}", json={"version": order["version"], "lines": {
        "create": [{"quantity": "3", "price": "1"}], "update": [{"id": first, "quantity": "2"}], "delete": [second]}})
    assert answer.status_code == 200, answer.get_json()
    changed = answer.get_json()
    assert changed["amount_total"] == "23.0000" and len(changed["lines"]) == 2 and second not in changed["lines"]


def test_a_patch_without_a_version_is_refused(bench, partners):
    answer = bench.patch(f"/api/v1/base.partner/{partners[0]}", json={"name": "No version"})
    assert answer.status_code == 400 and error(answer)["field"] == "version"


def test_mass_assignment_is_refused_and_nothing_is_stored(bench, partners):
    order = bench.post("/api/v1/alpha.order", json={"partner_id": partners[1]}).get_json()
    for extra in ({"state": "done"}, {"id": 999}, {"version": 7}, {"amount_total": "1"}, {"create_uid": 1},
                  {"is_superuser": True}, {"hash": "x"}):
        answer = bench.post("/api/v1/alpha.order", json={"partner_id": partners[1], **extra})
        assert answer.status_code == 422, extra
        assert error(answer)["code"] == "unknown_or_readonly_field" and error(answer)["field"] == next(iter(extra))
    patched = bench.patch(f"/api/v1/alpha.order/{order['id']}", json={"version": order["version"], "state": "done"})
    assert patched.status_code == 422 and error(patched)["code"] == "unknown_or_readonly_field"
    assert bench.get(f"/api/v1/alpha.order/{order['id']}").get_json()["state"] == "draft"
    me = bench.get("/api/v1/loom.user", who="clerk", query_string={"filter": '[["login", "=", "clerk"]]'})
    assert me.status_code == 403  # a clerk cannot even read users, let alone give themselves roles


def test_an_order_from_another_company_is_refused(bench, partners):
    branch = bench.unit(lambda env: env["loom.company"].search([["code", "=", "BR"]])[0].id)
    answer = bench.post("/api/v1/alpha.order", json={"partner_id": partners[1], "company_id": branch})
    assert answer.status_code == 422 and error(answer)["field"] == "company_id"


def test_a_record_is_deleted_and_then_missing(bench, partners):
    made = bench.post("/api/v1/base.partner", json={"name": "Short-lived"}).get_json()
    assert bench.request("DELETE", f"/api/v1/base.partner/{made['id']}").status_code == 200
    assert bench.get(f"/api/v1/base.partner/{made['id']}").status_code == 404


def test_onchange_recomputes_a_draft_without_saving(bench, partners):
    before = bench.get("/api/v1/alpha.order.line", query_string={"total": "exact", "limit": "1"}).get_json()["total"]
    answer = bench.post("/api/v1/alpha.order.line/onchange", json={
        "values": {"quantity": "3", "price": "2.5"}, "changed": "quantity"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["values"]["subtotal"] == "7.5000"
    after = bench.get("/api/v1/alpha.order.line", query_string={"total": "exact", "limit": "1"}).get_json()["total"]
    assert after == before


def test_a_transition_moves_the_record(bench, partners):
    order = bench.post("/api/v1/alpha.order", json={
        "partner_id": partners[0], "lines": [{"quantity": "1", "price": "5"}]}).get_json()
    assert "id" in order, order
    answer = bench.post(f"/api/v1/alpha.order/{order['id']}/cancel", who="clerk")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["state"] == "cancelled"
    unknown = bench.post(f"/api/v1/alpha.order/{order['id']}/explode", who="clerk")
    assert unknown.status_code == 422 and error(unknown)["field"] == "transition"


def test_a_clerk_sees_only_the_main_companys_partners(bench, partners):
    names = _names(bench.get("/api/v1/base.partner", who="clerk", query_string={"limit": "200", "total": "exact"}))
    assert "P99 branch" not in names and "P00" in names
    hidden = bench.unit(lambda env: env["base.partner"].search([["name", "=", "P99 branch"]])[0].id)
    assert bench.get(f"/api/v1/base.partner/{hidden}", who="clerk").status_code == 404
    assert bench.get("/api/v1/base.partner", who="clerk", query_string={
        "filter": '[["name", "=", "P99 branch"]]', "total": "exact"}).get_json()["total"] == 0
    assert bench.post("/api/v1/base.partner", who="clerk", json={"name": "Not allowed"}).status_code == 403


def test_of_ten_saves_racing_from_one_version_exactly_one_wins_and_the_rest_see_its_values(bench, partners):
    import threading

    record = partners[5]
    version = bench.get(f"/api/v1/base.partner/{record}").get_json()["version"]
    answers = {}

    def save(i):
        answers[i] = bench.patch(f"/api/v1/base.partner/{record}", json={"city": f"City {i}", "version": version})

    threads = [threading.Thread(target=save, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [i for i, a in answers.items() if a.status_code == 200]
    assert len(winners) == 1, {i: a.get_json() for i, a in answers.items()}
    final = bench.get(f"/api/v1/base.partner/{record}").get_json()
    assert final["version"] == version + 1 and final["city"] == f"City {winners[0]}"
    for i, answer in answers.items():
        if i != winners[0]:
            assert answer.status_code == 409 and error(answer)["code"] == "stale_record"
            assert error(answer)["details"]["current"]["city"] == final["city"]


def test_a_user_manager_cannot_make_themselves_administrator(bench):
    from loom.kernel.api.tokens import create_token
    from loom.kernel.users import create_user, role_by_code

    def make(env):
        manager = create_user(env, "umgr", "Umgr", "a-long-test-password", roles=["kernel.user_manager"])
        return manager.id, manager.version, role_by_code(env, "kernel.administrator").id, create_token(
            env, manager, "self")[1]

    uid, version, admin, token = bench.unit(make)
    answer = bench.app.test_client().patch(f"/api/v1/loom.user/{uid}", json={"role_ids": [admin], "version": version},
                                           headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403 and error(answer)["field"] == "role_ids"
    roles = bench.unit(lambda env: [r.code for r in env["loom.user"].get(uid).role_ids])
    assert roles == ["kernel.user_manager"]


def test_a_list_ordered_through_a_link_follows_the_linked_name(bench, partners):
    from loomtest_alpha.testing import draft_orders

    for buyer in ("Zeta Buyer", "Aa Buyer"):
        bench.unit(lambda env, buyer=buyer: draft_orders(env, 1, partner_name=buyer))
    answer = bench.get("/api/v1/alpha.order", query_string={"order": "partner_id.name desc", "limit": "500",
                                                              "fields": "partner_id"})
    assert answer.status_code == 200, answer.get_json()
    names = bench.unit(lambda env: {p.id: p.name for p in env["base.partner"].search([])})
    shown = [names[row["partner_id"]] for row in answer.get_json()["records"]]
    assert shown == sorted(shown, reverse=True) and "Zeta Buyer" in shown and "Aa Buyer" in shown
