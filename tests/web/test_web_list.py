"""The generic list as a clerk uses it: facets on boolean and selection fields, sorting by a
column header, keyset pages in the chosen order, a choice of columns, and hostile ``order``
values refused by name before any SQL is written."""

from __future__ import annotations

import re

import pytest

CITIES = ("Hangzhou", "Ningbo", "Shaoxing", "Wenzhou")
ROWS = re.compile(r"<tbody>(.*)</tbody>", re.S)


@pytest.fixture(scope="module")
def silk(shop):
    """A silk trader with 95 contacts: every second a customer, every third a supplier, types in
    turn, and every seventh without a city."""
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment

    def make(session):
        env = Environment(shop.registry, session, su=True)
        holding = env["base.partner"].create({"name": "Hangzhou Silk Holdings", "is_company": True})
        env["base.partner"].create([{
            "name": f"Silk contact {n:03d}", "parent_id": holding.id, "is_customer": n % 2 == 0,
            "is_supplier": n % 3 == 0, "type": ("contact", "invoice", "delivery")[n % 3],
            "city": None if n % 7 == 0 else CITIES[n % 4]} for n in range(95)])
        return holding.id

    return run_unit_of_work(shop.engine, make)


@pytest.fixture
def clerk(make_user, log_in):
    return log_in(make_user("kernel.administrator")).client


def names_on(page: str) -> list[str]:
    return re.findall(r">(Silk contact \d{3})<", ROWS.search(page).group(1)) if ROWS.search(page) else []


def next_link(page: str) -> str | None:
    found = re.search(r'href="\?([^"]+)">Next', page)
    return found.group(1).replace("&amp;", "&") if found else None


def test_facets_filter_customers_and_combine_with_a_type(clerk, silk):
    page = clerk.get("/m/base.partner?q=Silk contact").get_data(as_text=True)
    assert 'class="facets"' in page and "Customer" in page and "Invoice address" in page
    customers = clerk.get("/m/base.partner?q=Silk contact&f=is_customer:true").get_data(as_text=True)
    assert "48 records" in customers
    both = clerk.get("/m/base.partner?q=Silk contact&f=is_customer:true&f=type:invoice").get_data(as_text=True)
    assert "16 records" in both  # even and n % 3 == 1
    either_type = clerk.get("/m/base.partner?q=Silk contact&f=type:invoice&f=type:delivery").get_data(as_text=True)
    assert "63 records" in either_type


def test_a_chosen_facet_is_marked_and_its_link_removes_it(clerk, silk):
    page = clerk.get("/m/base.partner?q=Silk contact&f=is_supplier:true").get_data(as_text=True)
    chosen = re.search(r'<a href="\?([^"]+)" class="on" aria-current="true">Yes</a>', page)
    assert chosen and "f=" not in chosen.group(1).replace("&amp;", "&")
    assert "95 records" in clerk.get("/m/base.partner?" + chosen.group(1).replace("&amp;", "&")).get_data(as_text=True)


@pytest.mark.parametrize("facet, named", [("is_customer:maybe", "is_customer"), ("password:x", "password"),
                                          ("name:Silk", "name")])
def test_an_unknown_facet_is_a_400_naming_the_field(clerk, silk, facet, named):
    response = clerk.get(f"/m/base.partner?f={facet}")
    assert response.status_code == 400 and named in response.get_data(as_text=True)


def test_clicking_a_column_header_sorts_ascending_then_descending(clerk, silk):
    page = clerk.get("/m/base.partner?q=Silk contact 00&columns=name,city").get_data(as_text=True)
    ascending = re.search(r'<a href="\?([^"]+)">Name</a>', page).group(1).replace("&amp;", "&")
    assert "order=name" in ascending
    sorted_up = clerk.get(f"/m/base.partner?{ascending}").get_data(as_text=True)
    assert 'aria-sort="ascending"' in sorted_up and names_on(sorted_up)[0] == "Silk contact 000"
    descending = re.search(r'<a href="\?([^"]+)">Name ▲</a>', sorted_up).group(1).replace("&amp;", "&")
    sorted_down = clerk.get(f"/m/base.partner?{descending}").get_data(as_text=True)
    assert names_on(sorted_down)[0] == "Silk contact 009" and "Name ▼" in sorted_down


@pytest.mark.parametrize("order, named", [
    ("name; DROP TABLE base_partner", "name;"), ("(select 1)", "(select"), ("password_hash", "password_hash"),
    ("parent_id.name", "parent_id.name"), ("name sideways", "name"), ("child_ids", "child_ids")])
def test_an_order_that_is_not_a_readable_column_is_a_400_naming_it(clerk, silk, order, named):
    response = clerk.get("/m/base.partner", query_string={"order": order})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and named.replace(";", "") in page and "Traceback" not in page
    assert "95 records" in clerk.get("/m/base.partner?q=Silk contact").get_data(as_text=True)  # table intact


def test_no_sql_from_the_order_parameter_reaches_the_database(app, clerk, silk):
    from sqlalchemy import event

    from loom.kernel.web.state import loom_state

    engine, statements = loom_state(app).engine, []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert clerk.get("/m/base.partner", query_string={"order": "name; DROP TABLE base_partner"}).status_code == 400
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert not any("DROP" in statement.upper() or "base_partner" in statement for statement in statements)


@pytest.mark.parametrize("order", ["city", "city desc", "is_customer desc, name"])
def test_next_pages_in_a_chosen_order_come_by_keyset_with_the_rows_of_offset_pages(clerk, silk, order):
    base = f"/m/base.partner?q=Silk contact&columns=name,city&order={order}"
    first = clerk.get(base).get_data(as_text=True)
    following = next_link(first)
    assert following and "after=" in following
    by_keyset = clerk.get(f"/m/base.partner?{following}").get_data(as_text=True)
    by_offset = clerk.get(f"{base}&page=2").get_data(as_text=True)
    assert names_on(by_keyset) == names_on(by_offset) and len(names_on(first) + names_on(by_keyset)) == 95
    assert set(names_on(first)).isdisjoint(names_on(by_keyset))


def test_the_column_choice_lists_readable_fields_and_keeps_the_choice_in_links(clerk, silk):
    page = clerk.get("/m/base.partner?q=Silk contact").get_data(as_text=True)
    choice = re.search(r'<details class="column-choice">(.*?)</details>', page, re.S).group(1)
    assert 'value="city"' in choice and 'value="is_supplier"' in choice
    chosen = clerk.get("/m/base.partner?q=Silk contact&columns=name&columns=parent_id&columns=type").get_data(
        as_text=True)
    assert re.findall(r"<th>.*?>([^<]+)</a></th>", chosen) == ["Name", "Related company", "Address type"]
    assert "Hangzhou Silk Holdings" in chosen and "columns=name%2Cparent_id%2Ctype" in next_link(chosen)


def test_a_chinese_reader_sees_the_model_facets_and_columns_in_chinese(make_user, log_in, silk):
    reader = log_in(make_user("kernel.administrator", lang="zh_CN")).client
    page = reader.get("/m/base.partner?q=Silk contact&columns=name,type,is_customer").get_data(as_text=True)
    assert "<h1>合作伙伴</h1>" in page and "<title>合作伙伴 · Loom</title>" in page
    assert "开票地址" in page and "导出 CSV" in page and "显示列" in page


def test_the_users_list_offers_no_password_column(clerk):
    page = clerk.get("/m/loom.user").get_data(as_text=True)
    assert "password_hash" not in page
    assert clerk.get("/m/loom.user?order=password_hash").status_code == 400


def test_a_list_page_costs_the_same_queries_for_10_rows_as_for_80(app, clerk, silk):
    """Count, ids of the page, the keyset start when paging by keyset, one query per many-to-one
    column for the linked names: nothing grows with the number of rows."""
    from sqlalchemy import event

    from loom.kernel.web.state import loom_state

    engine, statements = loom_state(app).engine, []

    def count(*_args):
        statements.append(1)

    def queries(url):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            page = clerk.get(url).get_data(as_text=True)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements), len(names_on(page))

    shown = "columns=name,parent_id,company_id,city,is_customer&order=city desc&f=is_company:false"
    few, ten = queries(f"/m/base.partner?q=Silk contact 00&{shown}")
    many, eighty = queries(f"/m/base.partner?q=Silk contact&{shown}")
    assert (ten, eighty) == (10, 80)
    assert few == many


@pytest.mark.parametrize("order", ["city", "city desc", "city desc, name desc", "is_supplier, city", "type desc"])
def test_walking_every_page_by_keyset_shows_each_row_once_in_the_offset_order(clerk, silk, order, monkeypatch):
    """Pages of ten, so page boundaries fall among the contacts without a city (NULLs) too."""
    from loom.kernel.web import record_views

    monkeypatch.setattr(record_views, "PAGE_SIZE", 10)
    base = f"/m/base.partner?q=Silk contact&columns=name,city&order={order}"
    by_offset = [name for page in range(1, 11) for name in names_on(clerk.get(f"{base}&page={page}").get_data(
        as_text=True))]
    by_keyset, url = [], base
    while url:
        page = clerk.get(url).get_data(as_text=True)
        by_keyset += names_on(page)
        following = next_link(page)
        assert following is None or "after=" in following
        url = f"/m/base.partner?{following}" if following else None
    assert by_keyset == by_offset and len(set(by_keyset)) == 95


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=1e3", "page=" + "9" * 30, "page=99999999",
                                   "page=2&after=" + "9" * 30, "page=2&after=0", "page=2&after=%EF%BC%91"])
def test_a_page_or_keyset_start_that_is_not_a_sensible_whole_number_is_a_400(clerk, silk, query):
    response = clerk.get(f"/m/base.partner?{query}")
    assert response.status_code == 400 and "Traceback" not in response.get_data(as_text=True)
