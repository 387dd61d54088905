"""The JSON API's list call: ``GET /api/v1/base.partner?limit=50&total=estimated`` with a token, over
100,000 partners on PostgreSQL, through the Flask test client (in-process: no HTTP server, no
network), against a raw-SQL baseline of the same work.

- ``api``: the whole call as an integrator makes it: token lookup, the user's grants and rules,
  the page (50 rows, every readable stored field), the planner's estimated total, JSON encoding;
- ``raw SQL``: the baseline in the same run: on one open psycopg connection, the same page
  (the API's WHERE and ORDER BY, ``LIMIT 50``) and ``EXPLAIN (FORMAT JSON)`` of the count.

Both again with ``order=id``: base.partner's default order is ``name``, which has no index, so
every default page sorts all active partners (a top-50 heap sort) in the API and the baseline alike.

Sequential requests in one thread; figures are requests per second (1 / median) and latency
percentiles in milliseconds. The issue's target (>= 250 requests/s) is for gunicorn with one
worker per core under wrk: this in-process figure is the per-core ceiling of that measurement.

With ``--serve SECONDS`` it also starts ``loom serve --workers 2`` (gunicorn, one worker per
core) on the same database and loads it from a second process (a Python client: Debian's wrk is
not installed here) with 8 threads for SECONDS, closed-loop, counting answered requests per
second. The client shares the machine's two cores with the workers, so this undercounts.

    python benchmarks/api_list.py [--partners 100000] [--requests 500] [--serve 10]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

from _common import (
    pg_available,
    pg_databases,
    print_table,
    psycopg_url,
    stop_cleanly_on_sigterm,
    write_results,
)

TARGET_RPS = 250
PATH = "/api/v1/base.partner?limit=50&total=estimated"
#: The same call ordered by id (base.partner's default order, ``name``, has no index: every page sorts).
PATH_BY_ID = PATH + "&order=id"
#: The page as the API's statement selects it (default order), and ordered by id.
RAW_PAGE = ("SELECT * FROM base_partner WHERE active AND (company_id IS NULL OR company_id IN (1)) "
            "ORDER BY name ASC NULLS LAST, id ASC NULLS LAST LIMIT 50")
RAW_PAGE_BY_ID = RAW_PAGE.replace("name ASC NULLS LAST, id", "id")


def seed(url: str, partners: int) -> tuple[object, str]:
    """Install base, insert ``partners`` partners set-based, make an administrator and their token
    (base declares the index on (name, id) that the default order reads)."""
    import sqlalchemy as sa

    from loom.kernel.api.tokens import create_token
    from loom.kernel.db import create_engine, run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.installer import ModuleManager
    from loom.kernel.users import create_user

    engine = create_engine(url)
    manager = ModuleManager(engine)
    manager.install(["base"])
    registry = manager.registry(manager.installed())
    table = registry["base.partner"].__table__
    with engine.begin() as conn:
        for start in range(0, partners, 10_000):
            conn.execute(sa.insert(table), [{"name": f"Partner {i:06d}", "email": f"p{i}@example.com",
                                             "city": "Shanghai", "is_customer": i % 2 == 0}
                                            for i in range(start, min(partners, start + 10_000))])
        conn.exec_driver_sql("ANALYZE base_partner")

    def person(session):
        env = Environment(registry, session, su=True)
        user = create_user(env, "bench", "Bench", secrets.token_urlsafe(16), roles=["kernel.administrator"])
        return create_token(env, user, "bench")[1]

    return engine, run_unit_of_work(engine, person)


def time_api(url: str, token: str, requests: int, path: str) -> list[float]:
    """Seconds per call through the Flask test client (after 20 warm-up calls)."""
    from loom.kernel.web.app import create_app

    app = create_app(url, config={"SECRET_KEY": secrets.token_hex(32)})
    client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
    for _ in range(20):
        assert client.get(path, headers=headers).status_code == 200
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        answer = client.get(path, headers=headers)
        samples.append(time.perf_counter() - start)
        assert answer.status_code == 200 and len(answer.get_json()["records"]) == 50
    app.extensions["loom"].engine.dispose()
    return samples


def time_raw(url: str, requests: int, page: str) -> list[float]:
    """Seconds per page + estimate with psycopg on one connection, rows fetched as tuples."""
    import json

    import psycopg

    samples = []
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        for i in range(requests + 20):
            start = time.perf_counter()
            rows = conn.execute(page).fetchall()
            plan = conn.execute("EXPLAIN (FORMAT JSON) SELECT id FROM base_partner WHERE active").fetchone()[0]
            json.dumps([list(map(str, row)) for row in rows] + [plan[0]["Plan"]["Plan Rows"]])
            conn.rollback()
            if i >= 20:
                samples.append(time.perf_counter() - start)
    return samples


def load(port: int, token: str, path: str, seconds: float, threads: int) -> dict[str, float]:
    """Closed-loop load from this process: ``threads`` clients sending ``path`` for ``seconds``."""
    import http.client

    latencies: list[float] = []
    failures = [0]
    deadline = time.perf_counter() + seconds

    def client() -> None:
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            answer = conn.getresponse()
            answer.read()
            conn.close()
            if answer.status == 200:
                latencies.append(time.perf_counter() - start)
            else:
                failures[0] += 1

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {**figures(latencies), "requests_per_s": len(latencies) / seconds, "failures": failures[0]}


def served(url: str, token: str, seconds: float) -> dict[str, dict[str, float]]:
    """Figures of ``loom serve --workers 2`` under load from a second process, by default order and by id."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "LOOM_DATABASE_URL": url, "LOOM_SECRET_KEY": secrets.token_hex(32)}
    server = subprocess.Popen([sys.executable, "-m", "loom", "serve", "--workers", "2", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        results = {}
        for name, path in (("served", PATH), ("served, order=id", PATH_BY_ID)):
            client = subprocess.run([sys.executable, __file__, "--client", str(port), token, path, str(seconds)],
                                    capture_output=True, text=True, check=True)
            results[name] = json.loads(client.stdout)
        return results
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def figures(samples: list[float]) -> dict[str, float]:
    """Requests per second and latency percentiles (ms) of ``samples``."""
    ordered = sorted(samples)
    median = statistics.median(ordered)
    return {"requests_per_s": 1 / median, "median_ms": median * 1000,
            "p90_ms": ordered[int(len(ordered) * 0.9)] * 1000, "p99_ms": ordered[int(len(ordered) * 0.99)] * 1000,
            "runs": len(samples)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--serve", type=float, default=0, help="seconds of load on loom serve (0: skip)")
    parser.add_argument("--client", nargs=4, metavar=("PORT", "TOKEN", "PATH", "SECONDS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        port, token, path, seconds = args.client
        print(json.dumps(load(int(port), token, path, float(seconds), threads=8)))
        return 0
    stop_cleanly_on_sigterm()
    if not pg_available():
        print("PostgreSQL is not reachable (LOOM_BENCH_PG_URL): nothing measured")
        return 1
    with pg_databases() as new:
        _name, url = new()
        url = psycopg_url(url)
        engine, token = seed(url, args.partners)
        engine.dispose()
        results = {"api": figures(time_api(url, token, args.requests, PATH)),
                   "raw SQL": figures(time_raw(url, args.requests, RAW_PAGE)),
                   "api, order=id": figures(time_api(url, token, args.requests, PATH_BY_ID)),
                   "raw SQL, order by id": figures(time_raw(url, args.requests, RAW_PAGE_BY_ID))}
        if args.serve:
            results.update(served(url, token, args.serve))
    raw = results["raw SQL"]["median_ms"]
    print_table(f"GET {PATH} over {args.partners:,} partners, PostgreSQL, Flask test client, "
                f"{args.requests} sequential requests", ["how", "req/s", "median ms", "p90 ms", "p99 ms", "vs raw"],
                [[name, f["requests_per_s"], f["median_ms"], f["p90_ms"], f["p99_ms"], f"{f['median_ms'] / raw:.1f}x"]
                 for name, f in results.items()])
    path = write_results("api_list", {"partners": args.partners, "requests": args.requests, "path": PATH,
                                      "target_rps_gunicorn": TARGET_RPS, "figures": results})
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
