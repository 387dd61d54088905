"""A clerk enters a new customer in the form with its contacts on inline lines, and sees what is
wrong next to the field that is wrong when the form is refused."""

from __future__ import annotations

import secrets

from sqlalchemy import select

CONTACTS = [("Li Wei", "li.wei@lanterns.example"), ("Zhang Min", "zhang.min@lanterns.example")]


def contacts_of(run, partner_id):
    """(name, email) of the partner's contacts, by name."""

    def read(env):
        partners = env.registry["base.partner"]
        query = select(partners.name, partners.email).where(partners.parent_id == partner_id).order_by(partners.name)
        return [tuple(row) for row in env.session.execute(query)]

    return run(read)


def fill_customer_with_contacts(page, company):
    """Type a customer and its two contacts into the new partner form, as a clerk does: without pausing."""
    page.locator("#field-name").fill(company)
    page.get_by_label("Email", exact=True).fill("orders@lanterns.example")
    page.get_by_label("Customer", exact=True).check()
    for number, (name, email) in enumerate(CONTACTS, start=1):
        page.get_by_role("button", name="Add a line").click()
        page.get_by_role("textbox", name=f"Name, line {number}").fill(name)
        page.get_by_role("textbox", name=f"Email, line {number}").fill(email)


def test_a_clerk_creates_a_customer_with_two_contacts_entered_inline(page, expect, make_user, log_in, run, shot):
    company = f"Suzhou Lanterns {secrets.token_hex(3)}"
    log_in(make_user("base.user"), next="/m/base.partner")
    page.locator("#record-new").click()
    fill_customer_with_contacts(page, company)
    expect(page.locator("#lines-child_ids tbody tr")).to_have_count(2)
    shot(page, "form-filled")
    page.locator("#form-save").click()
    expect(page.get_by_role("heading", name=company)).to_be_visible()
    expect(page.get_by_role("link", name="Li Wei")).to_be_visible()
    expect(page.get_by_role("link", name="Zhang Min")).to_be_visible()
    shot(page, "saved")
    partner_id = int(page.url.rsplit("/", 1)[1])
    assert contacts_of(run, partner_id) == CONTACTS


def test_a_bad_email_is_shown_next_to_its_field_and_nothing_is_saved(page, expect, make_user, log_in, run, shot):
    company = f"Wuxi Silk {secrets.token_hex(3)}"
    log_in(make_user("base.user"), next="/m/base.partner/new")
    page.locator("#field-name").fill(company)
    page.get_by_label("Email", exact=True).fill("orders-at-wuxi")
    page.locator("#form-save").click()
    expect(page.locator("#form-error")).to_have_text("Nothing was saved: correct the fields marked below.")
    email = page.get_by_label("Email", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_value("orders-at-wuxi")
    expect(page.locator("#field-email-error")).to_have_text("orders-at-wuxi is not an e-mail address.")
    expect(page.locator(".field-error")).to_have_count(1)
    expect(page.locator("#field-name")).to_have_value(company)
    shot(page, "email-refused")
    assert run(lambda env: env["base.partner"].count([("name", "=", company)])) == 0


def test_a_bad_email_on_a_contact_line_is_shown_in_that_line(page, expect, make_user, log_in, run, shot):
    company = f"Nanjing Brocade {secrets.token_hex(3)}"
    log_in(make_user("base.user"), next="/m/base.partner/new")
    page.locator("#field-name").fill(company)
    for number, (name, email) in enumerate([("Wang Fang", "wang.fang@brocade.example"),
                                            ("Chen Jie", "chen.jie at brocade")], start=1):
        page.get_by_role("button", name="Add a line").click()
        page.get_by_role("textbox", name=f"Name, line {number}").fill(name)
        page.get_by_role("textbox", name=f"Email, line {number}").fill(email)
    page.locator("#form-save").click()
    expect(page.locator("#field-child_ids-1-email-error")).to_have_text("chen.jie at brocade is not an e-mail address.")
    expect(page.get_by_role("textbox", name="Email, line 2")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("textbox", name="Name, line 1")).to_have_value("Wang Fang")
    expect(page.locator(".field-error")).to_have_count(1)
    shot(page, "line-email-refused")
    assert run(lambda env: env["base.partner"].count([("name", "in", [company, "Wang Fang", "Chen Jie"])])) == 0


def test_a_field_changed_while_the_form_recomputes_is_recomputed_after_it(page, expect, make_user, log_in, incidents):
    held = []

    def hold_the_first(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    log_in(make_user("base.user"), next="/m/base.partner/new")
    page.route("**/m/base.partner/onchange", hold_the_first)
    with page.expect_request("**/m/base.partner/onchange"):
        page.locator("#field-name").fill("Hurried Trading")
    page.get_by_label("Email", exact=True).fill("orders@hurried.example")
    page.wait_for_timeout(600)  # past the 300 ms typing delay: the e-mail's on-change has been asked for
    incidents.assert_none("the e-mail typed while the name was recomputed")
    with page.expect_response(lambda answer: answer.url.endswith("/m/base.partner/onchange")
                              and answer.request.headers.get("hx-trigger-name") == "email"):
        held[0].continue_()
    expect(page.get_by_label("Email", exact=True)).to_have_value("orders@hurried.example")
