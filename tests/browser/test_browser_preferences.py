"""A clerk opens their preferences from their name in the top bar, switches to Chinese and Tokyo
time, is told a mistyped new password, and changes it; a real browser, no CSP violation."""

from __future__ import annotations

NEW_PASSWORD = "porcelain kiln 1728"


def test_a_clerk_sets_language_time_zone_and_password_from_the_top_bar(page, expect, make_user, log_in, shot):
    login = make_user("base.user")
    log_in(login)
    page.get_by_role("link", name=f"Clerk {login}").click()
    expect(page).to_have_url("/preferences")
    expect(page.get_by_role("heading", name="Preferences")).to_be_visible()
    page.get_by_label("Language").select_option("zh_CN")
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("status")).to_have_text("语言和时区已保存。")
    expect(page.get_by_label("时区")).to_have_value("Asia/Tokyo")
    shot(page, "chinese-tokyo")
    page.get_by_label("当前密码").fill("correct horse battery")
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD + "!")
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator("#field-new_password_again-error")).to_contain_text("两次输入的新密码不一致")
    shot(page, "passwords-differ")
    page.get_by_label("当前密码").fill("correct horse battery")
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    expect(page.get_by_role("status")).to_contain_text("密码已修改")
    page.goto("/")
    expect(page.get_by_role("heading", name="首页")).to_be_visible()  # still logged in here
