"""``loom serve`` starts gunicorn over a SQLite database, answers the login page within seconds,
writes its private key file once and stops cleanly; its preloaded application never lets a worker
use the master's database connections, and a killed worker is replaced by one that answers at once."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

LOOM = str(Path(sys.executable).with_name("loom"))
#: The issue's target from launch to the first response is 3 s; the test allows a loaded CI machine more.
TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def shop_file(tmp_path_factory):
    """A SQLite database with base installed, in a folder of its own."""
    folder = tmp_path_factory.mktemp("serve")
    env = {**os.environ, "LOOM_PASSWORD_PROFILE": "test"}
    subprocess.run([LOOM, "-d", f"sqlite:///{folder / 'shop.db'}", "init"], check=True, env=env,
                   capture_output=True, cwd=folder)
    return folder / "shop.db"


def first_response(port: int, started: float) -> tuple[float, int, str]:
    """Seconds from ``started`` until the login page answers, its status and body."""
    while time.perf_counter() - started < TIMEOUT:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=1) as response:
                return time.perf_counter() - started, response.status, response.read().decode()
        except OSError:
            time.sleep(0.02)
    raise AssertionError(f"loom serve did not answer within {TIMEOUT} s")


@pytest.mark.parametrize("workers", [1, 2])
def test_loom_serve_answers_the_login_page_soon_after_launch(shop_file, workers):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "LOOM_SECRET_KEY"}
    started = time.perf_counter()
    server = subprocess.Popen([LOOM, "-d", f"sqlite:///{shop_file}", "serve", "--port", str(port),
                               "--workers", str(workers)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env=env, cwd=shop_file.parent, text=True)
    try:
        seconds, status, body = first_response(port, started)
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=20)
    print(f"loom serve --workers {workers}: first response {seconds:.2f} s after launch")
    assert status == 200 and "csrf_token" in body
    assert f"http://127.0.0.1:{port}/" in output
    assert "gunicorn" in output and "Booting worker" in output
    assert server.returncode == 0
    key = shop_file.with_name("shop.db.secret")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32


def test_quickstart_ends_with_the_shell_serving_the_new_database(tmp_path):
    port = free_port()
    env = {**{key: value for key, value in os.environ.items() if key != "LOOM_SECRET_KEY"},
           "LOOM_PASSWORD_PROFILE": "test", "LOOM_DATABASE_URL": ""}
    started = time.perf_counter()
    server = subprocess.Popen([LOOM, "quickstart", "--port", str(port)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=env, cwd=tmp_path, text=True)
    try:
        first_response(port, started)
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=20)
    assert "Administrator: admin  password: " in output and f"http://127.0.0.1:{port}/" in output
    assert (tmp_path / "loom.db").exists() and server.returncode == 0


# -- preloading: the master's pooled connections are never a worker's ------------------------------


def backend_of(conn) -> object:
    """What identifies the server side of ``conn``: PostgreSQL's backend pid, or SQLite's connection."""
    if conn.dialect.name == "postgresql":
        return conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    return id(conn.connection.driver_connection)


def test_a_forked_worker_opens_its_own_database_connections_and_leaves_the_masters_alone(app):
    from types import SimpleNamespace

    from loom.kernel.web.server import LoomServer
    from loom.kernel.web.state import loom_state

    server = LoomServer(app, host="127.0.0.1", port=free_port(), workers=2)
    engine = loom_state(app).engine
    with engine.connect() as conn:  # the master reads the database before forking: a pooled connection
        masters, master_backend = conn.connection.driver_connection, backend_of(conn)
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # the worker: gunicorn's post_fork hook, then a request's unit of work
        outcome = "crashed"
        try:
            server.cfg.post_fork(None, SimpleNamespace(app=server))
            with engine.connect() as conn:
                shared = conn.connection.driver_connection is masters or backend_of(conn) == master_backend
                outcome = "shared" if shared else "own"
                conn.exec_driver_sql("SELECT 1")
        finally:
            os.write(writing, outcome.encode())
            os._exit(0)
    os.close(writing)
    outcome = os.read(reading, 100).decode()
    os.waitpid(child, 0)
    os.close(reading)
    assert outcome == "own"
    with engine.connect() as conn:  # the master's connection survived the worker
        assert conn.connection.driver_connection is masters and conn.exec_driver_sql("SELECT 1").scalar() == 1


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers of ``master`` (its child processes)."""
    return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def test_workers_serve_concurrent_api_calls_and_a_killed_worker_is_replaced_at_once(shop, run, make_user):
    from concurrent.futures import ThreadPoolExecutor

    from loom.kernel.api.tokens import create_token

    login = make_user("kernel.administrator")
    token = run(lambda env: create_token(env, env["loom.user"].search([["login", "=", login]])[0], "serve")[1])
    run(lambda env: env["base.partner"].create([{"name": f"Served {n}"} for n in range(30)]))
    port = free_port()
    env = {**os.environ, "LOOM_SECRET_KEY": secrets.token_hex(32)}
    server = subprocess.Popen([LOOM, "-d", shop.url, "serve", "--port", str(port), "--workers", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)

    def partners() -> tuple[int, int]:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/base.partner?limit=100&filter="
                                         + urllib.parse.quote('[["name", "ilike", "served"]]'),
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, len(json.loads(response.read())["records"])

    try:
        first_response(port, time.perf_counter())
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: partners(), range(40)))
        assert set(answers) == {(200, 30)}
        old = worker_pids(server.pid)
        assert len(old) == 2
        killed = time.perf_counter()
        for pid in old:
            os.kill(pid, signal.SIGKILL)
        seconds, status, _ = first_response(port, killed)
        print(f"every worker killed: a new one answered {seconds:.3f} s later (target 0.3 s on a quiet machine)")
        assert status == 200  # from a new worker: SIGKILL leaves the old ones no chance to answer
        deadline = time.perf_counter() + TIMEOUT
        while set(worker_pids(server.pid)) & set(old) and time.perf_counter() < deadline:
            time.sleep(0.05)  # the master reaps the dead ones
        assert not set(worker_pids(server.pid)) & set(old)
        assert partners() == (200, 30)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
