"""A Chinese clerk reads the shell in Chinese: model titles, column headers, field labels, choices
and shipped names; after switching language every page follows."""

from __future__ import annotations

import re

import pytest

HEADERS = re.compile(r"<th[^>]*>(?:<a [^>]*>)?([^<▲▼]+?)\s*(?:[▲▼])?(?:</a>)?</th>")
TERMS = re.compile(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>")


@pytest.fixture(scope="module")
def workshop(shop):
    """A ceramics workshop with its invoice address, tagged as a customer."""
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment

    def make(session):
        env = Environment(shop.registry, session, su=True)
        company = env["base.partner"].create({"name": "Jingdezhen Kiln Works", "is_company": True,
                                              "is_customer": True})
        address = env["base.partner"].create({"name": "Kiln Works accounts", "parent_id": company.id,
                                              "type": "invoice"})
        return company.id, address.id

    return run_unit_of_work(shop.engine, make)


def headers(page: str) -> list[str]:
    return [h.strip() for h in HEADERS.findall(page)]


def test_a_chinese_clerk_sees_partners_titled_and_headed_in_chinese(make_user, log_in, workshop):
    clerk = log_in(make_user("base.user", lang="zh_CN")).client
    page = clerk.get("/m/base.partner?q=Kiln&columns=name,parent_id,type,tax_id,is_customer").get_data(as_text=True)
    assert "<h1>合作伙伴</h1>" in page
    assert headers(page) == ["名称", "所属单位", "地址类型", "税号（统一社会信用代码）", "客户"]
    assert "开票地址" in page and "invoice" not in re.search(r"<tbody>(.*)</tbody>", page, re.S).group(1)


def test_the_detail_page_labels_every_field_in_chinese(make_user, log_in, workshop):
    _, address = workshop
    clerk = log_in(make_user("base.user", lang="zh_CN")).client
    terms = dict(TERMS.findall(clerk.get(f"/m/base.partner/{address}").get_data(as_text=True)))
    assert terms["名称"] == "Kiln Works accounts"
    assert terms["所属单位"] == "Jingdezhen Kiln Works"
    assert "地址类型" in terms and "电子邮件" in terms and "Email" not in terms


def test_shipped_units_and_currencies_are_named_in_the_readers_language(make_user, log_in):
    clerk = log_in(make_user("base.user", lang="zh_CN")).client
    page = clerk.get("/m/base.currency?columns=code,name,symbol").get_data(as_text=True)
    assert "<h1>币种</h1>" in page and "人民币" in page and "美元" in page
    units = clerk.get("/m/base.uom?columns=name,category_id,uom_type").get_data(as_text=True)
    assert "千克" in units and "重量" in units and "该类别的基准单位" in units


def test_every_page_follows_a_language_switch(make_user, log_in, csrf, workshop):
    company, _ = workshop
    clerk = log_in(make_user("base.user")).client
    english = clerk.get("/m/base.partner?q=Kiln&columns=name,is_customer").get_data(as_text=True)
    assert "<h1>Partner</h1>" in english and headers(english) == ["Name", "Customer"]
    clerk.post("/preferences/lang", data={"lang": "zh_CN", "csrf_token": csrf(clerk)})
    chinese = clerk.get("/m/base.partner?q=Kiln&columns=name,is_customer").get_data(as_text=True)
    assert "<h1>合作伙伴</h1>" in chinese and headers(chinese) == ["名称", "客户"]
    assert "是公司" in dict(TERMS.findall(clerk.get(f"/m/base.partner/{company}").get_data(as_text=True)))
    assert "Chinese yuan" not in clerk.get("/m/base.currency?columns=name").get_data(as_text=True)
    clerk.post("/preferences/lang", data={"lang": "en", "csrf_token": csrf(clerk)})
    back = clerk.get(f"/m/base.partner/{company}").get_data(as_text=True)
    assert "Is a company" in dict(TERMS.findall(back))
    assert "Chinese yuan" in clerk.get("/m/base.currency?columns=name").get_data(as_text=True)


def test_roles_shipped_by_the_kernel_and_base_are_named_in_chinese(make_user, log_in):
    manager = log_in(make_user("kernel.user_manager", lang="zh_CN")).client
    page = manager.get("/m/loom.role?columns=code,name").get_data(as_text=True)
    assert "<h1>角色</h1>" in page and "系统管理员" in page and "主数据：用户" in page and "审计员" in page


def test_the_partner_form_labels_fields_and_choices_in_chinese(make_user, log_in):
    clerk = log_in(make_user("base.user", lang="zh_CN")).client
    form = clerk.get("/m/base.partner/new")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert '<option value="invoice">开票地址</option>' in page and ">简体中文</option>" in page
    assert "联系人和地址" in page and "税号（统一社会信用代码）" in page


def test_a_chinese_clerk_picks_and_sees_units_by_their_chinese_names(make_user, log_in, run):
    clerk = log_in(make_user("base.user", lang="zh_CN")).client
    offered = clerk.get("/m/base.product/autocomplete?field=uom_id&q=kg").get_data(as_text=True)
    assert 'data-label="千克"' in offered

    def bell(env):
        kilo = env["base.uom"].search([["name", "=", "kg"]])[0]
        return env["base.product"].create({"name": "Tea brick", "name_zh": "茶砖", "uom_id": kilo.id}).id

    form = clerk.get(f"/m/base.product/{run(bell)}/edit").get_data(as_text=True)
    assert "千克" in form and "茶砖" in form


def test_the_menu_names_base_masters_in_the_readers_language(make_user, log_in):
    menu = re.compile(r'<nav class="menu">(.*?)</nav>', re.S)
    chinese = menu.search(log_in(make_user("base.user", lang="zh_CN")).client.get("/").get_data(as_text=True)).group(1)
    assert '<a href="/m/base.partner">合作伙伴</a>' in chinese and '<a href="/m/base.uom">计量单位</a>' in chinese
    english = menu.search(log_in(make_user("base.user")).client.get("/").get_data(as_text=True)).group(1)
    assert '<a href="/m/base.product">Product</a>' in english
    assert "/m/base.partner" not in menu.search(log_in(make_user()).client.get("/").get_data(as_text=True)).group(1)
