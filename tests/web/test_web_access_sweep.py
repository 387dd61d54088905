"""Access sweeps of the web shell (A3, A4, W4): every route of the application, found in its url_map
so a route added tomorrow is swept without editing this file, is tried by a clerk whom a record
rule and a company keep away from some orders, and by a user without any permission.

- the hidden orders look missing (404) or forbidden (403) on every route that names them, and
  their names, their customer's and their lines never appear on any page, list, search, export,
  autocomplete, kanban board, dashboard, print view or form;
- a user without permission on a model gets a 403 on every route of that model;
- no GET changes anything: the rows of every table are the same before and after GETting every
  route, as the administrator who may see everything.

A route whose path has a placeholder the sweep cannot fill fails the sweep: teach :func:`_fill` the
new placeholder.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from dataclasses import dataclass

import pytest
from sqlalchemy import inspect, select, table, text
from table_fingerprint import AUDIT, changed_tables, fingerprint

from loom_test_support import ROOTS, committed_shop, rolled_back

VISIBLE, RULED, BRANCH, BRANCH_PARTNER = "VISIBLE-ORDER", "HIDDEN-RULE-ORDER", "HIDDEN-BRANCH-ORDER", "HIDDEN-BUYER"
#: Text of the hidden records (names, customers, a note, a file, an activity) no page may show the clerk.
SECRETS = (RULED, BRANCH, BRANCH_PARTNER, "HIDDEN-CONTACT", "secret-note-71", "secret-file-71", "secret-task-71",
           "4242.420000")
#: Parts of the url_map the sweep leaves to others: the API (tests/api sweeps it), static files, login.
SKIPPED = ("/api/", "/static/")
#: Routes that refuse a user without permission as a malformed request (400) before reading anything.
REFUSED_AS_MALFORMED = {"/m/<model>/lines": "no line field is editable for a user who may not write the model"}


@dataclass(frozen=True)
class World:
    """Ids of the sweep's records: the clerk sees ``visible`` and ``seen_partner`` only."""

    visible: int
    ruled: int
    branch: int
    hidden_partner: int
    seen_partner: int
    ruled_partner: int
    attachment: int
    activity: int
    visible_attachment: int
    visible_activity: int


@pytest.fixture(scope="module")
def shop(database_factory):
    """A committed database with the alpha test module."""
    yield from committed_shop(database_factory, "loomtest_alpha")


@pytest.fixture(scope="module")
def app(shop):
    """The shell over ``shop`` with the test modules on its path."""
    from loom.kernel.web.app import create_app

    return create_app(shop.url, roots=ROOTS, config={"SECRET_KEY": secrets.token_bytes(32)})


@pytest.fixture(scope="module")
def world(shop):
    """Orders of the main company, one hidden from clerks by a rule of their role, one of a branch
    company; a note, a file and an activity on the hidden orders; the administrator sees them all."""
    from loom.kernel.attachments.service import attach
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.timeline.activities import add_activity, add_note
    from loom.kernel.users import create_user

    def make(session):
        env = Environment(shop.registry, session, su=True)
        branch = env["loom.company"].create({"name": "Sweep Branch Ltd.", "code": "SWEEPBR"})
        admin = create_user(env, "sweep_admin", "Sweep Admin", PASSWORD, roles=["kernel.administrator"])
        env["loom.user"].write([admin], {"company_ids": [admin.company_id, branch.id]})
        seen = env["base.partner"].create({"name": "Seen Buyer", "is_company": True, "is_customer": True})
        ruled = env["base.partner"].create({"name": "Ruled Buyer"})
        env["base.partner"].create([{"name": "Seen Contact", "parent_id": seen.id},  # the clerk's contacts
                                    {"name": "HIDDEN-CONTACT", "parent_id": seen.id, "company_id": branch.id}])
        hidden = env["base.partner"].create({"name": BRANCH_PARTNER, "company_id": branch.id, "is_customer": True,
                                             "is_supplier": True, "country_code": "JP"})
        clerk = env["loom.role"].search([["code", "=", "loomtest_alpha.clerk"]])[0]
        env["loom.rule"].create({"name": "Clerks do not see the ruled buyer's orders", "model": "alpha.order",
                                 "role_id": clerk.id, "domain": [["partner_id", "!=", ruled.id]]})
        grant = env["loom.access"].search([["role_id", "=", clerk.id], ["model", "=", "alpha.order"]])
        env["loom.access"].write(grant, {"perm_export": True})  # so the export is swept with rows in it
        orders = env["alpha.order"]
        visible = orders.create({"name": VISIBLE, "partner_id": seen.id, "lines": [{"quantity": "1", "price": "3"}]})
        secret_line = [{"quantity": "1", "price": "4242.42"}]
        ruled_order = orders.create({"name": RULED, "partner_id": ruled.id, "lines": secret_line})
        branch_order = env.with_company(branch.id)["alpha.order"].create(
            {"name": BRANCH, "partner_id": hidden.id, "company_id": branch.id, "lines": secret_line})
        add_note(env, "alpha.order", [ruled_order.id, branch_order.id], "secret-note-71")
        tomorrow = dt.date.today() + dt.timedelta(days=1)
        activity = add_activity(env, "alpha.order", ruled_order.id, due=tomorrow, assignee_id=admin.id,
                                summary="secret-task-71")
        attachment = attach(env, "alpha.order", ruled_order.id, "secret-file-71.txt", b"secret-file-71")
        own_activity = add_activity(env, "alpha.order", visible.id, due=tomorrow, assignee_id=admin.id,
                                    summary="a visible task")
        own_attachment = attach(env, "alpha.order", visible.id, "visible.txt", b"visible")
        return World(visible.id, ruled_order.id, branch_order.id, hidden.id, seen.id, ruled.id, attachment.id,
                     activity, own_attachment.id, own_activity)

    return run_unit_of_work(shop.engine, make)


PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def clients(app, world, shop):
    """Logged-in browsers: an alpha clerk who also reads masters, a user without roles, the administrator."""
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.users import create_user

    def people(session):
        env = Environment(shop.registry, session, su=True)
        create_user(env, "sweep_clerk", "Sweep Clerk", PASSWORD, roles=["loomtest_alpha.clerk", "base.user"])
        create_user(env, "sweep_nobody", "Sweep Nobody", PASSWORD)

    run_unit_of_work(shop.engine, people)
    return {login: _logged_in(app, login) for login in ("sweep_clerk", "sweep_nobody", "sweep_admin")}


def _logged_in(app, login):
    client = app.test_client()
    client.get("/login")
    answer = client.post("/login", data={"login": login, "password": PASSWORD, "csrf_token": _csrf(client)})
    assert answer.status_code in (302, 303), answer.status_code
    client.get("/")
    return client


def _csrf(client) -> str:
    with client.session_transaction() as session:
        return session["csrf"]


# -- the routes ------------------------------------------------------------------------------------

def _routes(app):
    """(method, rule) of every route of the shell the sweep covers, sorted."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(SKIPPED) or rule.endpoint in ("auth.login", "auth.logout", "static"):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((method, rule.rule))
    return sorted(found, key=lambda item: (item[1], item[0]))


def _fill(rule: str, world: World, record: int, *, attachment: int | None = None, activity: int | None = None) -> str:
    path = (rule.replace("<model>", "alpha.order").replace("<int:record_id>", str(record))
            .replace("<int:attachment_id>", str(attachment or world.attachment))
            .replace("<int:activity_id>", str(activity or world.activity))
            .replace("<name>", "cancel").replace("<transition>", "cancel"))
    assert "<" not in path, f"the access sweep cannot fill {rule}: teach _fill its new placeholder"
    return path


def _query(world: World) -> dict[str, str]:
    """Query parameters that would surface the hidden orders if a route let them through."""
    return {"q": "HIDDEN", "domain": json.dumps([["name", "ilike", "HIDDEN"]]), "field": "partner_id",
            "id": str(world.hidden_partner), "columns": "name,partner_id,amount_total", "f": "state:draft"}


#: An error page's request id, the one part of a page that differs between two identical requests.
REQUEST_ID = re.compile(r"Request id: [0-9a-f]+")
#: Query parameters of a POST: the line editor's (a well-formed request reaches the access checks).
POST_QUERY = {"field": "lines", "action": "add", "index": "0"}


def _form(client, world: World) -> dict[str, str]:
    """A form that names the hidden orders and customer wherever a route reads a record from the form."""
    return {"csrf_token": _csrf(client), "record": str(world.ruled), "to": "cancelled", "format": "csv",
            "ids": f"{world.ruled},{world.branch}", "partner_id": str(world.hidden_partner), "name": "taken over",
            "version": "1", "reason": "none", "body": "note", "summary": "task", "due_date": "2030-01-01",
            "changed": "partner_id", "lang": "en", "columns": "name,partner_id,amount_total"}


def _shows_no_secret(answer, where) -> None:
    body = answer.get_data(as_text=True)
    assert answer.status_code < 500, (where, answer.status_code, body[:300])
    for secret in SECRETS:
        assert secret not in body, (where, secret, body[:500])


def _hidden_state(shop, world):
    """The hidden orders (name, state, version, lines) and the row count of every table but the audit log."""
    with shop.engine.connect() as conn:
        orders = conn.execute(text("SELECT id, name, state, version FROM alpha_order WHERE id IN (:a, :b) ORDER BY id"),
                              {"a": world.ruled, "b": world.branch}).all()
        return orders, {name: count for name, count in _counts(conn).items() if name not in AUDIT}


def _counts(conn) -> dict[str, int]:
    names = inspect(conn).get_table_names()
    return {name: conn.execute(select(text("count(*)")).select_from(table(name))).scalar() for name in names}


# -- the clerk's sweep -----------------------------------------------------------------------------

def test_the_sweep_sees_what_the_clerk_may_see(clients, world):
    clerk = clients["sweep_clerk"]
    listing = clerk.get("/m/alpha.order")
    assert listing.status_code == 200 and VISIBLE in listing.get_data(as_text=True)
    _shows_no_secret(listing, "list")
    detail = clerk.get(f"/m/alpha.order/{world.visible}")
    assert detail.status_code == 200 and VISIBLE in detail.get_data(as_text=True)
    exported = clerk.post("/m/alpha.order/export", data={"csrf_token": _csrf(clerk), "format": "csv",
                                                          "columns": "name,partner_id"})
    assert exported.status_code == 200 and VISIBLE in exported.get_data(as_text=True)
    _shows_no_secret(exported, "export")
    assert clients["sweep_admin"].get(f"/m/alpha.order/{world.ruled}").status_code == 200  # the data is there


def test_every_route_naming_a_hidden_order_answers_as_if_it_did_not_exist(app, shop, clients, world):
    clerk = clients["sweep_clerk"]
    before = _hidden_state(shop, world)
    swept = []
    for method, rule in _routes(app):
        if "<int:record_id>" not in rule:
            continue
        for hidden in (world.ruled, world.branch):
            path = _fill(rule, world, hidden)
            answer = (clerk.get(path, query_string=_query(world)) if method == "GET"
                      else clerk.open(path, method=method, data=_form(clerk, world), query_string=POST_QUERY))
            assert answer.status_code in (403, 404), (method, path, answer.status_code)
            _shows_no_secret(answer, (method, path))
            swept.append((method, rule))
    assert len(swept) >= 6, swept
    assert _hidden_state(shop, world) == before


def test_a_hidden_orders_file_and_activity_cannot_be_reached_through_a_visible_order(app, shop, clients, world):
    clerk = clients["sweep_clerk"]
    before = _hidden_state(shop, world)
    for method, rule in _routes(app):
        if "<int:attachment_id>" not in rule and "<int:activity_id>" not in rule:
            continue
        path = _fill(rule, world, world.visible)  # a visible order's URL carrying the hidden order's ids
        answer = (clerk.get(path) if method == "GET"
                  else clerk.open(path, method=method, data=_form(clerk, world), query_string=POST_QUERY))
        assert answer.status_code in (403, 404), (method, path, answer.status_code)
        _shows_no_secret(answer, (method, path))
    assert _hidden_state(shop, world) == before


def test_no_list_search_export_autocomplete_board_or_form_shows_a_hidden_order(app, shop, clients, world):
    clerk = clients["sweep_clerk"]
    before = _hidden_state(shop, world)
    swept = []
    for method, rule in _routes(app):
        if "<int:" in rule:
            continue
        path = _fill(rule, world, 0)
        if method == "GET":
            answers = [clerk.get(path), clerk.get(path, query_string=_query(world))]
        else:
            answers = [clerk.open(path, method=method, data=_form(clerk, world), query_string=POST_QUERY)]
        for answer in answers:
            _shows_no_secret(answer, (method, path))
        swept.append((method, rule))
    assert ("GET", "/m/<model>") in swept and ("GET", "/") in swept
    orders, _ = _hidden_state(shop, world)
    assert orders == before[0]


# -- a user without permissions --------------------------------------------------------------------

def test_a_user_without_permission_gets_403_on_every_route_of_the_model(app, clients, world):
    nobody = clients["sweep_nobody"]
    swept = 0
    for method, rule in _routes(app):
        if "<model>" not in rule:
            continue
        path = _fill(rule, world, world.visible, attachment=world.visible_attachment, activity=world.visible_activity)
        answer = (nobody.get(path, query_string=_query(world)) if method == "GET"
                  else nobody.open(path, method=method, data=_form(nobody, world), query_string=POST_QUERY))
        sub_record = "<int:attachment_id>" in rule or "<int:activity_id>" in rule  # a file of an unreadable record
        allowed = (403, 404) if sub_record else (403, 400) if rule in REFUSED_AS_MALFORMED else (403,)
        assert answer.status_code in allowed, (method, path, answer.status_code)
        _shows_no_secret(answer, (method, path))
        assert VISIBLE not in answer.get_data(as_text=True)
        swept += 1
    assert swept >= 8


# -- GETs change nothing ---------------------------------------------------------------------------

def test_no_get_of_any_route_changes_any_row(app, shop, clients, world):
    admin = clients["sweep_admin"]
    admin.get("/")  # the session's first page settles what a login leaves behind
    before = fingerprint(shop.engine)
    for method, rule in _routes(app):
        if method != "GET":
            continue
        for record in (world.visible, world.ruled, world.branch, 987_654):
            path = _fill(rule, world, record, attachment=world.visible_attachment, activity=world.visible_activity)
            for who in ("sweep_admin", "sweep_clerk", "sweep_nobody"):
                clients[who].get(path, query_string=_query(world))
            if "<int:record_id>" not in rule:
                break
    after = fingerprint(shop.engine)
    assert len(before) > 20 and "alpha_order" in before and "loom_audit_log" in before
    assert changed_tables(before, after) == []


# -- dashboard tiles -------------------------------------------------------------------------------

def _tiles_seen(app, shop, login, *, without=()):
    """The values of every dashboard tile ``login`` sees, after deleting the orders and partners in
    ``without`` (ids, in a transaction that is rolled back)."""
    from loom.kernel.environment import Environment
    from loom.kernel.web.dashboard import collect_tiles, shown_tiles

    with app.test_request_context("/"), rolled_back(shop) as su:
        for model, ids in without:
            su[model].delete(su[model].browse(ids))
        user = su["loom.user"].search([["login", "=", login]])[0]
        tiles = shown_tiles(Environment(shop.registry, su.session, uid=user.id), collect_tiles(shop.registry))
        return {tile.key: tile.value for tile in tiles}


def test_dashboard_tiles_count_nothing_the_clerk_may_not_see(app, shop, clients, world):
    seen = _tiles_seen(app, shop, "sweep_clerk")
    hidden_gone = _tiles_seen(app, shop, "sweep_clerk", without=[
        ("alpha.order", [world.ruled, world.branch]), ("base.partner", [world.hidden_partner])])
    assert seen and seen == hidden_gone  # taking away what the clerk cannot see changes none of their tiles
    visible_gone = _tiles_seen(app, shop, "sweep_clerk", without=[
        ("alpha.order", [world.visible]), ("base.partner", [world.seen_partner])])
    assert visible_gone != seen  # while their own customer counts


def test_no_page_changes_when_records_the_clerk_may_not_see_arrive(app, shop, clients, world):
    """Every GET page that names no record (home, list, board, search, autocomplete, new form) reads
    the same, counts and totals included, before and after more hidden orders and customers arrive."""
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment

    clerk = clients["sweep_clerk"]
    pages = [_fill(rule, world, 0) for method, rule in _routes(app) if method == "GET" and "<int:" not in rule]
    queries = ({}, _query(world), {"field": "partner_id", "q": "Buyer"}, {"q": "ORDER"})

    def read_all():
        return {(path, json.dumps(query)): REQUEST_ID.sub("", clerk.get(path, query_string=query).get_data(True))
                for path in pages for query in queries}

    before = read_all()

    def more_hidden(session):
        env = Environment(shop.registry, session, su=True)
        branch = env["alpha.order"].get(world.branch).company_id
        ruled_partner = env["alpha.order"].get(world.ruled).partner_id
        partner = env["base.partner"].create({"name": "Another Hidden Buyer", "company_id": branch,
                                              "is_customer": True, "is_supplier": True})
        env.with_company(branch)["alpha.order"].create(
            [{"name": "ANOTHER-HIDDEN", "partner_id": partner.id, "company_id": branch,
              "lines": [{"quantity": "3", "price": "9"}]} for _ in range(3)])
        env["alpha.order"].create([{"name": "ANOTHER-RULED", "partner_id": ruled_partner,
                                    "lines": [{"quantity": "1", "price": "1"}]}])

    run_unit_of_work(shop.engine, more_hidden)
    after = read_all()
    assert len(before) >= 8
    assert [key for key in before if before[key] != after[key]] == []

    def one_more_visible(session):
        env = Environment(shop.registry, session, su=True)
        env["alpha.order"].create({"name": "ARRIVED-VISIBLE", "partner_id": world.seen_partner})

    run_unit_of_work(shop.engine, one_more_visible)
    assert read_all()[("/m/alpha.order", "{}")] != after[("/m/alpha.order", "{}")]  # the pages do follow the data


def test_the_pages_of_visible_records_show_none_of_their_hidden_relatives(app, clients, world):
    """A customer the clerk may see has orders the clerk may not: its page, print view and form (related
    records, totals, timeline) show none of them, nor do the visible order's."""
    clerk = clients["sweep_clerk"]
    visible = {"base.partner": (world.seen_partner, world.ruled_partner), "alpha.order": (world.visible,)}
    swept = 0
    for method, rule in _routes(app):
        if method != "GET" or "<int:record_id>" not in rule or "<int:attachment_id>" in rule:
            continue
        for model, ids in visible.items():
            for record in ids:
                path = _fill(rule, world, record).replace("/alpha.order/", f"/{model}/")
                answer = clerk.get(path)
                assert answer.status_code in (200, 404), (path, answer.status_code)
                _shows_no_secret(answer, path)
                swept += answer.status_code == 200
    assert swept >= 6
    assert "Seen Contact" in clerk.get(f"/m/base.partner/{world.seen_partner}").get_data(as_text=True)


def test_an_administrator_of_one_company_sees_nothing_of_another_on_any_list(app, shop, world):
    """Every model's list, board and search, the kernel's own models included, as an administrator of
    the main company only: the branch's order, customer, contact and note appear on none."""
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.timeline import add_note
    from loom.kernel.users import create_user

    def make(session):
        env = Environment(shop.registry, session, su=True)
        add_note(env, "alpha.order", [world.branch], "branch-note-71")
        create_user(env, "local_admin", "Local Admin", PASSWORD, roles=["kernel.administrator"])

    run_unit_of_work(shop.engine, make)
    admin = _logged_in(app, "local_admin")
    lists = [rule for method, rule in _routes(app) if method == "GET" and "<model>" in rule and "<int:" not in rule]
    swept = 0
    for model in sorted(shop.registry.models):
        for rule in lists:
            answer = admin.get(rule.replace("<model>", model), query_string={"q": "", "field": "partner_id"})
            assert answer.status_code < 500, (model, rule, answer.status_code)
            for secret in (BRANCH, BRANCH_PARTNER, "HIDDEN-CONTACT", "branch-note-71"):
                assert secret not in answer.get_data(as_text=True), (model, rule, secret)
            swept += answer.status_code == 200
    assert swept >= 20
