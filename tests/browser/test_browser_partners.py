"""A clerk finds partners in the list, opens one and reads its timeline; names and notes carrying
markup are shown as plain text in the list, on the record's page and in its form, and no script of
theirs ever runs."""

from __future__ import annotations

import re
import secrets

import pytest

HOSTILE_NAMES = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


def test_a_clerk_searches_the_partner_list(page, expect, make_user, make_partner, log_in, shot):
    town = f"Hangzhou{secrets.token_hex(3)}"
    for name in (f"{town} Tea House", f"{town} Silk Mill", f"Ningbo Fishery {town[-6:]}"):
        make_partner(name)
    log_in(make_user("base.user"), next="/m/base.partner")
    page.get_by_role("textbox", name="Search").fill(town)
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(rf"/m/base\.partner\?q={town}(&|$)"))
    rows = page.locator("table.records tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.locator("td:first-child")).to_have_text([f"{town} Silk Mill", f"{town} Tea House"])
    expect(page.get_by_text("2 records")).to_be_visible()
    shot(page, "search-results")


def test_a_clerk_opens_a_partner_and_reads_its_timeline(page, expect, make_user, make_partner, run, log_in, shot):
    from loom.kernel.timeline import add_note

    name = f"West Lake Ceramics {secrets.token_hex(3)}"
    partner = make_partner(name, city="Hangzhou")
    run(lambda env: add_note(env, "base.partner", [partner], "Asked for a sample of the blue glaze"))
    log_in(make_user("base.user"), next=f"/m/base.partner?q={name}")
    page.get_by_role("link", name=name).click()
    expect(page).to_have_url(f"/m/base.partner/{partner}")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.locator("ol.timeline li")).to_contain_text(["Asked for a sample of the blue glaze"])
    shot(page, "timeline")


@pytest.mark.parametrize("hostile", HOSTILE_NAMES, ids=["script", "img-onerror"])
def test_a_partner_named_with_markup_is_shown_inert_in_the_list_its_page_and_its_form(
        page, expect, make_user, make_partner, run, log_in, shot, hostile):
    from loom.kernel.timeline import add_note

    partner = make_partner(hostile, comment=hostile)
    run(lambda env: add_note(env, "base.partner", [partner], hostile))
    log_in(make_user("base.user"), next="/m/base.partner")
    page.get_by_role("textbox", name="Search").fill(hostile)
    page.get_by_role("button", name="Search").click()
    link = page.locator("table.records").get_by_role("link", name=hostile, exact=True)
    expect(link).to_have_count(1)
    expect(page.locator("main script, main img")).to_have_count(0)
    shot(page, "list")
    link.click()
    expect(page.get_by_role("heading", name=hostile, exact=True)).to_be_visible()
    expect(page.locator("ol.timeline .body")).to_have_text([hostile])
    expect(page.locator("main script, main img")).to_have_count(0)
    shot(page, "detail")
    page.locator("#record-edit").click()
    expect(page.locator("#field-name")).to_have_value(hostile)
    expect(page.get_by_label("Notes", exact=True)).to_have_value(hostile)
    expect(page.locator("main script, main img")).to_have_count(0)
    shot(page, "form")
