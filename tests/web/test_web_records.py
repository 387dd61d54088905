"""Any model gets a list and a detail page: searched with the domain language, paged, limited to
what the user may read, and every value shown as text, never as markup (B2)."""

from __future__ import annotations

import pytest

from loom.kernel.timeline import add_note

PAYLOADS = ['"><svg onload=alert(1)>', "<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>",
            '<base href="//evil.example/">', "{{7*7}}", "${7*7}"]


@pytest.fixture(scope="module")
def partners(shop):
    """Partners named with hostile payloads under one company, and 85 plain ones under another."""
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment

    def make(session):
        env = Environment(shop.registry, session, su=True)
        company = env["base.partner"].create({"name": "Zhejiang Loom Trading", "is_company": True})
        hostile = env["base.partner"].create([{"name": payload, "city": payload, "parent_id": company.id}
                                              for payload in PAYLOADS])
        holding = env["base.partner"].create({"name": "Plain Holdings", "is_company": True})
        env["base.partner"].create([{"name": f"Plain partner {n:03d}", "city": "Hangzhou", "parent_id": holding.id}
                                    for n in range(85)])
        add_note(env, "base.partner", [hostile[0].id], "<script>alert('note')</script>")
        return company.id, [partner.id for partner in hostile]

    return run_unit_of_work(shop.engine, make)


@pytest.fixture
def admin(make_user, log_in):
    return log_in(make_user("kernel.administrator")).client


def test_hostile_names_are_shown_as_text_in_the_list(admin, partners):
    page = admin.get(f'/m/base.partner?domain=[["parent_id", "=", {partners[0]}]]').get_data(as_text=True)
    assert "6 records" in page
    assert "<svg onload" not in page and "<img src=x" not in page and "<script>alert" not in page
    assert "&lt;svg onload=alert(1)&gt;" in page and "{{7*7}}" in page and ">49<" not in page
    assert '<base href="//evil' not in page


def test_the_detail_page_escapes_fields_links_and_the_timeline(admin, partners):
    page = admin.get(f"/m/base.partner/{partners[1][0]}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;note&#39;)&lt;/script&gt;" in page
    assert "<script>alert" not in page and "<svg onload" not in page
    assert "Zhejiang Loom Trading" in page  # the linked company by name


def test_the_list_searches_by_name_and_with_the_domain_language(admin, partners):
    by_name = admin.get("/m/base.partner?q=Plain partner 00").get_data(as_text=True)
    assert "10 records" in by_name
    by_domain = admin.get('/m/base.partner?domain=[["city", "=", "Hangzhou"]]&q=07').get_data(as_text=True)
    assert "1 records" in by_domain and "Plain partner 007" in by_domain


def test_the_list_is_paged(admin, partners):
    first = admin.get("/m/base.partner?q=Plain").get_data(as_text=True)
    second = admin.get("/m/base.partner?q=Plain&page=2").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Plain partner 000" in first and "Plain partner 084" not in first
    assert "Page 2 of 2" in second and "Plain partner 084" in second


@pytest.mark.parametrize("query, status", [("domain=[[\"name\", \"drop table\", 1]]", 400),
                                           ("domain=not json", 400), ("columns=password_hash", 400),
                                           ("domain=[[\"name; DROP TABLE base_partner\", \"=\", 1]]", 400),
                                           ("page=-1", 400)])
def test_bad_search_input_is_a_clear_400(admin, partners, query, status):
    response = admin.get(f"/m/base.partner?{query}")
    assert response.status_code == status
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_user_without_access_gets_403_and_unknown_models_404(make_user, log_in, partners):
    clerk = log_in(make_user()).client
    assert clerk.get("/m/base.partner").status_code == 403
    assert clerk.get("/m/no.such_model").status_code == 404
    assert clerk.get(f"/m/base.partner/{partners[0]}").status_code == 403


def test_a_missing_record_is_404(admin):
    assert admin.get("/m/base.partner/999999").status_code == 404


def test_an_auditor_opens_the_audit_log_from_the_menu(make_user, log_in):
    auditor = log_in(make_user("kernel.auditor")).client
    page = auditor.get("/m/loom.audit_log")
    assert page.status_code == 200 and "login.ok" in page.get_data(as_text=True)


def test_a_list_page_costs_the_same_queries_for_6_rows_as_for_80(app, admin, partners):
    from sqlalchemy import event

    from loom.kernel.web.state import loom_state

    engine = loom_state(app).engine
    statements: list[str] = []

    def count(*_args):
        statements.append("sql")

    def queries(url):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert admin.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    few = queries(f'/m/base.partner?domain=[["parent_id", "=", {partners[0]}]]&columns=name,parent_id,city')
    many = queries("/m/base.partner?q=Plain&columns=name,parent_id,city")
    assert few == many


def test_the_next_link_pages_by_keyset_with_the_same_rows_as_offset(admin, partners):
    import re

    first = admin.get("/m/base.partner?q=Plain&columns=name,city").get_data(as_text=True)
    following = re.search(r'href="\?([^"]+)">Next', first).group(1).replace("&amp;", "&")
    assert "after=" in following and "columns=name%2Ccity" in following
    by_keyset = admin.get(f"/m/base.partner?{following}").get_data(as_text=True)
    by_offset = admin.get("/m/base.partner?q=Plain&columns=name,city&page=2").get_data(as_text=True)
    rows = re.compile(r"<tbody>.*</tbody>", re.S)
    assert rows.search(by_keyset).group(0) == rows.search(by_offset).group(0)
    assert "Plain partner 084" in by_keyset and "Page 2 of 2" in by_keyset


def test_a_bad_keyset_start_is_refused(admin, partners):
    assert admin.get("/m/base.partner?q=Plain&page=2&after=abc").status_code == 400


def test_next_still_shows_page_two_when_the_last_row_of_page_one_was_deleted_meanwhile(admin, partners, run):
    import re

    first = admin.get("/m/base.partner?q=Plain&columns=name,city").get_data(as_text=True)
    following = re.search(r'href="\?([^"]+)">Next', first).group(1).replace("&amp;", "&")
    last = int(re.search(r"after=(\d+)", following).group(1))
    run(lambda env: env["base.partner"].create({"name": "Plain partner 000 stand-in"}))  # keeps 85 rows
    run(lambda env: env["base.partner"].delete([env["base.partner"].get(last)]))
    response = admin.get(f"/m/base.partner?{following}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Plain partner 084" in page and "Page 2 of 2" in page  # page 2 by its number


def test_no_page_shows_a_password_hash(admin):
    with admin.session_transaction() as session:
        uid = session["uid"]  # the administrator's own user record
    detail = admin.get(f"/m/loom.user/{uid}").get_data(as_text=True)
    listing = admin.get("/m/loom.user?columns=login,name").get_data(as_text=True)
    assert "argon2" not in detail and "argon2" not in listing
    assert admin.get("/m/loom.user?columns=password_hash").status_code == 400
