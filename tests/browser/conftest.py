"""Fixtures of the browser stories: Debian's chromium driven by Playwright against the web shell
served on a free loopback port, one committed database with base per test file.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium`` (headless). Without
chromium or Playwright the stories skip on a developer's machine and FAIL under CI (``CI`` set).
Every page is guarded: a JavaScript dialog, a console error, an uncaught exception or a
Content-Security-Policy violation fails the story. Screenshots of each story's key step go to
``test-artifacts/browser/<backend>/``."""

from __future__ import annotations

import itertools
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from loom_test_support import committed_shop

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PASSWORD = "correct horse battery"
#: How long a story waits for one page or element (a loaded CI machine is slow, a broken page is not).
WAIT_MS = 10_000
#: Reports a page makes to the test: a CSP violation is written to the console by this script,
#: which the test harness injects before any page script (it is not subject to the page's CSP).
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""
_numbers = itertools.count(1)


def _missing_browser() -> str | None:
    """Why the stories cannot run here, or None when chromium and Playwright are both present."""
    if not CHROMIUM.exists():
        return f"no chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install '.[test]')"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless chromium, one per test process; a missing browser skips, under CI fails."""
    missing = _missing_browser()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser stories cannot run under CI: {missing}")
        pytest.skip(f"browser stories need chromium: {missing}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def expect(browser) -> Callable[..., Any]:
    """Playwright's ``expect`` (imported only once the browser is known to be there)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    return expect


@pytest.fixture(scope="module")
def shop(database_factory):
    """A database of this test file's own with base installed (the shell's writes really commit)."""
    yield from committed_shop(database_factory, "base")


@pytest.fixture(scope="module")
def live_server(shop) -> Iterator[str]:
    """The web shell over ``shop`` served by werkzeug on a free loopback port in a thread; its URL."""
    from werkzeug.serving import make_server

    from loom.kernel.web.app import create_app

    app = create_app(shop.url, config={"SECRET_KEY": secrets.token_bytes(32)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="loom-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def run(shop) -> Callable[..., Any]:
    """``run(work)``: run ``work(env)`` as superuser in one committed unit of work."""
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment

    return lambda work: run_unit_of_work(shop.engine, lambda session: work(
        Environment(shop.registry, session, su=True)))


@pytest.fixture
def make_user(run) -> Callable[..., str]:
    """``make_user(*roles, lang="en")``: a new user with a unique login and :data:`PASSWORD`."""
    from loom.kernel.users import create_user

    def make(*roles: str, lang: str = "en") -> str:
        login = f"clerk{next(_numbers)}_{secrets.token_hex(3)}"
        run(lambda env: create_user(env, login, f"Clerk {login}", PASSWORD, roles=roles, lang=lang))
        return login

    return make


@pytest.fixture
def make_partner(run) -> Callable[..., int]:
    """``make_partner(name, **values)``: a committed partner's id."""
    return lambda name, **values: run(lambda env: env["base.partner"].create({"name": name, **values}).id)


@dataclass
class Incidents:
    """What a page did that no page of the shell may do: dialogs, console errors, CSP violations."""

    found: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        """Record (and dismiss) every dialog, console error, uncaught exception and failed script,
        style or image of ``page``. A page's own status (401 for a wrong password, 422 for a form
        with errors) is the story's to assert, so the console's "Failed to load resource" lines are
        left to :meth:`_failed_resource`, which names the URL."""
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.found.append(f"uncaught exception: {error}"))
        page.on("response", self._failed_resource)

    def assert_none(self, story: str) -> None:
        """Fail ``story`` if the page misbehaved (each incident is reported once)."""
        found, self.found = self.found, []
        assert not found, f"{story}: the page misbehaved: {found}"

    def _dialog(self, dialog: Any) -> None:
        self.found.append(f"dialog {dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.found.append(f"console error: {message.text}")

    def _failed_resource(self, response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.found.append(f"{response.request.resource_type} {response.url} answered {response.status}")


@pytest.fixture
def incidents() -> Incidents:
    """What the story's page did wrong so far (``incidents.assert_none(story)`` checks it mid-story)."""
    return Incidents()


@pytest.fixture
def page(browser, live_server, incidents, request) -> Iterator[Any]:
    """A fresh browser context (no cookies) on the live server; the story fails if the page opened a
    dialog, logged a console error, threw, or broke the Content-Security-Policy."""
    context = browser.new_context(base_url=live_server, locale="en-US")
    context.set_default_timeout(WAIT_MS)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    opened = context.new_page()
    incidents.watch(opened)
    try:
        yield opened
    finally:
        context.close()
    incidents.assert_none(request.node.name)


@pytest.fixture
def shot(backend, request) -> Callable[[Any, str], Path]:
    """``shot(page, step)``: a full-page screenshot under test-artifacts/browser/<backend>/; its path."""
    folder = ARTIFACTS / backend
    folder.mkdir(parents=True, exist_ok=True)
    story = re.sub(r"[^\w.-]+", "_", request.node.name)

    def take(page: Any, step: str) -> Path:
        path = folder / f"{story}--{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def log_in(page) -> Callable[..., Any]:
    """``log_in(login, password=PASSWORD, next="/")``: fill in the login form of ``page`` and send it."""

    def go(login: str, password: str = PASSWORD, next: str = "/") -> Any:
        page.goto(f"/login?next={next}")
        page.get_by_label("Login").fill(login)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        return page

    return go
