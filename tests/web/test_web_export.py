"""A clerk exports the list they are looking at: the same search, facets, order and columns, as a
CSV or XLSX attachment, formula-looking names made harmless, large exports audited, and nothing
for a user without the export permission."""

from __future__ import annotations

import csv
import io
import re

import pytest

from loom.kernel.transfer import exporter


@pytest.fixture(scope="module")
def tea(shop):
    """A tea trader with 30 contacts (every third a supplier, cities in turn) and one contact whose
    name a spreadsheet would run as a formula."""
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment

    def make(session):
        env = Environment(shop.registry, session, su=True)
        trader = env["base.partner"].create({"name": "Longjing Tea Traders", "is_company": True})
        env["base.partner"].create([{"name": f"Tea contact {n:02d}", "parent_id": trader.id, "is_supplier": n % 3 == 0,
                                     "city": ("Hangzhou", "Fuzhou")[n % 2]} for n in range(30)])
        env["base.partner"].create({"name": '=HYPERLINK("http://evil.example","Tea")', "parent_id": trader.id})

    run_unit_of_work(shop.engine, make)


@pytest.fixture
def manager(make_user, log_in):
    """A masters manager: reads and exports partners."""
    login = make_user("base.manager")
    client = log_in(login).client
    client.login = login
    return client


def export(client, csrf, **form):
    client.get("/m/base.partner")  # the page that carries the form and its token
    return client.post("/m/base.partner/export", data={"csrf_token": csrf(client), **form})


def test_the_export_holds_the_lists_search_order_and_columns(manager, csrf, tea):
    page = manager.get("/m/base.partner?q=Tea contact&f=is_supplier:true&order=name desc&columns=name,parent_id,city")
    form = re.search(r'<form method="post" action="/m/base.partner/export" class="export">(.*?)</form>',
                     page.get_data(as_text=True), re.S).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
    assert fields["order"] == "name desc" and fields["columns"] == "name,parent_id,city" and fields["f"] == \
        "is_supplier:true"
    response = manager.post("/m/base.partner/export", data={**{k: v.replace("&#39;", "'") for k, v in fields.items()},
                                                          "format": "csv"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="base.partner.csv"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["name", "parent_id", "city"]
    assert [row[0] for row in rows[1:]] == [f"Tea contact {n:02d}" for n in (27, 24, 21, 18, 15, 12, 9, 6, 3, 0)]
    assert rows[1][1:] == ["Longjing Tea Traders", "Fuzhou"]


def test_an_xlsx_export_opens_in_a_spreadsheet_with_the_same_rows(manager, csrf, tea):
    from openpyxl import load_workbook

    response = export(manager, csrf, format="xlsx", q="Tea contact 2", columns="name,is_supplier")
    assert response.status_code == 200 and response.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert [tuple(row) for row in sheet.iter_rows(values_only=True)] == [
        ("name", "is_supplier"), *((f"Tea contact {n}", n % 3 == 0) for n in range(20, 30))]


def test_a_formula_looking_name_is_exported_as_text(manager, csrf, tea):
    response = export(manager, csrf, format="csv", q="HYPERLINK", columns="name")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[1] == ['\'=HYPERLINK("http://evil.example","Tea")']


def test_a_user_who_may_read_but_not_export_gets_403_and_no_button(make_user, log_in, csrf, tea):
    clerk = log_in(make_user("base.user")).client
    assert "/export" not in clerk.get("/m/base.partner?q=Tea").get_data(as_text=True)
    assert export(clerk, csrf, format="csv", q="Tea").status_code == 403


def test_the_export_is_a_post_with_the_csrf_token(manager, csrf, tea):
    assert manager.get("/m/base.partner/export?format=csv").status_code == 405
    manager.get("/m/base.partner")
    assert manager.post("/m/base.partner/export", data={"format": "csv"}).status_code == 403
    assert manager.post("/m/base.partner/export", data={"format": "csv", "csrf_token": "forged"}).status_code == 403


@pytest.mark.parametrize("form, named", [({"format": "pdf"}, "pdf"), ({"format": "csv", "columns": "password"},
                                                                         "password"),
                                         ({"format": "csv", "order": "name; DROP TABLE x"}, "name;")])
def test_a_bad_export_request_is_a_400_naming_what_is_wrong(manager, csrf, tea, form, named):
    response = export(manager, csrf, **form)
    assert response.status_code == 400 and named in response.get_data(as_text=True)


def test_a_large_export_is_audited_as_its_user_and_a_small_one_is_not(manager, csrf, tea, run, monkeypatch):
    def exports(env):
        return [(e.actor_login, e.details["rows"], e.details["format"]) for e in env["loom.audit_log"].search(
            [["action", "=", "export"], ["model", "=", "base.partner"]])]

    before = run(exports)
    export(manager, csrf, format="csv", q="Tea contact")
    assert run(exports) == before
    monkeypatch.setattr(exporter, "AUDITED_ROWS", 20)
    export(manager, csrf, format="xlsx", q="Tea contact")
    assert run(exports) == [*before, (manager.login, 30, "xlsx")]


def test_a_user_of_another_company_exports_its_own_and_the_shared_partners_only(run, log_in, csrf, tea):
    from loom.kernel.users import create_user

    def make(env):
        branch = env["loom.company"].create({"name": "Oolong Branch", "code": "OOLONG"})
        env["base.partner"].create([{"name": "Oolong buyer of the main company", "company_id": env.company_id},
                                    {"name": "Oolong buyer of the branch", "company_id": branch.id},
                                    {"name": "Oolong buyer shared by both"}])
        create_user(env, "oolong_manager", "Oolong manager", "correct horse battery", roles=["base.manager"],
                    company_ids=[branch.id])

    run(make)
    branch_manager = log_in("oolong_manager").client
    rows = list(csv.reader(io.StringIO(export(branch_manager, csrf, format="csv", q="Oolong", columns="name")
                                       .get_data().decode("utf-8-sig"))))
    assert rows == [["name"], ["Oolong buyer of the branch"], ["Oolong buyer shared by both"]]
