"""What a form offers on a purchase's lines follows what the user may do to lines: Add with create
permission, Remove with delete permission, editing saved lines with write permission, Up and Down
only where the order is stored. Saving the header alone touches no line, so a rule on one line
does not stop it and the save costs the same for 2 or 40 lines. Forms of rows only the kernel
writes are refused."""

from __future__ import annotations

import re

from sqlalchemy import event


def role_with(story, buy, code, *, create, write):
    """A role that may write purchases and read lines, with ``create``/``write`` on lines as given."""
    def make(env):
        role = env["loom.role"].create({"code": code, "name": code})
        env["loom.access"].create({"role_id": role.id, "model": "buy.request", "perm_read": True, "perm_write": True})
        env["loom.access"].create({"role_id": role.id, "model": "buy.request.line", "perm_read": True,
                                   "perm_create": create, "perm_write": write})
        env["loom.access"].create({"role_id": role.id, "model": "base.partner", "perm_read": True})
    story.as_superuser(buy, make)


def descriptions(buy, story, request_id):
    """The purchase's lines as stored."""
    return story.as_superuser(buy, lambda env: [line.description for line in env["buy.request"].get(request_id).lines])


def edit_page(client, request_id):
    return client.get(f"/m/buy.request/{request_id}/edit").get_data(as_text=True)


def the_form(page):
    """Every input the page would send back as it stands (links' names left out)."""
    form = dict(re.findall(r'<input[^>]*name="([^"]+)" value="([^"]*)"', page))
    return {k: v for k, v in form.items() if not k.endswith("-label")}


def test_a_buyer_who_may_not_delete_lines_is_offered_no_remove_button(buy, story):
    request = story.purchase(buy, "Paper", "10", lines=2)
    buyer = story.browser(buy, "loomtest_buy.buyer")  # lines: read, create, write; no delete
    page = edit_page(buyer, request)
    assert 'class="line-remove"' not in page
    assert 'class="line-add"' in page and 'name="lines-0-description"' in page
    removed = story.post(buyer, f"/m/buy.request/lines?id={request}&field=lines&action=remove&index=0",
                         **the_form(page))
    assert removed.status_code == 400


def test_a_clerk_who_may_edit_lines_but_not_add_them_edits_the_lines_without_an_add_button(buy, story):
    role_with(story, buy, "loomtest_buy.line_editor", create=False, write=True)
    request = story.purchase(buy, "Toner", "10", lines=2)
    editor = story.browser(buy, "loomtest_buy.line_editor")
    page = edit_page(editor, request)
    assert 'class="line-add"' not in page
    assert re.search(r'<input[^>]*name="lines-1-description"[^>]*value="Toner line 1"', page)
    form = {**the_form(page), "lines-1-description": "Toner, black"}
    assert story.post(editor, f"/m/buy.request/{request}/edit", **form).status_code == 303
    assert descriptions(buy, story, request) == ["Toner line 0", "Toner, black"]


def test_a_clerk_who_may_add_lines_but_not_edit_them_sees_saved_lines_read_only(buy, story):
    role_with(story, buy, "loomtest_buy.line_adder", create=True, write=False)
    request = story.purchase(buy, "Pens", "10", lines=1)
    adder = story.browser(buy, "loomtest_buy.line_adder")
    page = edit_page(adder, request)
    assert 'class="line-add"' in page and "Pens line 0" in page
    assert 'name="lines-0-description"' not in page  # shown, not editable
    added = story.post(adder, f"/m/buy.request/lines?id={request}&field=lines&action=add", **the_form(page))
    assert 'name="lines-1-description"' in added.get_data(as_text=True)
    assert 'name="lines-0-description"' not in added.get_data(as_text=True)


def test_lines_that_keep_no_order_offer_no_up_and_down(buy, story):
    request = story.purchase(buy, "Cables", "10", lines=2)
    buyer = story.browser(buy, "loomtest_buy.buyer")
    page = edit_page(buyer, request)
    assert 'class="line-up"' not in page and 'class="line-down"' not in page
    moved = story.post(buyer, f"/m/buy.request/lines?id={request}&field=lines&action=down&index=0",
                       **the_form(page))
    assert moved.status_code == 400


def test_renaming_a_purchase_is_not_stopped_by_a_rule_on_one_of_its_lines(buy, story):
    request = story.purchase(buy, "Desks", "10", lines=2)

    def rule(env):
        buyer = env["loom.role"].search([["code", "=", "loomtest_buy.buyer"]])[0]
        env["loom.rule"].create({"name": "buyers change only the first desk line", "model": "buy.request.line",
                                 "role_id": buyer.id, "domain": [["description", "!=", "Desks line 1"]],
                                 "perm_read": False, "perm_write": True, "perm_create": False, "perm_delete": False})
    story.as_superuser(buy, rule)
    buyer = story.browser(buy, "loomtest_buy.buyer")
    page = edit_page(buyer, request)
    form = the_form(page)
    assert form["lines-1-description"] == "Desks line 1"
    response = story.post(buyer, f"/m/buy.request/{request}/edit", **{**form, "name": "Standing desks"})
    assert response.status_code == 303
    assert story.as_superuser(buy, lambda env: env["buy.request"].get(request).name) == "Standing desks"


def test_saving_only_the_header_costs_the_same_for_2_or_40_lines(buy, story):
    from loom.kernel.web.state import loom_state

    engine = loom_state(buy).engine
    buyer = story.browser(buy, "loomtest_buy.buyer")
    statements: list[str] = []

    def count(*_args):
        statements.append("sql")

    def save_header(lines):
        request = story.purchase(buy, f"Chairs {lines}", "10", lines=lines)
        form = {**the_form(edit_page(buyer, request)), "name": f"Chairs {lines}, renamed"}
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert story.post(buyer, f"/m/buy.request/{request}/edit", **form).status_code == 303
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert descriptions(buy, story, request) == [f"Chairs {lines} line {n}" for n in range(lines)]
        return len(statements)

    assert save_header(2) == save_header(40)


def test_a_form_for_rows_only_the_kernel_writes_is_refused(buy, story):
    admin = story.browser(buy, "kernel.administrator")
    entry = story.as_superuser(buy, lambda env: env["loom.audit_log"].search([])[0].id)
    assert admin.get("/m/loom.audit_log/new").status_code == 403
    assert admin.get(f"/m/loom.audit_log/{entry}/edit").status_code == 403
    assert admin.get("/m/buy.request/new").status_code == 200
