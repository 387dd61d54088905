"""The web shell's start and login figures: ``loom serve`` from launch to its first response, and
the login answer time for a wrong password and for an unknown user (W2: within 10 %).

``loom serve`` runs as a user runs it (a new process, SQLite and, when available, PostgreSQL, one
worker and two); the first response is the login page fetched over loopback from this process.
Login latency uses the production argon2 parameters through Flask's test client (no network), 15
attempts each, spread over fresh login names so the throttle never answers instead.

    python benchmarks/web_serve.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from _common import (
    measured_env,
    pg_available,
    pg_databases,
    print_table,
    run_checked,
    scratch_dir,
    stop_cleanly_on_sigterm,
    summarize,
    verdict,
    write_results,
)

LOOM = str(Path(sys.executable).with_name("loom"))
#: The issue's target from launch to the first response (Odoo 18 needs 6.3 s to load a registry).
TARGET_START = 3.0
#: Largest relative difference of median login times, unknown user against wrong password.
TARGET_LOGIN_SPREAD = 0.10


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def time_to_first_response(url: str, workers: int, cwd: Path, env: dict[str, str]) -> float:
    """Seconds from launching ``loom serve`` until the login page answers."""
    port = _free_port()
    started = time.perf_counter()
    server = subprocess.Popen([LOOM, "-d", url, "serve", "--port", str(port), "--workers", str(workers)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    try:
        while time.perf_counter() - started < 30:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=1) as response:
                    response.read()
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.01)
        raise RuntimeError("loom serve did not answer within 30 s")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def login_latencies(url: str, attempts: int) -> dict[str, dict]:
    """Median answer times of a wrong password and of an unknown login (production argon2)."""
    os.environ.pop("LOOM_PASSWORD_PROFILE", None)
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.users import create_user
    from loom.kernel.web.app import create_app
    from loom.kernel.web.state import loom_state

    app = create_app(url, config={"SECRET_KEY": os.urandom(32)})
    state = loom_state(app)
    logins = [f"bench{n}" for n in range(attempts)]
    run_unit_of_work(state.engine, lambda session: [
        create_user(Environment(state.registry, session, su=True), login, login, "a real password 1")
        for login in logins])
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]

    def attempt(login: str) -> float:
        start = time.perf_counter()
        response = client.post("/login", data={"login": login, "password": "wrong password", "csrf_token": token})
        assert response.status_code == 401, response.status_code
        return time.perf_counter() - start

    wrong, unknown = [], []
    for login in logins:  # interleaved, so drift of the machine hits both alike
        wrong.append(attempt(login))
        unknown.append(attempt(f"ghost-{login}"))
    return {"wrong_password": summarize(wrong), "unknown_user": summarize(unknown)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args()
    stop_cleanly_on_sigterm()
    env = measured_env()
    setup_env = measured_env(extra={"LOOM_PASSWORD_PROFILE": "test", "LOOM_ADMIN_PASSWORD": "bench-password"})
    starts: dict[str, dict] = {}
    with scratch_dir("loom-bench-web-") as tmp, pg_databases() as new_pg:
        databases = {"sqlite": f"sqlite:///{tmp / 'bench.db'}"}
        if not args.no_pg and pg_available():
            databases["postgresql"] = new_pg()[1]
        for backend, url in databases.items():
            run_checked([LOOM, "--database", url, "init"], env=setup_env, cwd=tmp, timeout=300)
            for workers in (1, 2):
                samples = [time_to_first_response(url, workers, tmp, env) for _ in range(args.runs)]
                starts[f"{backend}_workers_{workers}"] = summarize(samples)
        logins = login_latencies(databases["sqlite"], 15)

    rows = [(name, figure["median"], figure["max"], TARGET_START, verdict(figure["median"], TARGET_START))
            for name, figure in starts.items()]
    print_table("loom serve: launch to first response (s)", ["case", "median", "max", "target", ""], rows)
    wrong, unknown = logins["wrong_password"]["median"], logins["unknown_user"]["median"]
    spread = abs(unknown - wrong) / wrong
    print_table("login answer time, production argon2 (s)", ["case", "median", "max"],
                [(name, figure["median"], figure["max"]) for name, figure in logins.items()])
    print(f"\nunknown user vs wrong password: {spread:.1%} apart (target within {TARGET_LOGIN_SPREAD:.0%}: "
          f"{'ok' if spread <= TARGET_LOGIN_SPREAD else 'MISS'})")
    write_results("web_serve", {"serve_first_response": starts, "login": logins, "login_spread": spread})
    return 0


if __name__ == "__main__":
    sys.exit(main())
