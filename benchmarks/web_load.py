"""The issue 9 figures under load: ``loom serve`` (gunicorn, one worker per core, the application
preloaded) over PostgreSQL with 100,000 partners, loaded from other processes over loopback.

- **throughput**: Debian's ``wrk`` (closed loop, ``--connections`` connections, ``--wrk-seconds``)
  on ``GET /api/v1/base.partner?limit=50&total=estimated`` with a bearer token (added by
  ``web_load.lua``); target >= 250 requests/s;
- **latency**: an open-loop generator in its own process (this script with ``--open-loop``) sends
  requests on a fixed schedule, ``--rate`` per second whatever the answers do, for
  ``--latency-seconds`` per case after a short warm-up; each latency runs from the request's
  scheduled time, so a slow answer that delays the next ones counts against those too (no
  coordinated omission). Cases: the first list page in default order, a "name contains" search
  (``ilike``, answered by base's pg_trgm index), page 1,000 by keyset, for the API (token) and
  for the web shell's list page (a logged-in session); target p50 <= 30 ms and p99 <= 150 ms;
- a raw-SQL baseline: the same three API queries on one psycopg connection, sequential (median);
- **start**: ``loom serve`` from launch to its first answered API list call (target <= 3 s), and
  a new worker: every worker killed (SIGKILL), time until the API list call is answered again,
  necessarily by a worker gunicorn's master forked after the kill (target <= 0.3 s; this includes
  the master noticing the death and forking, so it bounds the worker's own start from above).

The load generators share the machine with the server: on a 2-core machine they take CPU from
the workers, so the figures are conservative.

    python benchmarks/web_load.py [--partners 100000] [--workers N] [--wrk-seconds 20]
                                  [--latency-seconds 20] [--rate 100] [--restarts 5] [--starts 3]
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import (
    BENCH_DIR,
    pg_available,
    pg_databases,
    print_table,
    psycopg_url,
    stop_cleanly_on_sigterm,
    write_results,
)

TARGET_RPS = 250
TARGET_P50_MS, TARGET_P99_MS = 30.0, 150.0
TARGET_WORKER_S, TARGET_START_S = 0.3, 3.0
API_PAGE = 50
WEB_PAGE = 80  # the list page's rows per page (kernel/web/paging.py)
SEARCH = "rtner 0999"  # 100 of the 100,000 names contain it (Partner 099900 ... 099999)
LIST_PATH = f"/api/v1/base.partner?limit={API_PAGE}&total=estimated"
LUA = BENCH_DIR / "web_load.lua"
WEB_LOGIN, WEB_PASSWORD = "bench", "bench load password"


# -- the database -------------------------------------------------------------------------------


def seed(url: str, partners: int) -> str:
    """Install base, insert ``partners`` partners set-based, make an administrator; their token."""
    os.environ["LOOM_PASSWORD_PROFILE"] = "test"  # cheap argon2 for the bench user's login
    from sqlalchemy import text

    from loom.kernel.api.tokens import create_token
    from loom.kernel.db import create_engine, run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.installer import ModuleManager
    from loom.kernel.users import create_user

    engine = create_engine(url)
    manager = ModuleManager(engine)
    manager.install(["base"])
    registry = manager.registry(manager.installed())
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO base_partner (name, email, city, type, active, is_company, is_customer) "
                          "SELECT 'Partner ' || lpad(n::text, 6, '0'), 'p' || n || '@example.com', 'Hangzhou', "
                          "'contact', true, false, n % 2 = 0 FROM generate_series(1, :n) AS n"), {"n": partners})
        conn.execute(text("ANALYZE"))

    def person(session):
        env = Environment(registry, session, su=True)
        user = create_user(env, WEB_LOGIN, "Bench", WEB_PASSWORD, roles=["kernel.administrator"])
        return create_token(env, user, "bench")[1]

    token = run_unit_of_work(engine, person)
    engine.dispose()
    return token


def keyset_after(url: str, offset: int) -> int:
    """The id of the partner at ``offset`` in the default order (name, id): the list page's ``after``."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute("SELECT id FROM base_partner WHERE active ORDER BY name, id LIMIT 1 OFFSET %s",
                            (offset,)).fetchone()[0]


def raw_baseline(url: str, runs: int, after_id: int) -> dict[str, float]:
    """Median ms of the three API queries (page + planner estimate) on one psycopg connection."""
    import psycopg

    where = "active AND (company_id IS NULL OR company_id IN (1))"
    order = "ORDER BY name ASC NULLS LAST, id ASC NULLS LAST"
    folded = "translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    cases = {
        "first page": f"SELECT * FROM base_partner WHERE {where} {order} LIMIT {API_PAGE}",
        "ilike search": f"SELECT * FROM base_partner WHERE {where} AND {folded} LIKE '%{SEARCH}%' {order} "
                        f"LIMIT {API_PAGE}",
        "page 1,000 keyset": f"SELECT * FROM base_partner WHERE {where} AND (name, id) > ((SELECT name FROM "
                             f"base_partner WHERE id = {after_id}), {after_id}) {order} LIMIT {API_PAGE}",
    }
    figures = {}
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        for name, sql in cases.items():
            samples = []
            for i in range(runs + 5):
                start = time.perf_counter()
                conn.execute(sql).fetchall()
                conn.execute(f"EXPLAIN (FORMAT JSON) {sql.split(' ORDER BY')[0]}").fetchone()
                conn.rollback()
                if i >= 5:
                    samples.append(time.perf_counter() - start)
            figures[name] = statistics.median(samples) * 1000
    return figures


# -- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, headers: dict[str, str], timeout: float = 5) -> int:
    """Status of ``GET path`` on a new connection (the body is read)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        answer = conn.getresponse()
        answer.read()
        return answer.status
    finally:
        conn.close()


def wait_for(port: int, headers: dict[str, str], since: float, limit: float = 60, pause: float = 0.002) -> float:
    """Seconds from ``since`` (a ``perf_counter`` time) until ``GET LIST_PATH`` answers 200."""
    while time.perf_counter() - since < limit:
        try:
            if get(port, LIST_PATH, headers, timeout=2) == 200:
                return time.perf_counter() - since
        except OSError:
            pass
        time.sleep(pause)
    raise RuntimeError(f"loom serve did not answer {LIST_PATH} within {limit} s")


class Server:
    """``loom serve --workers N`` on a free port, in a process group of its own."""

    def __init__(self, url: str, workers: int) -> None:
        self.port = free_port()
        env = {**os.environ, "LOOM_DATABASE_URL": url, "LOOM_SECRET_KEY": secrets.token_hex(32)}
        env.pop("LOOM_PASSWORD_PROFILE", None)
        self.launched = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "loom", "serve", "--workers", str(workers), "--port", str(self.port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def workers(self) -> list[int]:
        """Process ids of the gunicorn workers (the master's children)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def time_worker_restarts(server: Server, workers: int, headers: dict[str, str], runs: int) -> list[float]:
    """Kill every worker; seconds until the list call is answered again (by a new worker)."""
    samples = []
    for _ in range(runs):
        old = server.workers()
        killed_at = time.perf_counter()
        for pid in old:
            os.kill(pid, signal.SIGKILL)
        samples.append(wait_for(server.port, headers, killed_at, limit=30, pause=0.001))
        deadline = time.perf_counter() + 10
        while len(server.workers()) < workers and time.perf_counter() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        if set(server.workers()) & set(old):
            raise RuntimeError("a killed worker is still listed")
    return samples


def web_session(port: int) -> str:
    """The Cookie header of a web shell session logged in as the bench user."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}/login", timeout=10).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"login": WEB_LOGIN, "password": WEB_PASSWORD, "csrf_token": token}).encode()
    opener.open(f"http://127.0.0.1:{port}/login", data=data, timeout=10).read()
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def wrk(port: int, token: str, seconds: int, connections: int, threads: int) -> dict:
    """wrk's figures for ``LIST_PATH`` (closed loop)."""
    proc = subprocess.run(["/usr/bin/wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
                           "--timeout", "10s", "-s", str(LUA), f"http://127.0.0.1:{port}{LIST_PATH}", "--", token],
                          capture_output=True, text=True, timeout=seconds + 60, check=True)
    line = next(line for line in proc.stdout.splitlines() if line.startswith("WRK_JSON "))
    figures = json.loads(line.removeprefix("WRK_JSON "))
    figures["requests_per_s"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["output"] = proc.stdout
    return figures


# -- the open-loop generator (its own process) ----------------------------------------------------


def open_loop(port: int, path: str, headers: dict[str, str], rate: float, seconds: float,
              warmup: float) -> dict:
    """Send ``GET path`` ``rate`` times a second on a fixed schedule for ``warmup + seconds``; the
    latencies (from each request's scheduled time) of the requests after the warm-up."""
    local = threading.local()
    results: list[tuple[float, float, int]] = []
    lock = threading.Lock()

    def send(scheduled: float) -> None:
        status = 0
        for _attempt in range(2):  # a sync worker closes the connection after each answer: reconnect
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", path, headers=headers)
                answer = conn.getresponse()
                answer.read()
                status = answer.status
                if answer.will_close:
                    conn.close()
                    local.conn = None
                break
            except (OSError, http.client.HTTPException):
                conn.close()
                local.conn = None
        done = time.perf_counter()
        with lock:
            results.append((scheduled, done - scheduled, status))

    total = int((warmup + seconds) * rate)
    with ThreadPoolExecutor(max_workers=64) as pool:
        start = time.perf_counter() + 0.1
        for i in range(total):
            scheduled = start + i / rate
            pause = scheduled - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            pool.submit(send, scheduled)
    measured = sorted(latency for scheduled, latency, status in results if scheduled >= start + warmup)
    failures = sum(1 for scheduled, _, status in results if scheduled >= start + warmup and status != 200)
    return {"sent": len(measured), "failures": failures, "rate": rate, "seconds": seconds,
            "p50_ms": percentile(measured, 50), "p90_ms": percentile(measured, 90),
            "p99_ms": percentile(measured, 99), "max_ms": measured[-1] * 1000}


def percentile(ordered: list[float], pct: float) -> float:
    """The nearest-rank percentile of sorted seconds, in ms."""
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1] * 1000


def run_open_loop(port: int, path: str, headers: dict[str, str], args: argparse.Namespace) -> dict:
    """The open-loop generator in a process of its own."""
    spec = json.dumps({"port": port, "path": path, "headers": headers, "rate": args.rate,
                       "seconds": args.latency_seconds, "warmup": args.warmup})
    proc = subprocess.run([sys.executable, __file__, "--open-loop", spec], capture_output=True, text=True,
                          timeout=args.latency_seconds + args.warmup + 120, check=True)
    return json.loads(proc.stdout)


# -- main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers (one per core)")
    parser.add_argument("--wrk-seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--latency-seconds", type=float, default=20, help="measured seconds per latency case")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured seconds before each latency case")
    parser.add_argument("--rate", type=float, default=100, help="open-loop requests per second")
    parser.add_argument("--restarts", type=int, default=5, help="worker kills timed")
    parser.add_argument("--starts", type=int, default=3, help="loom serve launches timed")
    parser.add_argument("--no-web", action="store_true", help="skip the web shell's latency cases")
    parser.add_argument("--open-loop", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.open_loop:
        spec = json.loads(args.open_loop)
        print(json.dumps(open_loop(spec["port"], spec["path"], spec["headers"], spec["rate"], spec["seconds"],
                                   spec["warmup"])))
        return 0
    stop_cleanly_on_sigterm()
    if not pg_available():
        print("PostgreSQL is not reachable (LOOM_BENCH_PG_URL): nothing measured")
        return 1
    results: dict = {"partners": args.partners, "workers": args.workers, "rate": args.rate,
                     "latency_seconds": args.latency_seconds, "wrk_seconds": args.wrk_seconds,
                     "connections": args.connections}
    with pg_databases() as new:
        url = psycopg_url(new()[1])
        print(f"seeding {args.partners:,} partners ...", flush=True)
        token = seed(url, args.partners)
        api = {"Authorization": f"Bearer {token}"}
        starts = []
        for _ in range(args.starts):
            server = Server(url, args.workers)
            starts.append(wait_for(server.port, api, server.launched, pause=0.01))
            server.stop()
        results["serve_first_response_s"] = starts
        server = Server(url, args.workers)
        try:
            wait_for(server.port, api, server.launched)
            print("worker restarts ...", flush=True)
            results["worker_first_response_s"] = time_worker_restarts(server, args.workers, api, args.restarts)
            print("wrk ...", flush=True)
            results["wrk"] = wrk(server.port, token, args.wrk_seconds, args.connections, min(args.connections, 2))
            results["latency"] = latency_cases(server.port, url, api, args)
        finally:
            server.stop()
        after_api = keyset_after(url, 999 * API_PAGE - 1)
        results["raw_sql_median_ms"] = raw_baseline(url, 50, after_api)
    report(results)
    path = write_results("web_load", results)
    print(f"\nwrote {path}")
    return 0


def latency_cases(port: int, url: str, api: dict[str, str], args: argparse.Namespace) -> dict[str, dict]:
    """The open-loop figures of every case."""
    search = urllib.parse.quote(json.dumps([["name", "ilike", SEARCH]]))
    cursor_page = api_cursor_to_page(port, url, api, 1000)
    cases = {
        "api first page": (f"{LIST_PATH}", api),
        "api ilike search": (f"{LIST_PATH}&filter={search}", api),
        "api page 1,000 keyset": (f"{LIST_PATH}&cursor={cursor_page}", api),
    }
    if not args.no_web:
        web = {"Cookie": web_session(port)}
        after = keyset_after(url, 999 * WEB_PAGE - 1)
        cases.update({
            "web first page": ("/m/base.partner", web),
            "web ilike search": (f"/m/base.partner?q={urllib.parse.quote(SEARCH)}", web),
            "web page 1,000 keyset": (f"/m/base.partner?page=1000&after={after}", web),
        })
    figures = {}
    for name, (path, headers) in cases.items():
        if get(port, path, headers) != 200:
            raise RuntimeError(f"{name}: {path} does not answer 200")
        print(f"open loop: {name} ...", flush=True)
        figures[name] = {"path": path, **run_open_loop(port, path, headers, args)}
    return figures


def api_cursor_to_page(port: int, url: str, api: dict[str, str], page: int) -> str:
    """The API's keyset cursor of ``page`` (the first page's cursor re-aimed at the row before it)."""
    import base64

    first = json.loads(_body(port, LIST_PATH, api))["next_cursor"]
    state = json.loads(base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)))
    before = keyset_after(url, (page - 1) * API_PAGE - 1)
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        name = conn.execute("SELECT name FROM base_partner WHERE id = %s", (before,)).fetchone()[0]
    state["v"] = [name, before]
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def _body(port: int, path: str, headers: dict[str, str]) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        return conn.getresponse().read().decode()
    finally:
        conn.close()


def report(results: dict) -> None:
    """Print the tables."""
    load = os.getloadavg()[0]
    w = results["wrk"]
    print_table(f"throughput: wrk, {results['connections']} connections, {results['wrk_seconds']} s, "
                f"{results['workers']} workers, {results['partners']:,} partners (load avg {load:.2f})",
                ["call", "req/s", "p50 ms", "p99 ms", "errors", "target", ""],
                [[LIST_PATH, w["requests_per_s"], w["latency_us"]["p50"] / 1000, w["latency_us"]["p99"] / 1000,
                  sum(w["errors"].values()), f">= {TARGET_RPS}",
                  "ok" if w["requests_per_s"] >= TARGET_RPS else "MISS"]])
    rows = []
    for name, f in results["latency"].items():
        ok = f["p50_ms"] <= TARGET_P50_MS and f["p99_ms"] <= TARGET_P99_MS and not f["failures"]
        raw = results["raw_sql_median_ms"].get(name.removeprefix("api ")) if name.startswith("api") else None
        rows.append([name, f["sent"], f["p50_ms"], f["p90_ms"], f["p99_ms"], f["max_ms"], f["failures"],
                     raw, "ok" if ok else "MISS"])
    print_table(f"latency: open loop at {results['rate']:.0f} requests/s, {results['latency_seconds']:.0f} s per case "
                f"(target p50 <= {TARGET_P50_MS:.0f} ms, p99 <= {TARGET_P99_MS:.0f} ms)",
                ["case", "sent", "p50 ms", "p90 ms", "p99 ms", "max ms", "failed", "raw SQL ms", ""], rows)
    starts, restarts = results["serve_first_response_s"], results["worker_first_response_s"]
    print_table("start (s)", ["what", "median", "max", "target", ""], [
        ["loom serve: launch to first API list answer", statistics.median(starts), max(starts), TARGET_START_S,
         "ok" if statistics.median(starts) <= TARGET_START_S else "MISS"],
        ["every worker killed: until a new one answers", statistics.median(restarts), max(restarts),
         TARGET_WORKER_S, "ok" if statistics.median(restarts) <= TARGET_WORKER_S else "MISS"]])


if __name__ == "__main__":
    sys.exit(main())
