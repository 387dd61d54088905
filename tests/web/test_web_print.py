"""Any record prints as an A4 page without the menu; a module specialises a document with a
template of its own, and another module extends that one by inheritance, block by block."""

from __future__ import annotations

PAYLOAD = '"><svg onload=alert(1)><script>alert(2)</script>{{7*7}}'


def partner(app, name, **values):
    from loom.kernel.web.state import loom_state

    def make(env):
        company = env["base.partner"].create({"name": name, "is_company": True, **values})
        env["base.partner"].create({"name": f"{name} buyer", "parent_id": company.id, "email": "buyer@example.cn"})
        return company.id

    return loom_state(app).run(None, make)


def printed(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_any_record_prints_on_a_sheet_without_the_menu(buy, story):
    buyer = story.browser(buy, "loomtest_buy.buyer")
    request = story.purchase(buy, "Toner", "120", lines=2)
    sheet = printed(buyer, f"/m/buy.request/{request}/print")
    assert 'href="/static/print.css"' in sheet and 'class="topbar"' not in sheet and "Log out" not in sheet
    assert "<h1>Toner</h1>" in sheet and "Toner line 1" in sheet and "printed" in sheet
    assert f'href="/m/buy.request/{request}/print"' in printed(buyer, f"/m/buy.request/{request}")


def test_the_print_stylesheet_sets_an_a4_page(buy, story):
    css = story.browser(buy).get("/static/print.css").get_data(as_text=True)
    assert "@page { size: A4" in css and "@media print" in css


def test_base_prints_a_partner_as_its_contact_sheet(app, make_user, log_in, run):
    admin = log_in(make_user("kernel.administrator")).client
    company = run(lambda env: env["base.partner"].create({
        "name": "Hangzhou Silk Co.", "is_company": True, "street": "1 West Lake Road", "city": "Hangzhou",
        "zip": "310000", "phone": "+86 571 8888 0000"}).id)
    sheet = printed(admin, f"/m/base.partner/{company}/print")
    assert "Partner contact sheet" in sheet and "1 West Lake Road" in sheet and "+86 571 8888 0000" in sheet
    assert "Purchasing" not in sheet  # buy is not installed here


def test_a_module_extends_the_partner_sheet_of_base(buy, story):
    buyer = story.browser(buy, "loomtest_buy.buyer")
    supplier = partner(buy, "Ningbo Paper Mill", street="8 Harbour Street", city="Ningbo", phone="+86 574 1234")
    sheet = printed(buyer, f"/m/base.partner/{supplier}/print")
    assert "Partner contact sheet" in sheet and "8 Harbour Street" in sheet  # base's blocks
    assert "Supplier terms: payment in 30 days" in sheet  # buy's block
    assert sheet.index("+86 574 1234") < sheet.index("Supplier terms")  # after base's contact block
    assert "Ningbo Paper Mill buyer" in sheet  # the contacts, from the generic sheet


def test_a_chinese_reader_gets_the_sheet_in_chinese(buy, story):
    reader = story.browser(buy, "loomtest_buy.buyer", lang="zh_CN")
    supplier = partner(buy, "宁波纸业", city="宁波")
    sheet = printed(reader, f"/m/base.partner/{supplier}/print")
    assert "往来单位联系单" in sheet and "返回单据" in sheet and '<html lang="zh-CN">' in sheet


def test_script_in_names_is_inert_on_the_sheet(buy, story):
    buyer = story.browser(buy, "loomtest_buy.buyer")
    for path in (f"/m/buy.request/{story.purchase(buy, PAYLOAD, '1', lines=1)}/print",
                 f"/m/base.partner/{partner(buy, PAYLOAD, street=PAYLOAD)}/print"):
        sheet = printed(buyer, path)
        assert "<svg onload" not in sheet and "<script>alert" not in sheet
        assert "&lt;svg onload=alert(1)&gt;" in sheet and "{{7*7}}" in sheet


def test_printing_needs_read_access_to_the_record(buy, story):
    outsider = story.browser(buy)
    request = story.purchase(buy, "Secret", "1")
    assert outsider.get(f"/m/buy.request/{request}/print").status_code == 403
    buyer = story.browser(buy, "loomtest_buy.buyer")
    assert buyer.get("/m/buy.request/999999/print").status_code == 404
    assert buyer.get("/m/no.such_model/1/print").status_code == 404
