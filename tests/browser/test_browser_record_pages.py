"""In chromium: a buyer drags a purchase across the kanban board, a manager rejects it on its page
after forgetting the reason, and a purchase named with script shows as text on its page, its print
sheet and the board, with no dialog and no Content-Security-Policy violation (the page fixture
fails the story on either)."""

from __future__ import annotations

import secrets
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest

WEB_MODULES = str(Path(__file__).resolve().parents[1] / "web" / "web_modules")
PAYLOAD = '"><img src=x onerror=alert(2)><script>alert(3)</script>'


@pytest.fixture(scope="module")
def shop(database_factory):
    """A database with base and the test module buy (purchases with a workflow and approvals)."""
    from loom.kernel.db import create_engine
    from loom.kernel.installer import ModuleManager
    from loom_test_support import Installed

    sys.path.insert(0, WEB_MODULES)
    url = database_factory()
    engine = create_engine(url)
    try:
        ModuleManager(engine, roots=(WEB_MODULES,)).install(["loomtest_buy"])
        yield Installed(url, engine, ModuleManager(engine, roots=(WEB_MODULES,)))
    finally:
        engine.dispose()
        sys.path.remove(WEB_MODULES)


@pytest.fixture(scope="module")
def live_server(shop):
    """The shell over ``shop`` (buy's folder among its module roots) on a free loopback port."""
    from werkzeug.serving import make_server

    from loom.kernel.web.app import create_app

    app = create_app(shop.url, config={"SECRET_KEY": secrets.token_bytes(32)}, roots=(WEB_MODULES,))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="loom-record-pages", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def purchase(run):
    """``purchase(name, amount)``: a draft purchase request's id."""
    return lambda name, amount: run(lambda env: env["buy.request"].create(
        {"name": name, "amount_total": Decimal(amount)}).id)


def state_of(run, record):
    return run(lambda env: env["buy.request"].get(record).state)


def test_a_buyer_drags_a_purchase_to_confirmed_on_the_board(page, expect, make_user, log_in, purchase, run, shot):
    cables = purchase("Patch cables", "80")
    log_in(make_user("loomtest_buy.buyer"), next="/m/buy.request/kanban")
    card = page.locator(f'.kanban-card[data-record="{cables}"]')
    expect(page.locator('[data-column="draft"]').locator(card)).to_be_visible()
    shot(page, "board-before")
    card.drag_to(page.locator('[data-column="confirmed"]'))
    expect(page.locator('[data-column="confirmed"]').locator(card)).to_be_visible()
    assert state_of(run, cables) == "confirmed"
    shot(page, "board-after")


def test_a_manager_rejects_a_purchase_only_with_a_reason(page, expect, make_user, log_in, purchase, run, shot):
    from loom.kernel.workflow import add_rule, run_transition

    run(lambda env: add_rule(env, {"model": "buy.request", "transition": "submit", "amount_field": "amount_total",
                                   "threshold": "1000", "role": "loomtest_buy.manager"}))
    servers = purchase("Rack servers", "90000")
    run(lambda env: run_transition(env.sudo(), "buy.request", "submit", [servers]))
    log_in(make_user("loomtest_buy.manager"), next=f"/m/buy.request/{servers}")
    expect(page.get_by_text("State: Waiting approval")).to_be_visible()
    page.get_by_role("button", name="Reject").click()
    expect(page.locator("#reject-reason-error")).to_contain_text("A rejection needs a reason")
    shot(page, "reason-missing")
    page.get_by_label("Reason for rejecting (required)").fill("Ask two more suppliers")
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_text("State: Draft")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("Ask two more suppliers")
    shot(page, "rejected")


def test_script_in_a_purchase_name_stays_text_on_every_page(page, expect, make_user, log_in, purchase, shot):
    hostile = purchase(PAYLOAD, "10")
    log_in(make_user("loomtest_buy.buyer"), next=f"/m/buy.request/{hostile}")
    expect(page.get_by_role("heading", level=1)).to_have_text(PAYLOAD)
    page.get_by_label("Note").fill(PAYLOAD)
    page.get_by_role("button", name="Post note").click()
    expect(page.locator(".timeline .body")).to_have_text(PAYLOAD)
    shot(page, "detail")
    page.get_by_role("link", name="Print").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PAYLOAD)
    shot(page, "print")
    page.goto("/m/buy.request/kanban")
    expect(page.locator(f'.kanban-card[data-record="{hostile}"] h3')).to_have_text(PAYLOAD)
    shot(page, "board")
