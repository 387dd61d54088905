"""A board for any model with a workflow or stages: a column per state or stage with its count and
at most 50 cards; moving a card runs the one transition the user may run between the two states,
or writes the stage, and a move the kernel refuses is shown in its words."""

from __future__ import annotations

import re

import pytest

PAYLOAD = '"><svg onload=alert(1)><script>alert(2)</script>{{7*7}}'


@pytest.fixture(scope="module")
def stages(buy, story):
    """Three stages of the task board: to do, doing, done."""
    return story.as_superuser(buy, lambda env: [s.id for s in env["buy.stage"].create(
        [{"name": "To do", "sequence": 1}, {"name": "Doing", "sequence": 2}, {"name": "Done", "sequence": 3}])])


def tasks(app, story, stage_id, count, name="Task"):
    return story.as_superuser(app, lambda env: [t.id for t in env["buy.task"].create(
        [{"name": f"{name} {n:02d}", "stage_id": stage_id} for n in range(count)])])


def board(client, model):
    response = client.get(f"/m/{model}/kanban")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def column(html, key):
    """The HTML of one column of a board."""
    return re.search(rf'<section class="kanban-column" data-column="{key}".*?</section>', html, re.S).group(0)


def move(client, story, model, record, to):
    return story.post(client, f"/m/{model}/kanban/move", record=str(record), to=str(to))


def state_of(app, story, record):
    return story.as_superuser(app, lambda env: env["buy.request"].get(record).state)


def test_a_workflow_board_has_a_column_per_state_and_a_card_moves_by_its_transition(buy, story):
    buyer = story.browser(buy, "loomtest_buy.buyer")
    cables = story.purchase(buy, "Cables", "80")
    shown = board(buyer, "buy.request")
    assert [m for m in re.findall(r'data-column="([a-z_]+)"', shown)] == \
        ["draft", "confirmed", "received", "cancelled", "waiting_approval"]
    assert "Cables" in column(shown, "draft")
    assert move(buyer, story, "buy.request", cables, "confirmed").status_code == 303
    assert state_of(buy, story, cables) == "confirmed"
    assert "Cables" in column(board(buyer, "buy.request"), "confirmed")


def test_a_move_without_a_transition_or_without_the_right_is_refused_clearly(buy, story):
    buyer = story.browser(buy, "loomtest_buy.buyer")
    viewer = story.browser(buy, "loomtest_buy.viewer")
    mice = story.purchase(buy, "Mice", "60")
    nowhere = move(buyer, story, "buy.request", mice, "received")
    assert nowhere.status_code == 422
    assert "Mice is in state Draft: no transition leads from there to Received" in nowhere.get_data(as_text=True)
    assert move(viewer, story, "buy.request", mice, "confirmed").status_code == 403
    move(buyer, story, "buy.request", mice, "confirmed")
    manager_only = move(buyer, story, "buy.request", mice, "received")
    assert manager_only.status_code == 403 and "needs the role loomtest_buy.manager" in manager_only.get_data(
        as_text=True)
    unknown = move(buyer, story, "buy.request", mice, "lost")
    assert unknown.status_code == 422 and "has no column lost" in unknown.get_data(as_text=True)
    assert state_of(buy, story, mice) == "confirmed"
    assert move(buyer, story, "buy.request", 999999, "confirmed").status_code == 404
    assert buyer.post("/m/buy.request/kanban/move", data={"record": mice, "to": "cancelled"}).status_code == 403


def test_a_card_moves_by_the_one_transition_its_user_may_run(buy, story):
    buyer = story.browser(buy, "loomtest_buy.buyer")
    manager = story.browser(buy, "loomtest_buy.manager")
    toner, staples = story.purchase(buy, "Toner", "50"), story.purchase(buy, "Staples", "5")
    for purchase in (toner, staples):
        move(buyer, story, "buy.request", purchase, "cancelled")
    assert move(buyer, story, "buy.request", toner, "draft").status_code == 303  # redraft: reopen is a manager's
    assert state_of(buy, story, toner) == "draft"
    both = move(manager, story, "buy.request", staples, "draft")  # redraft and reopen: the manager must choose
    assert both.status_code == 422
    assert "several transitions lead from Cancelled to Draft (Redraft, Reopen)" in both.get_data(as_text=True)
    assert state_of(buy, story, staples) == "cancelled"


def test_a_large_purchase_moved_to_confirmed_waits_for_approval(buy, story):
    story.approval_threshold(buy, 1000)
    buyer = story.browser(buy, "loomtest_buy.buyer")
    servers = story.purchase(buy, "Servers", "90000")
    move(buyer, story, "buy.request", servers, "confirmed")
    assert state_of(buy, story, servers) == "waiting_approval"
    assert "Servers" in column(board(buyer, "buy.request"), "waiting_approval")


def test_a_stage_board_moves_a_card_by_writing_its_stage(buy, story, stages):
    buyer = story.browser(buy, "loomtest_buy.buyer")
    todo, doing, _done = stages
    (task,) = tasks(buy, story, todo, 1, name="Compare quotes")
    shown = board(buyer, "buy.task")
    assert re.findall(r'data-column="(\d*)"', shown)[:4] == ["", str(todo), str(doing), str(_done)]
    assert "No stage" in shown and "Compare quotes" in column(shown, todo)
    assert move(buyer, story, "buy.task", task, doing).status_code == 303
    assert "Compare quotes" in column(board(buyer, "buy.task"), doing)
    assert move(buyer, story, "buy.task", task, "").status_code == 303
    assert "Compare quotes" in column(board(buyer, "buy.task"), "")
    assert move(buyer, story, "buy.task", task, 999999).status_code == 422
    assert move(story.browser(buy, "loomtest_buy.viewer"), story, "buy.task", task, doing).status_code == 403


def test_a_column_shows_at_most_50_cards_and_its_count(buy, story, stages):
    buyer = story.browser(buy, "loomtest_buy.buyer")
    tasks(buy, story, stages[2], 60, name="Archive invoice")
    done = column(board(buyer, "buy.task"), stages[2])
    assert '<span class="count">60</span>' in done and "Showing 50 of 60" in done
    assert done.count('class="kanban-card"') == 50


def test_a_model_without_state_or_stage_has_no_board(buy, story):
    admin = story.browser(buy, "kernel.administrator")
    response = admin.get("/m/base.partner/kanban")
    assert response.status_code == 404
    assert "base.partner has no kanban board" in response.get_data(as_text=True)
    assert admin.get("/m/no.such_model/kanban").status_code == 404
    assert 'href="/m/buy.request/kanban"' in admin.get("/m/buy.request").get_data(as_text=True)
    assert "/kanban" not in admin.get("/m/base.partner").get_data(as_text=True)


def test_a_board_needs_read_access(buy, story):
    assert story.browser(buy).get("/m/buy.request/kanban").status_code == 403


def test_script_in_card_names_is_inert(buy, story):
    buyer = story.browser(buy, "loomtest_buy.buyer")
    story.purchase(buy, PAYLOAD, "1")
    tasks(buy, story, None, 1, name=PAYLOAD)
    for model in ("buy.request", "buy.task"):
        html = board(buyer, model)
        assert "<svg onload" not in html and "<script>alert" not in html
        assert "&lt;svg onload=alert(1)&gt;" in html and "{{7*7}}" in html


def test_a_board_costs_the_same_queries_for_a_few_cards_as_for_150_more(buy, story):
    from sqlalchemy import event

    from loom.kernel.web.state import loom_state

    buyer = story.browser(buy, "loomtest_buy.buyer")
    engine = loom_state(buy).engine
    statements: list[str] = []

    def count(*_args):
        statements.append("sql")

    def queries():
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            board(buyer, "buy.request")
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    def purchases(n):
        def make(env):
            supplier = env["base.partner"].create({"name": "Supplier", "is_company": True})
            env["buy.request"].create([{"name": f"Purchase {i}", "amount_total": 5, "partner_id": supplier.id}
                                       for i in range(n)])

        story.as_superuser(buy, make)

    purchases(3)
    few = queries()
    purchases(150)
    # one query for the counts, one per column (5 states), one per linked card field: never per card
    assert queries() == few
