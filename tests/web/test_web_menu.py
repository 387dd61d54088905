"""The shell's menu shows what the user may open, in the user's language."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from loom.kernel.errors import ConfigurationError
from loom.kernel.web.menus import MenuItem, collect_menu


def test_an_auditor_sees_the_audit_log_in_the_menu_and_a_clerk_does_not(make_user, log_in):
    auditor = log_in(make_user("kernel.auditor")).client.get("/").get_data(as_text=True)
    clerk = log_in(make_user()).client.get("/").get_data(as_text=True)
    assert 'href="/m/loom.audit_log">Audit log</a>' in auditor
    assert "Audit log" not in clerk


def test_a_chinese_user_gets_the_shell_in_chinese(make_user, log_in):
    page = log_in(make_user("kernel.auditor", lang="zh_CN")).client.get("/").get_data(as_text=True)
    assert "审计日志" in page and "退出登录" in page and '<html lang="zh-CN">' in page


def test_the_login_page_follows_the_browsers_language(app):
    page = app.test_client().get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "登录 Loom" in page


def test_two_menu_entries_with_one_key_are_refused():
    twice = [[MenuItem("sales.orders", "sales.menu_orders", "/m/sales.order")],
             [MenuItem("sales.orders", "sales.menu_quotes", "/m/sales.order")]]
    registry = SimpleNamespace(pm=SimpleNamespace(hook=SimpleNamespace(register_menus=lambda: twice)))
    with pytest.raises(ConfigurationError) as refused:
        collect_menu(registry)
    assert "sales.orders" in str(refused.value)


def test_module_entries_join_the_kernels_in_sequence_order():
    entries = [[MenuItem("sales.orders", "sales.menu_orders", "/m/sales.order", sequence=10)]]
    registry = SimpleNamespace(pm=SimpleNamespace(hook=SimpleNamespace(register_menus=lambda: entries)))
    assert [item.key for item in collect_menu(registry)] == ["sales.orders", "kernel.audit_log"]


def test_a_user_switches_to_chinese_and_back(make_user, log_in, csrf):
    browser = log_in(make_user("kernel.auditor")).client
    assert "Audit log" in browser.get("/m/loom.audit_log").get_data(as_text=True)
    switched = browser.post("/preferences/lang", data={"lang": "zh_CN", "next": "/m/loom.audit_log",
                                                        "csrf_token": csrf(browser)})
    assert switched.headers["Location"] == "/m/loom.audit_log"
    assert "审计日志" in browser.get("/").get_data(as_text=True)
    browser.post("/preferences/lang", data={"lang": "en", "csrf_token": csrf(browser)})
    assert "Audit log" in browser.get("/").get_data(as_text=True)


def test_an_unknown_language_is_refused(make_user, log_in, csrf):
    browser = log_in(make_user()).client
    browser.get("/")
    assert browser.post("/preferences/lang", data={"lang": "fr", "csrf_token": csrf(browser)}).status_code == 400
