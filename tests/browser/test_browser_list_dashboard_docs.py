"""In chromium, under the shell's Content-Security-Policy: a manager sorts and filters the partner
list and downloads it as CSV, sees the home dashboard's charts drawn, and an integrator reads the
API's Swagger UI page. The page fixture fails any story whose page breaks the CSP or logs an error."""

from __future__ import annotations


def test_a_manager_sorts_filters_and_exports_the_partner_list(page, expect, make_user, make_partner, log_in, shot):
    for n, city in enumerate(("Ningbo", "Hangzhou", "Wenzhou")):
        make_partner(f"Jade buyer {n}", city=city, is_customer=n != 1)
    log_in(make_user("base.manager"))
    page.goto("/m/base.partner?q=Jade buyer&columns=name,city,is_customer")
    page.get_by_role("link", name="City").click()
    expect(page.locator("tbody tr").first).to_contain_text("Hangzhou")
    page.get_by_role("link", name="City ▲").click()
    expect(page.locator("tbody tr").first).to_contain_text("Wenzhou")
    page.locator(".facet", has_text="Customer").get_by_role("link", name="Yes").click()
    expect(page.get_by_text("2 records")).to_be_visible()
    shot(page, "sorted-and-filtered")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    assert download.value.suggested_filename == "base.partner.csv"
    lines = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert lines == ["name,city,is_customer", "Jade buyer 2,Wenzhou,true", "Jade buyer 0,Ningbo,true"]


def test_the_home_dashboard_draws_its_charts(page, expect, make_user, make_partner, log_in, shot):
    make_partner("Kyoto tea house", country_code="JP", is_customer=True)
    log_in(make_user("base.user"))
    expect(page.get_by_role("heading", name="Partners by country")).to_be_visible()
    expect(page.locator(".tile.drawn canvas")).to_have_count(2)
    shot(page, "dashboard")


def test_the_api_documentation_lists_a_models_routes_and_offers_to_try_them(page, expect, shot):
    page.goto("/api/v1/docs")
    list_currencies = page.locator('.opblock-get .opblock-summary-path[data-path="/api/v1/base.currency"]')
    expect(list_currencies).to_be_visible()
    list_currencies.click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()
    shot(page, "swagger-ui")
