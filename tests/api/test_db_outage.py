"""F3: a lost database connection answers 503 with ``Retry-After`` (the API's JSON error contract,
the shell's 503 page), never a 500, and the next request is served again without anyone restarting
anything: the pool replaces dead connections by itself.

PostgreSQL only. The server really drops the application's connections (``pg_terminate_backend``
in the middle of a request, or while they sit idle in the pool), and a private PostgreSQL instance
of this test's own is really stopped and started again. SQLite is a file the application opens
in-process: there is no server and no connection to lose, so nothing of this can be reproduced
honestly there (a SQLite database that stays locked answers 503 through ``kernel.busy``, tested in
test_error_contract.py and tests/web/test_web_headers_and_errors.py).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from api_bench import PASSWORD, error
from sqlalchemy import event

#: The test run's PostgreSQL maintenance database (tests/conftest.py); empty on a SQLite run.
PG_URL = os.environ.get("LOOM_TEST_PG_URL", "")

pytestmark = pytest.mark.skipif(not PG_URL, reason="F3 needs a database server to lose: PostgreSQL only "
                                "(SQLite is opened in-process; see the module docstring)")

PARTNERS = "/api/v1/base.partner?limit=5"


def admin_connection(url: str):
    """A psycopg connection (autocommit) to ``url``'s server, outside the application's pool."""
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


@contextmanager
def connection_cut_before_statement(engine, admin_url: str, nth: int):
    """The server terminates the backend of the connection about to run ``engine``'s ``nth``
    statement inside the block, and only then is that statement sent."""
    seen = [0]

    def cut(conn, _cursor, _statement, _parameters, _context, _many):
        seen[0] += 1
        if seen[0] == nth:
            pid = conn.connection.driver_connection.info.backend_pid
            with admin_connection(admin_url) as admin:
                assert admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,)).fetchone()[0]

    event.listen(engine, "before_cursor_execute", cut)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", cut)


def terminate_every_connection_to(database: str, admin_url: str) -> int:
    """Terminate every session of ``database`` on the server (what a failover or restart does)."""
    with admin_connection(admin_url) as admin:
        return len(admin.execute("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                                 "WHERE datname = %s AND pid <> pg_backend_pid()", (database,)).fetchall())


def logged_in(app, login: str):
    """A browser-like client of ``app`` logged in as ``login``."""
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    assert client.post("/login", data={"login": login, "password": PASSWORD, "csrf_token": token}).status_code == 302
    return client


def engine_of(app):
    return app.extensions["loom"].engine


@pytest.fixture(scope="module", autouse=True)
def partners(bench):
    """Two partners to list."""
    bench.unit(lambda env: env["base.partner"].create([{"name": "Acme Ltd"}, {"name": "Bolt Ltd"}]))


def test_an_integrator_cut_off_mid_request_gets_503_with_retry_after_then_the_next_call_is_served(bench):
    assert bench.get(PARTNERS).status_code == 200
    with connection_cut_before_statement(engine_of(bench.app), PG_URL, nth=2) as seen:
        answer = bench.get(PARTNERS)
    assert seen[0] >= 2, "the request ran fewer statements than the cut expected"
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    assert error(answer)["code"] == "busy"
    again = bench.get(PARTNERS)
    assert again.status_code == 200 and again.get_json()["records"]


def test_a_write_cut_off_mid_request_is_503_and_nothing_half_done_is_kept(bench):
    with connection_cut_before_statement(engine_of(bench.app), PG_URL, nth=3):
        answer = bench.post("/api/v1/base.partner", json={"name": "Half Written Ltd"})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    found = bench.get("/api/v1/base.partner", query_string={"filter": '[["name", "=", "Half Written Ltd"]]'})
    assert found.status_code == 200 and found.get_json()["records"] == []
    retried = bench.post("/api/v1/base.partner", json={"name": "Half Written Ltd"})
    assert retried.status_code == 201


def test_connections_the_server_dropped_while_idle_are_replaced_without_an_error(bench):
    answers = [bench.get(PARTNERS) for _ in range(3)]
    assert {a.status_code for a in answers} == {200}
    database = engine_of(bench.app).url.database
    assert terminate_every_connection_to(database, PG_URL) >= 1
    assert [bench.get(PARTNERS).status_code for _ in range(3)] == [200, 200, 200]


def test_a_clerk_cut_off_mid_page_sees_the_503_page_then_the_list_again(bench):
    client = logged_in(bench.app, "ada")
    assert client.get("/m/base.partner").status_code == 200
    with connection_cut_before_statement(engine_of(bench.app), PG_URL, nth=2):
        page = client.get("/m/base.partner")
    body = page.get_data(as_text=True)
    assert page.status_code == 503 and page.headers["Retry-After"] == "1"
    assert "Traceback" not in body and "psycopg" not in body and "terminating connection" not in body
    assert client.get("/m/base.partner").status_code == 200


# -- a private PostgreSQL instance, really stopped and started ---------------------------------------


def _pg_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateServer:
    """A PostgreSQL instance in a temporary folder, run by the ``postgres`` user on a port of its own."""

    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="loom-f3-pg-"))
        self.port = _free_port()
        os.chown(self.folder, pwd.getpwnam("postgres").pw_uid, -1)
        self.admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *argv: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *argv], check=True, capture_output=True, timeout=60)

    def initdb(self) -> None:
        self._as_postgres(str(self.binaries / "initdb"), "-D", str(self.folder / "data"), "-A", "trust",
                          "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(str(self.binaries / "pg_ctl"), "-D", str(self.folder / "data"), "-l",
                          str(self.folder / "log"), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._as_postgres(str(self.binaries / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def private_server():
    """A private PostgreSQL instance holding a database with base installed."""
    binaries = _pg_binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin): the stop-and-start story needs them")
    if os.geteuid() != 0:
        pytest.skip("starting a private PostgreSQL instance as the postgres user needs root")
    server = PrivateServer(binaries)
    try:
        server.initdb()
        server.start()
        with admin_connection(server.admin_url) as admin:
            admin.execute("CREATE DATABASE shop")
        yield server
    finally:
        server.remove()


def test_the_shell_and_the_api_answer_503_while_the_server_is_down_and_recover_when_it_is_back(private_server):
    from loom.kernel.api.tokens import create_token
    from loom.kernel.db import create_engine, run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.installer import ModuleManager
    from loom.kernel.users import create_user
    from loom.kernel.web.app import create_app

    url = private_server.admin_url.rsplit("/", 1)[0] + "/shop"
    engine = create_engine(url)
    manager = ModuleManager(engine)
    manager.install(["base"])
    registry = manager.registry(manager.installed())
    token = run_unit_of_work(engine, lambda session: create_token(
        (env := Environment(registry, session, su=True)),
        create_user(env, "ada", "Ada", PASSWORD, roles=["kernel.administrator"]), "f3")[1])
    engine.dispose()
    app = create_app(url, config={"SECRET_KEY": secrets.token_hex(32)})
    api, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
    clerk = logged_in(app, "ada")
    assert api.get(PARTNERS, headers=headers).status_code == 200

    private_server.stop()
    down = api.get(PARTNERS, headers=headers)
    page = clerk.get("/m/base.partner")
    private_server.start()
    back = api.get(PARTNERS, headers=headers)
    page_back = clerk.get("/m/base.partner")
    engine_of(app).dispose()

    assert down.status_code == 503 and down.headers["Retry-After"] == "1" and error(down)["code"] == "busy"
    assert page.status_code == 503 and page.headers["Retry-After"] == "1"
    assert back.status_code == 200 and page_back.status_code == 200
