"""A record's page: its fields and lines, workflow buttons only for what the user may run, approval
decisions for who may decide (a rejection needs a reason), notes and activities on the timeline,
attachments that download as files, every refusal in the kernel's words, never a 500."""

from __future__ import annotations

import re

import pytest

PAYLOAD = '"><svg onload=alert(1)><script>alert(2)</script>{{7*7}}'


@pytest.fixture(scope="module")
def buy_threshold():
    """Purchases over 1,000 wait for a purchase manager."""
    return 1000


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def button_for(html, action):
    return f'action="{action}"' in html


def test_a_buyer_submits_a_large_purchase_and_the_manager_rejects_it_with_a_reason(buy, story):
    buyer = story.browser(buy, "loomtest_buy.buyer")
    manager = story.browser(buy, "loomtest_buy.manager")
    chairs = story.purchase(buy, "Office chairs", "5000.00", lines=2)
    url = f"/m/buy.request/{chairs}"

    before = page(buyer, url)
    assert button_for(before, f"{url}/transition/submit") and "Office chairs line 1" in before
    assert story.post(buyer, f"{url}/transition/submit").status_code == 303

    waiting = page(buyer, url)
    assert "State: Waiting approval" in waiting and "Waiting for approval to Submit" in waiting
    assert "Submit: Draft → Waiting approval" in waiting and "approval requested" in waiting  # the timeline
    assert "by Purchase manager: 0 of 1 approvals given" in waiting
    assert not button_for(waiting, f"{url}/approve") and not button_for(waiting, f"{url}/reject")
    refused = story.post(buyer, f"{url}/approve")
    assert refused.status_code == 403
    assert "asked for the approval of buy.request Office chairs" in refused.get_data(as_text=True)

    decision = page(manager, url)
    assert button_for(decision, f"{url}/approve") and button_for(decision, f"{url}/reject")
    no_reason = story.post(manager, f"{url}/reject", reason="  ")
    body = no_reason.get_data(as_text=True)
    assert no_reason.status_code == 422
    assert re.search(r'<textarea id="reject-reason"[^>]*>.*?</textarea>\s*<p class="error field-error" '
                     r'id="reject-reason-error" role="alert">A rejection needs a reason', body, re.S)
    assert story.post(manager, f"{url}/reject", reason="Ask for a second quote").status_code == 303

    after = page(buyer, url)
    assert "State: Draft" in after and "Ask for a second quote" in after and "rejected" in after
    assert button_for(after, f"{url}/transition/submit")


def test_the_manager_approves_and_the_purchase_goes_through(buy, story):
    buyer = story.browser(buy, "loomtest_buy.buyer")
    manager = story.browser(buy, "loomtest_buy.manager")
    desks = story.purchase(buy, "Standing desks", "8000")
    url = f"/m/buy.request/{desks}"
    story.post(buyer, f"{url}/transition/submit")
    assert story.post(manager, f"{url}/approve").status_code == 303
    after = page(manager, url)
    assert "State: Confirmed" in after and "approved" in after
    assert button_for(after, f"{url}/transition/receive")  # the manager's own transition
    assert story.post(manager, f"{url}/approve").status_code == 422  # nothing waits any more


def test_a_reader_sees_no_workflow_button_and_a_post_is_refused(buy, story):
    viewer = story.browser(buy, "loomtest_buy.viewer")
    buyer = story.browser(buy, "loomtest_buy.buyer")
    pens = story.purchase(buy, "Pens", "12")
    url = f"/m/buy.request/{pens}"
    shown = page(viewer, url)
    assert "State: Draft" in shown and "/transition/" not in shown
    assert story.post(viewer, f"{url}/transition/submit").status_code == 403
    assert "State: Draft" in page(viewer, url)

    story.post(buyer, f"{url}/transition/submit")  # under the threshold: confirmed at once
    confirmed = page(buyer, url)
    assert button_for(confirmed, f"{url}/transition/cancel")
    assert not button_for(confirmed, f"{url}/transition/receive")  # a purchase manager's transition
    refused = story.post(buyer, f"{url}/transition/receive")
    assert refused.status_code == 403 and "needs the role loomtest_buy.manager" in refused.get_data(as_text=True)


def test_a_refused_transition_names_the_state_and_an_unknown_one_is_a_clear_error(buy, story):
    buyer = story.browser(buy, "loomtest_buy.buyer")
    paper = story.purchase(buy, "Paper", "30")
    url = f"/m/buy.request/{paper}"
    wrong_state = story.post(buyer, f"{url}/transition/redraft")
    assert wrong_state.status_code == 422
    assert "is in state draft, so it cannot redraft" in wrong_state.get_data(as_text=True)
    unknown = story.post(buyer, f"{url}/transition/explode")
    assert unknown.status_code == 422 and "has no transition explode" in unknown.get_data(as_text=True)
    assert story.post(buyer, "/m/no.such_model/1/transition/submit").status_code == 404
    assert story.post(buyer, "/m/buy.request/999999/transition/submit").status_code == 404
    assert buyer.post(f"{url}/transition/submit").status_code == 403  # no CSRF token
    assert "State: Draft" in page(buyer, url)


def test_notes_and_activities_appear_on_the_timeline(buy, story):
    buyer = story.browser(buy, "loomtest_buy.buyer")
    manager = story.browser(buy, "loomtest_buy.manager")
    ink = story.purchase(buy, "Ink", "40")
    url = f"/m/buy.request/{ink}"
    assert story.post(buyer, f"{url}/notes", body="Supplier promised delivery on Monday").status_code == 303
    empty = story.post(buyer, f"{url}/notes", body=" ")
    assert empty.status_code == 422 and 'id="note-body-error"' in empty.get_data(as_text=True)

    bad_date = story.post(buyer, f"{url}/activities", summary="Call the supplier", due_date="next week",
                          assignee=manager.login)
    text = bad_date.get_data(as_text=True)
    assert bad_date.status_code == 422 and 'id="activity-due_date-error"' in text
    assert 'value="Call the supplier"' in text  # what was typed is kept
    nobody = story.post(buyer, f"{url}/activities", summary="Call", due_date="2026-12-24", assignee="nobody_here")
    assert nobody.status_code == 422 and "No active user has the login nobody_here" in nobody.get_data(as_text=True)
    assert story.post(buyer, f"{url}/activities", summary="Call the supplier", due_date="2026-12-24",
                      assignee=manager.login).status_code == 303

    timeline = page(buyer, url)
    assert "Supplier promised delivery on Monday" in timeline
    assert f"Due Dec 24, 2026 for {manager.login}" in timeline and "Call the supplier" in timeline
    done_url = re.search(r'action="(/m/buy\.request/\d+/activities/\d+/done)"', timeline).group(1)
    assert story.post(manager, done_url).status_code == 303
    finished = page(buyer, url)
    assert '<span class="done">Done</span>' in finished and done_url not in finished
    assert story.post(manager, done_url).status_code == 422  # already done


def test_an_activity_is_marked_done_only_through_its_own_record(buy, story):
    buyer = story.browser(buy, "loomtest_buy.buyer")
    first, second = story.purchase(buy, "Tape", "5"), story.purchase(buy, "Glue", "5")
    story.post(buyer, f"/m/buy.request/{first}/activities", summary="Count tape", due_date="2026-12-24",
               assignee=buyer.login)
    done_url = re.search(r'action="/m/buy\.request/\d+(/activities/\d+/done)"',
                         page(buyer, f"/m/buy.request/{first}")).group(1)
    assert story.post(buyer, f"/m/buy.request/{second}{done_url}").status_code == 404
    assert story.post(buyer, f"/m/buy.request/{first}{done_url}").status_code == 303


def test_an_uploaded_file_downloads_as_an_attachment_and_stays_hidden_from_others(buy, story):
    buyer = story.browser(buy, "loomtest_buy.buyer")
    outsider = story.browser(buy)
    quote = story.purchase(buy, "Printers", "900")
    url = f"/m/buy.request/{quote}"
    from io import BytesIO

    upload = buyer.post(f"{url}/attachments", content_type="multipart/form-data", data={
        "csrf_token": story.token(buyer), "file": (BytesIO(b"<html><script>alert(1)</script></html>"),
                                                    "quote <img src=x onerror=alert(1)>.html")})
    assert upload.status_code == 303
    shown = page(buyer, url)
    assert "quote &lt;img src=x onerror=alert(1)&gt;.html" in shown and "<img src=x" not in shown
    link = re.search(r'href="(/m/buy\.request/\d+/attachments/\d+)" download', shown).group(1)

    download = buyer.get(link)
    assert download.status_code == 200 and download.data == b"<html><script>alert(1)</script></html>"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Type"] == "application/octet-stream"
    assert outsider.get(link).status_code == 404
    other = story.purchase(buy, "Other", "1")
    assert buyer.get(link.replace(f"/{quote}/", f"/{other}/")).status_code == 404

    missing = story.post(buyer, f"{url}/attachments")
    assert missing.status_code == 422 and 'id="attachment-file-error"' in missing.get_data(as_text=True)
    viewer = story.browser(buy, "loomtest_buy.viewer")
    assert 'action="' + f'{url}/attachments"' not in page(viewer, url)  # reading is not attaching


def test_lines_are_listed_with_links_to_their_own_pages(buy, story):
    buyer = story.browser(buy, "loomtest_buy.buyer")
    request = story.purchase(buy, "Monitors", "300", lines=3)
    shown = page(buyer, f"/m/buy.request/{request}")
    lines = re.findall(r'<a href="(/m/buy\.request\.line/\d+)">Monitors line \d</a>', shown)
    assert len(lines) == 3
    assert "Monitors line 2" in page(buyer, lines[2])


def test_script_in_names_and_notes_is_inert_on_the_page(buy, story):
    buyer = story.browser(buy, "loomtest_buy.buyer")
    hostile = story.purchase(buy, PAYLOAD, "10", lines=1)
    url = f"/m/buy.request/{hostile}"
    story.post(buyer, f"{url}/notes", body=PAYLOAD)
    story.post(buyer, f"{url}/activities", summary=PAYLOAD, due_date="2026-12-24", assignee=buyer.login)
    rejected = story.post(buyer, f"{url}/notes", body="")  # a refusal re-renders the page too
    for html in (page(buyer, url), rejected.get_data(as_text=True)):
        assert "<svg onload" not in html and "<script>alert" not in html
        assert "&lt;svg onload=alert(1)&gt;" in html and "{{7*7}}" in html


def test_a_chinese_user_sees_the_page_in_chinese(buy, story):
    manager = story.browser(buy, "loomtest_buy.manager", lang="zh_CN")
    buyer = story.browser(buy, "loomtest_buy.buyer")
    lamps = story.purchase(buy, "Lamps", "2000")
    story.post(buyer, f"/m/buy.request/{lamps}/transition/submit")
    shown = page(manager, f"/m/buy.request/{lamps}")
    assert "批准" in shown and "驳回原因（必填）" in shown and "打印" in shown
    refused = story.post(manager, f"/m/buy.request/{lamps}/reject", reason="")
    assert refused.status_code == 422 and "驳回必须填写原因" in refused.get_data(as_text=True)


def test_a_detail_page_costs_the_same_queries_for_2_lines_as_for_40(buy, story):
    from sqlalchemy import event

    from loom.kernel.web.state import loom_state

    buyer = story.browser(buy, "loomtest_buy.buyer")
    engine = loom_state(buy).engine
    small, large = story.purchase(buy, "Small", "2000", lines=2), story.purchase(buy, "Large", "2000", lines=40)
    for request, notes in ((small, 1), (large, 12)):
        story.post(buyer, f"/m/buy.request/{request}/transition/submit")  # waiting: the approval panel too
        for n in range(notes):
            story.post(buyer, f"/m/buy.request/{request}/notes", body=f"note {n}")
            story.post(buyer, f"/m/buy.request/{request}/activities", summary=f"task {n}", due_date="2026-12-24",
                       assignee=buyer.login)
    statements: list[str] = []

    def count(*_args):
        statements.append("sql")

    def queries(path):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            page(buyer, path)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    # fields, lines (one query and one per linked column), attachments, timeline, approval panel:
    # 24 statements on SQLite, 21 on PostgreSQL, for 2 lines and 1 note as for 40 lines and 24 events
    assert queries(f"/m/buy.request/{small}") == queries(f"/m/buy.request/{large}")


def test_opening_pages_boards_sheets_and_files_changes_nothing(buy, story):
    from io import BytesIO

    from sqlalchemy import MetaData, select

    from loom.kernel.web.state import loom_state

    buyer = story.browser(buy, "loomtest_buy.buyer")
    request = story.purchase(buy, "Cartridges", "3000", lines=2)
    story.post(buyer, f"/m/buy.request/{request}/transition/submit")
    buyer.post(f"/m/buy.request/{request}/attachments", content_type="multipart/form-data",
               data={"csrf_token": story.token(buyer), "file": (BytesIO(b"%PDF-1.4 quote"), "quote.pdf")})
    shown = page(buyer, f"/m/buy.request/{request}")
    link = re.search(r'href="(/m/buy\.request/\d+/attachments/\d+)"', shown).group(1)

    def snapshot():
        def rows(session):
            metadata = MetaData()
            metadata.reflect(session.connection())
            return {name: sorted(map(repr, session.execute(select(table)).all()))
                    for name, table in metadata.tables.items()}

        return loom_state(buy).run(None, lambda env: rows(env.session), write=False)

    before = snapshot()
    for path in (f"/m/buy.request/{request}", f"/m/buy.request/{request}/print", "/m/buy.request/kanban", link,
                 f"/m/buy.request/{request}/transition/submit", f"/m/buy.request/{request}/approve",
                 f"/m/buy.request/{request}/reject?reason=x", "/m/buy.request/kanban/move?record=1&to=draft"):
        assert buyer.get(path).status_code in (200, 405)
    assert snapshot() == before
