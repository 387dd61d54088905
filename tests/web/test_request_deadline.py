"""Stories of the request deadline: a request that runs out of time is stopped in the database, its
unit of work rolled back as a whole and not retried, and it answers 503 with ``Retry-After`` (the
shell's error page, the API's ``timeout`` error); the pooled connection it used serves the next
request with nothing left over, and work outside a request (the CLI, the workers) has no deadline.

The application here has one pooled connection, so the request after a timed-out one surely reuses
the connection the deadline was put on."""

from __future__ import annotations

import secrets
import time

import pytest
from sqlalchemy import text

from loom_test_support import ROOTS

#: A statement that runs for many seconds unless the deadline stops it.
SLOW_SQL = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500000000) "
              "SELECT count(*) FROM n",
    "postgresql": "SELECT pg_sleep(20)",
}
#: A count of four million rows: long enough for a leftover deadline to stop it.
COUNT_SQL = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000000) "
              "SELECT count(*) FROM n",
    "postgresql": "SELECT count(*) FROM generate_series(1, 4000000)",
}
DEADLINE = 1.5


def write_then_stall(env, name: str, attempts: list[int]) -> None:
    """What a slow report does: it saves a partner, then runs a query that takes far too long."""
    attempts.append(1)
    env["base.partner"].create({"name": name})
    env.session.flush()
    env.session.execute(text(SLOW_SQL[env.session.bind.dialect.name]))


@pytest.fixture(scope="module")
def app(shop):
    """The shell over ``shop`` with one pooled connection and a slow test page, ``POST /test/slow-partner``."""
    from flask import current_app, g, request

    from loom.kernel.db import create_engine
    from loom.kernel.web.app import create_app
    from loom.kernel.web.state import loom_state

    app = create_app(shop.url, roots=ROOTS, config={"SECRET_KEY": secrets.token_bytes(32)})
    state = loom_state(app)
    state.engine.dispose()
    state.engine = create_engine(shop.url, pool_size=1, max_overflow=0)
    app.attempts = []

    def slow_partner():
        name = request.form["name"]
        loom_state(current_app).run(g.account.uid, lambda env: write_then_stall(env, name, app.attempts))
        return "saved"

    app.add_url_rule("/test/slow-partner", "slow_partner", slow_partner, methods=["POST"])
    yield app
    state.engine.dispose()


@pytest.fixture
def short_deadline(app, monkeypatch):
    """Requests of this story get :data:`DEADLINE` seconds; the attempts of the slow page start at zero."""
    monkeypatch.setitem(app.config, "LOOM_REQUEST_TIMEOUT", DEADLINE)
    app.attempts.clear()


@pytest.fixture
def partner_count(run):
    """``partner_count(name)``: how many partners are named ``name``, read after the request."""
    return lambda name: run(lambda env: env["base.partner"].count([("name", "=", name)]))


@pytest.fixture
def api_token(run):
    """A bearer token of a new user who may create partners."""
    from loom.kernel.api.tokens import create_token
    from loom.kernel.users import create_user

    login = f"integrator_{secrets.token_hex(3)}"
    return run(lambda env: create_token(env, create_user(env, login, "Integrator", "correct horse battery",
                                                         roles=["base.user"]), "deadline")[1])


def test_a_slow_page_is_stopped_rolled_back_once_and_answers_the_busy_page(
        app, log_in, make_user, csrf, short_deadline, partner_count):
    client = log_in(make_user("base.user")).client
    started = time.monotonic()
    response = client.post("/test/slow-partner", data={"name": "Half Written Ltd.", "csrf_token": csrf(client)})
    assert time.monotonic() - started < DEADLINE + 3
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    page = response.get_data(as_text=True)
    assert "took longer than 1.5 seconds and was stopped; nothing of it was saved" in page
    assert "Traceback" not in page and "recursive" not in page.lower() and "pg_sleep" not in page
    assert partner_count("Half Written Ltd.") == 0
    assert app.attempts == [1]  # a timeout is not retried
    assert client.get("/").status_code == 200  # the same pooled connection, no deadline left over


def test_a_slow_api_call_answers_the_timeout_error_in_the_callers_language(
        app, short_deadline, partner_count, api_token, monkeypatch):
    from loom.kernel.api import routes

    monkeypatch.setattr(routes, "list_page", lambda records, page: write_then_stall(
        records.env, "Half Written API Ltd.", app.attempts))
    client = app.test_client()
    response = client.get("/api/v1/base.partner", headers={"Authorization": f"Bearer {api_token}"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    error = response.get_json()["error"]
    assert error["code"] == "timeout"
    assert "1.5 seconds" in error["message"] and "nothing of it was saved" in error["message"]
    assert partner_count("Half Written API Ltd.") == 0
    assert app.attempts == [1]
    monkeypatch.undo()
    again = client.get("/api/v1/base.partner?limit=1", headers={"Authorization": f"Bearer {api_token}"})
    assert again.status_code == 200


def test_the_timeout_message_is_translated(app, short_deadline, make_user, log_in, csrf):
    client = log_in(make_user("base.user", lang="zh_CN")).client
    response = client.post("/test/slow-partner", data={"name": "半途公司", "csrf_token": csrf(client)})
    assert response.status_code == 503
    assert "请求超过 1.5 秒未完成" in response.get_data(as_text=True)


def test_work_outside_a_request_has_no_deadline_even_on_the_connection_a_request_timed_out_on(
        app, log_in, make_user, csrf, short_deadline):
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.web.state import loom_state

    client = log_in(make_user("base.user")).client
    client.post("/test/slow-partner", data={"name": "Stalled Ltd.", "csrf_token": csrf(client)})
    engine = loom_state(app).engine
    dialect = engine.dialect.name

    def long_report(session):
        time.sleep(DEADLINE + 0.1)  # longer than a request may take
        count = session.execute(text(COUNT_SQL[dialect])).scalar()
        timeout = session.execute(text("SHOW statement_timeout")).scalar() if dialect == "postgresql" else None
        return count, timeout

    count, timeout = run_unit_of_work(engine, long_report, write=False)
    assert count == 4000000
    assert timeout in (None, "0")


def test_a_unit_starting_after_the_request_deadline_is_refused_before_it_touches_the_database(app, short_deadline):
    from loom.kernel.request_deadline import Deadline, RequestTimeoutError
    from loom.kernel.web.state import loom_state

    with app.test_request_context("/"):
        from flask import g

        g.loom_deadline = Deadline(time.monotonic() - 1, DEADLINE)
        with pytest.raises(RequestTimeoutError) as raised:
            loom_state(app).run(None, lambda env: env["base.partner"].create({"name": "Too Late Ltd."}))
    assert raised.value.code == "timeout" and raised.value.http_status == 503


@pytest.mark.parametrize("given", ["soon", "-1", "60", "nan"])
def test_a_request_timeout_that_is_not_a_number_of_seconds_below_the_worker_timeout_is_refused(given):
    from loom.kernel.errors import ConfigurationError
    from loom.kernel.web.deadline import request_timeout

    with pytest.raises(ConfigurationError) as raised:
        request_timeout({"LOOM_REQUEST_TIMEOUT": given})
    assert raised.value.field == "LOOM_REQUEST_TIMEOUT"
    assert given in raised.value.message("en")


def test_the_request_timeout_defaults_to_30_seconds_and_0_turns_it_off(monkeypatch):
    from loom.kernel.web.deadline import request_timeout

    monkeypatch.delenv("LOOM_REQUEST_TIMEOUT", raising=False)
    assert request_timeout({}) == 30
    monkeypatch.setenv("LOOM_REQUEST_TIMEOUT", "12.5")
    assert request_timeout({}) == 12.5
    assert request_timeout({"LOOM_REQUEST_TIMEOUT": 0}) is None


def test_a_unit_of_many_quick_statements_is_stopped_at_the_first_statement_past_its_deadline(shop, partner_count):
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.request_deadline import Deadline, RequestTimeoutError

    deadline = Deadline.after(0.2)
    statements = []

    def chatty_import(session):
        Environment(shop.registry, session, su=True)["base.partner"].create({"name": "Chatty Import Ltd."})
        while len(statements) < 100:
            started = time.monotonic()
            session.execute(text("SELECT 1"))
            statements.append(started)
            time.sleep(0.02)

    with pytest.raises(RequestTimeoutError):
        run_unit_of_work(shop.engine, chatty_import, deadline=deadline)
    assert len(statements) < 100 and all(started < deadline.at for started in statements)
    assert partner_count("Chatty Import Ltd.") == 0


def test_a_unit_whose_work_returns_after_its_deadline_is_rolled_back_not_committed(shop, partner_count):
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.request_deadline import Deadline, RequestTimeoutError

    def late_save(session):
        Environment(shop.registry, session, su=True)["base.partner"].create({"name": "Late Save Ltd."})
        session.flush()
        time.sleep(0.3)

    with pytest.raises(RequestTimeoutError):
        run_unit_of_work(shop.engine, late_save, deadline=Deadline.after(0.2))
    assert partner_count("Late Save Ltd.") == 0
