"""``loom serve`` starts gunicorn over a SQLite database, answers the login page within seconds,
writes its private key file once and stops cleanly."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
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
