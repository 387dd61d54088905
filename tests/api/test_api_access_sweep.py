"""Access sweeps of the JSON API (A3, A4): a user without a permission on a model gets 403 on every
route of it, and a clerk limited by a record rule and by company sees nothing outside them through
any route: lists, details, filters, totals, on-change, transitions and idempotent replays answer
as if the hidden orders did not exist (404, same body), and their names never appear in an answer.

The route sweeps walk the application's url_map, so a route added to the API is swept without
editing this file; a route whose path needs a value the sweep cannot fill fails the sweep.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from api_bench import error
from table_fingerprint import changed_tables, fingerprint

from loom.kernel.web.state import loom_state

VISIBLE, RULED, BRANCH = "VISIBLE-ORDER", "HIDDEN-RULE-ORDER", "HIDDEN-BRANCH-ORDER"
BRANCH_PARTNER = "HIDDEN-BRANCH-BUYER"
SECRET_PARTNER = "Zeta Key Account"
#: Text of the hidden records that no answer to the clerk may contain.
SECRETS = (RULED, BRANCH, BRANCH_PARTNER, "HIDDEN-CONTACT")
MISSING_ID = 987_654


@dataclass(frozen=True)
class World:
    """Ids of the sweep's records: the clerk sees ``visible`` only."""

    visible: int
    linked: int
    ruled: int
    branch: int
    replayed: int
    branch_partner: int
    visible_partner: int
    secret_partner: int


@pytest.fixture(scope="module")
def world(bench):
    """Orders of the main company (one hidden from clerks by a record rule of their role) and of a
    branch company the clerk may not work in."""

    def make(env):
        branch = env["loom.company"].create({"name": "Sweep Branch Ltd.", "code": "SWEEPBR"})
        seen = env["base.partner"].create({"name": "Seen Buyer"})
        env["base.partner"].create([{"name": "Seen Contact", "parent_id": seen.id},
                                    {"name": "HIDDEN-CONTACT", "parent_id": seen.id, "company_id": branch.id}])
        ruled = env["base.partner"].create({"name": "Ruled Buyer"})
        hidden = env["base.partner"].create({"name": BRANCH_PARTNER, "company_id": branch.id})
        clerk_role = env["loom.role"].search([["code", "=", "loomtest_alpha.clerk"]])[0]
        env["loom.rule"].create({"name": "Clerks do not see the ruled buyer's orders", "model": "alpha.order",
                                 "role_id": clerk_role.id, "domain": [["partner_id", "!=", ruled.id]]})
        secret = env["base.partner"].create({"name": SECRET_PARTNER})
        env["loom.rule"].create({"name": "Clerks do not see key accounts", "model": "base.partner",
                                 "role_id": clerk_role.id, "domain": [["not", ["name", "ilike", "Zeta"]]]})
        orders = env["alpha.order"]
        line = [{"quantity": "1", "price": "7"}]
        visible = orders.create({"name": VISIBLE, "partner_id": seen.id, "lines": line})
        linked = orders.create({"name": VISIBLE + "-2", "partner_id": secret.id, "lines": line})
        ruled_order = orders.create({"name": RULED, "partner_id": ruled.id, "lines": line})
        in_branch = env.with_company(branch.id)["alpha.order"]
        branch_order, replayed = in_branch.create([
            {"name": BRANCH, "partner_id": hidden.id, "company_id": branch.id, "lines": line},
            {"name": BRANCH + "-2", "partner_id": hidden.id, "company_id": branch.id, "lines": line}])
        ada = env["loom.user"].search([["login", "=", "ada"]])[0]
        env["loom.user"].write([ada], {"company_ids": [ada.company_id, branch.id]})  # the administrator sees all
        return World(visible.id, linked.id, ruled_order.id, branch_order.id, replayed.id, hidden.id, seen.id,
                     secret.id)

    return bench.unit(make)


def _hidden_state(bench, world):
    """What must not change: the hidden orders' names, states and versions, and their lines."""
    def read(env):
        orders = env["alpha.order"].browse([world.ruled, world.branch])
        return [(o.name, o.state, o.version, [(ln.quantity, ln.price) for ln in o.lines]) for o in orders]

    return bench.unit(read)


def _no_secret(answer) -> None:
    text = answer.get_data(as_text=True)
    assert answer.status_code < 500, text[:300]
    for secret in SECRETS:
        assert secret not in text, (secret, text[:300])


# -- model permissions -----------------------------------------------------------------------------

def _model_routes(bench):
    """(method, path template) of every API route that names a model."""
    for rule in bench.app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/<model>"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, rule.rule


def _fill(template: str, model: str, record_id: int) -> str:
    path = template.replace("<model>", model).replace("<int:record_id>", str(record_id))
    path = path.replace("<transition>", "cancel")
    assert "<" not in path, f"the sweep cannot fill {template}: teach it the new placeholder"
    return path


BODIES = {"POST": {"values": {}, "changed": "id", "name": "x"}, "PATCH": {"version": 1, "name": "x"}}


def test_a_user_without_permissions_gets_403_on_every_route_of_every_model(bench, world):
    models = sorted(loom_state(bench.app).registry.models)
    routes = sorted(set(_model_routes(bench)))
    assert len(routes) >= 7 and len(models) >= 10
    for model in models:
        for method, template in routes:
            path = _fill(template, model, 1)
            answer = bench.request(method, path, who="nobody", json=BODIES.get(method, {}))
            assert answer.status_code == 403, (method, path, answer.get_json())
            assert error(answer)["code"] == "access_denied"


# -- what the clerk sees -------------------------------------------------------------------------

def test_the_clerk_lists_only_what_the_rule_and_the_company_allow(bench, world):
    for total in ("exact", "estimated"):
        page = bench.get("/api/v1/alpha.order", who="clerk", query_string={"total": total, "limit": "100"}).get_json()
        assert sorted(row["id"] for row in page["records"]) == [world.visible, world.linked]
        if total == "exact" or bench.shop.url.startswith("sqlite"):  # PostgreSQL's estimate is the planner's
            assert (page["total"], page["total_relation"]) == (2, "eq"), total
    everyone = bench.get("/api/v1/alpha.order", query_string={"total": "exact"}).get_json()
    assert everyone["total"] == 5  # the administrator sees all five: the clerk's 2 are the rule, not the data


def test_a_filter_finds_nothing_hidden_and_counts_nothing_hidden(bench, world):
    ids = [world.visible, world.ruled, world.branch]
    filters = ([["id", "in", ids]], [["name", "=", RULED]], [["name", "ilike", "HIDDEN"]],
               [["partner_id", "=", world.branch_partner]], [["partner_id.name", "=", BRANCH_PARTNER]],
               ["or", ["id", "=", world.ruled], ["id", "=", world.branch]])
    for domain in filters:
        answer = bench.get("/api/v1/alpha.order", who="clerk", query_string={
            "filter": json.dumps(domain), "total": "exact", "order": "name desc"})
        assert answer.status_code == 200, (domain, answer.get_json())
        page = answer.get_json()
        assert {row["id"] for row in page["records"]} <= {world.visible, world.linked}, domain
        assert page["total"] == len(page["records"]), domain
        _no_secret(answer)


def test_a_hidden_order_answers_exactly_like_one_that_never_existed(bench, world):
    never = bench.get(f"/api/v1/alpha.order/{MISSING_ID}", who="clerk")
    assert never.status_code == 404
    for hidden in (world.ruled, world.branch):
        answer = bench.get(f"/api/v1/alpha.order/{hidden}", who="clerk")
        assert answer.status_code == 404
        assert json.dumps(error(answer)).replace(str(hidden), "ID") == json.dumps(error(never)).replace(
            str(MISSING_ID), "ID")
    assert bench.get(f"/api/v1/alpha.order/{world.visible}", who="clerk").status_code == 200


def test_every_record_route_answers_404_for_hidden_orders_and_changes_nothing(bench, world):
    before = _hidden_state(bench, world)
    swept = 0
    for method, template in sorted(set(_model_routes(bench))):
        if "<int:record_id>" not in template:
            continue
        for hidden in (world.ruled, world.branch):
            version = 1
            answer = bench.request(method, _fill(template, "alpha.order", hidden), who="clerk",
                                   json={"version": version, "name": "taken over"} if method == "PATCH" else None)
            expected = (403,) if method == "DELETE" else (404,)  # the clerk may not delete any order
            assert answer.status_code in expected, (method, template, answer.get_json())
            _no_secret(answer)
            swept += 1
    assert swept >= 8
    assert _hidden_state(bench, world) == before


def test_on_change_cannot_reach_a_hidden_partner(bench, world):
    def onchange(partner):
        return bench.post("/api/v1/alpha.order/onchange", who="clerk", json={
            "values": {"partner_id": partner}, "changed": "partner_id"})

    hidden, never = onchange(world.branch_partner), onchange(MISSING_ID)
    assert hidden.status_code == never.status_code == 422
    assert error(hidden)["code"] == error(never)["code"] and error(hidden)["field"] == "partner_id"
    _no_secret(hidden)
    assert onchange(world.visible_partner).status_code == 200


def test_a_replayed_idempotency_key_gives_nobody_else_the_first_answer(bench, world):
    path = f"/api/v1/alpha.order/{world.replayed}/cancel"
    key = {"Idempotency-Key": "sweep-replay-1"}
    first = bench.post(path, headers=key)
    assert first.status_code == 200 and first.get_json()["state"] == "cancelled"
    assert bench.post(path, headers=key).get_data() == first.get_data()  # the administrator's own replay
    replay = bench.post(path, who="clerk", headers=key)
    assert replay.status_code == 404
    _no_secret(replay)
    assert BRANCH not in replay.get_data(as_text=True)


def test_a_clerk_cannot_move_a_visible_order_into_hiding_or_link_a_hidden_partner(bench, world):
    order = bench.get(f"/api/v1/alpha.order/{world.visible}", who="clerk").get_json()
    for change in ({"partner_id": world.branch_partner}, {"company_id": MISSING_ID}):
        answer = bench.patch(f"/api/v1/alpha.order/{world.visible}", who="clerk",
                             json={"version": order["version"], **change})
        assert answer.status_code in (403, 422), (change, answer.get_json())
        _no_secret(answer)
    assert bench.get(f"/api/v1/alpha.order/{world.visible}", who="clerk").get_json()["version"] == order["version"]


def test_every_list_and_model_route_keeps_the_hidden_orders_out(bench, world):
    swept = 0
    for method, template in sorted(set(_model_routes(bench))):
        if "<int:record_id>" in template:
            continue
        path = _fill(template, "alpha.order", 0)
        if method == "GET":
            answer = bench.get(path, who="clerk", query_string={"filter": '[["name", "ilike", "ORDER"]]',
                                                               "total": "exact"})
        else:
            answer = bench.request(method, path, who="clerk", json={
                "values": {"partner_id": world.visible_partner, "name": "x"}, "changed": "partner_id",
                "partner_id": world.visible_partner})
        _no_secret(answer)
        swept += 1
    assert swept >= 3



def test_the_lines_of_a_hidden_order_are_hidden_with_it(bench, world):
    lines = bench.get("/api/v1/alpha.order.line", who="clerk", query_string={"total": "exact"}).get_json()
    assert {row["order_id"] for row in lines["records"]} == {world.visible, world.linked} and lines["total"] == 2
    for domain in ([["order_id", "=", world.branch]], [["order_id.name", "=", BRANCH]],
                   [["order_id", "=", world.ruled]]):
        found = bench.get("/api/v1/alpha.order.line", who="clerk", query_string={
            "filter": json.dumps(domain), "total": "exact"}).get_json()
        assert (found["records"], found["total"]) == ([], 0), domain
    hidden_line = bench.unit(lambda env: env["alpha.order"].get(world.branch).lines[0].id)
    assert bench.get(f"/api/v1/alpha.order.line/{hidden_line}", who="clerk").status_code == 404
    moved = bench.post("/api/v1/alpha.order.line", who="clerk", json={"order_id": world.branch, "quantity": "1",
                                                                     "price": "1"})
    assert moved.status_code == 422 and error(moved)["field"] == "order_id"  # no line slipped into a hidden order


def test_no_get_of_any_api_route_changes_any_row(bench, world):
    models = sorted(loom_state(bench.app).registry.models)
    who = ("ada", "clerk", "nobody")
    for person in who:  # a token's first use of the hour notes it (last_used_at), then nothing does
        bench.get("/api/v1/health", who=person)
        bench.get("/api/v1/base.partner", who=person)
    before = fingerprint(bench.shop.engine)
    gets = [rule.rule for rule in bench.app.url_map.iter_rules()
            if rule.rule.startswith("/api/") and "GET" in rule.methods]
    for template in gets:
        for model in models:
            for record in (world.visible, world.branch, MISSING_ID):
                path = template.replace("<path:rest>", "no/such/route")
                path = _fill(path, model, record)
                for person in who:
                    answer = bench.get(path, who=person, query_string={"total": "exact"})
                    assert answer.status_code < 500, (path, answer.get_data(as_text=True)[:200])
                if "<int:record_id>" not in template:
                    break
            if "<model>" not in template:
                break
    after = fingerprint(bench.shop.engine)
    assert len(before) > 20 and "alpha_order" in before and "loom_audit_log" in before
    assert changed_tables(before, after) == []


def test_a_path_is_no_oracle_on_a_linked_record_the_user_may_not_see(bench, world):
    assert bench.get(f"/api/v1/base.partner/{world.secret_partner}", who="clerk").status_code == 404
    probe = {"filter": json.dumps([["partner_id.name", "ilike", "Zeta"]]), "total": "exact"}
    assert [row["id"] for row in bench.get("/api/v1/alpha.order", query_string=probe).get_json()["records"]] == [
        world.linked]  # the administrator finds the order by its customer's name
    guessed = bench.get("/api/v1/alpha.order", who="clerk", query_string=probe).get_json()
    assert (guessed["records"], guessed["total"]) == ([], 0)  # the clerk learns nothing of the name
    negated = bench.get("/api/v1/alpha.order", who="clerk", query_string={
        "filter": json.dumps([["not", ["partner_id.name", "ilike", "Zeta"]]])}).get_json()
    assert world.linked in [row["id"] for row in negated["records"]]  # consistent: an unseen name matches nothing
    ordered = bench.get("/api/v1/alpha.order", who="clerk", query_string={"order": "partner_id.name desc"})
    assert ordered.status_code == 200 and SECRET_PARTNER not in ordered.get_data(as_text=True)


def test_a_visible_customers_contacts_of_another_company_are_neither_listed_nor_reachable(bench, world):
    def contacts(env):
        found = env["base.partner"].search([["parent_id", "=", world.visible_partner]], order="name")
        return {partner.name: partner.id for partner in found}

    ids = bench.unit(contacts)
    seen = bench.get(f"/api/v1/base.partner/{world.visible_partner}", who="clerk").get_json()
    assert seen["child_ids"] == [ids["Seen Contact"]]  # not the branch's contact, not even its id
    assert sorted(bench.get(f"/api/v1/base.partner/{world.visible_partner}").get_json()["child_ids"]) == sorted(
        ids.values())  # the administrator sees both
    from loom.kernel.api.tokens import create_token
    from loom.kernel.users import create_user

    def writer(env):
        role = env["loom.role"].create({"code": "test.partner_writer", "name": "Partner writer"})
        env["loom.access"].create({"role_id": role.id, "model": "base.partner", "perm_read": True,
                                   "perm_write": True})
        bench.tokens["wes"] = create_token(env, create_user(env, "wes", "Wes", "a-long-test-password",
                                                            roles=["test.partner_writer"]), "sweep")[1]

    bench.unit(writer)
    for lines in ({"update": [{"id": ids["HIDDEN-CONTACT"], "name": "Mine now"}]}, {"delete": [ids["HIDDEN-CONTACT"]]}):
        answer = bench.patch(f"/api/v1/base.partner/{world.visible_partner}", who="wes",
                             json={"version": seen["version"], "child_ids": lines})
        assert answer.status_code == 422 and error(answer)["field"] == "child_ids", answer.get_json()
    assert bench.unit(contacts) == ids  # the hidden contact is untouched and still the customer's


def test_an_administrator_of_one_company_reads_nothing_of_anothers_through_any_model(bench, world):
    """Every model, the kernel's own included, listed by an administrator of the main company only:
    the branch's order, its customer, and the note and file on that order appear nowhere."""
    from loom.kernel.api.tokens import create_token
    from loom.kernel.attachments.service import attach
    from loom.kernel.timeline import add_note
    from loom.kernel.users import create_user

    def make(env):
        add_note(env, "alpha.order", [world.branch], "branch-note-secret")
        attach(env, "alpha.order", world.branch, "branch-file-secret.txt", b"branch")
        admin = create_user(env, "local_admin", "Local Admin", "a-long-test-password", roles=["kernel.administrator"])
        bench.tokens["local_admin"] = create_token(env, admin, "sweep")[1]

    bench.unit(make)
    swept = 0
    for model in sorted(loom_state(bench.app).registry.models):
        answer = bench.get(f"/api/v1/{model}", who="local_admin", query_string={"limit": "1000"})
        assert answer.status_code in (200, 403), (model, answer.status_code)
        for secret in (BRANCH, BRANCH_PARTNER, "branch-note-secret", "branch-file-secret"):
            assert secret not in answer.get_data(as_text=True), (model, secret)
        swept += answer.status_code == 200
    assert swept >= 10
    assert bench.get("/api/v1/loom.record_event", who="local_admin").status_code == 403
