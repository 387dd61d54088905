"""The shell around every page: a clerk logs in, switches the shell to Chinese and back, and logs
out; after logout neither the back button nor a bookmarked page shows anything but the login page."""

from __future__ import annotations


def test_a_clerk_logs_in_after_a_wrong_password(page, expect, make_user, log_in, shot):
    login = make_user("base.user")
    log_in(login, password="wrong password")
    expect(page.get_by_role("alert")).to_have_text("Wrong login or password.")
    expect(page.get_by_label("Login")).to_have_value(login)
    shot(page, "wrong-password")
    log_in(login)
    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    expect(page.get_by_text(f"Welcome, Clerk {login}.")).to_be_visible()
    shot(page, "home")


def test_after_logout_the_back_button_and_a_bookmark_lead_to_the_login_page(page, expect, make_user, log_in, shot):
    log_in(make_user("base.user"), next="/m/base.partner")
    expect(page).to_have_url("/m/base.partner")
    expect(page.get_by_role("textbox", name="Search")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to Loom")).to_be_visible()
    shot(page, "logged-out")
    page.go_back()
    expect(page).to_have_url("/login?next=/m/base.partner")
    expect(page.get_by_role("heading", name="Log in to Loom")).to_be_visible()
    page.goto("/m/base.partner")
    expect(page).to_have_url("/login?next=/m/base.partner")
    expect(page.get_by_role("heading", name="Log in to Loom")).to_be_visible()
    shot(page, "bookmark-after-logout")


def test_a_clerk_switches_the_shell_to_chinese_and_back(page, expect, make_user, log_in, shot):
    log_in(make_user("base.user"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="首页")).to_be_visible()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="首页")).to_be_visible()
    shot(page, "chinese")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    shot(page, "english-again")
