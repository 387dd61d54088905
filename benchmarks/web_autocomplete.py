"""Autocomplete of a many-to-one field over 100,000 partners: ``GET /m/base.partner/autocomplete
?field=parent_id&q=...`` (at most 8 readable partners whose name contains the text, in name order),
each case beside a raw-SQL baseline of the same bounded query.

Cases: nothing typed (the first 8 by name), a common text (``Partner 0``: the first rows of the
name index match), a rare one (``rtner 09999``: 10 matches at the end of the name order, so the
whole index is walked) and a text no partner has. In-process through Flask's test client as a
masters user (``base.user``: the session check, the permission and company filters, the query and
the template), ``runs`` requests each after one warm-up. PostgreSQL when available, and SQLite.

    python benchmarks/web_autocomplete.py --runs 30 --rows 100000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

from _common import (
    pg_available,
    pg_databases,
    print_table,
    psycopg_url,
    scratch_dir,
    stop_cleanly_on_sigterm,
    time_page_beside_sql,
    write_results,
)
from web_list import fill

CASES = {"nothing_typed": "", "common_text": "Partner 0", "rare_text": "rtner 09999", "no_match": "Nobody"}


def measure(url: str, runs: int) -> dict[str, dict]:
    """Median and 95th percentile seconds per case, the request and its raw-SQL baseline."""

    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.users import create_user
    from loom.kernel.web.app import create_app
    from loom.kernel.web.state import loom_state

    app = create_app(url, config={"SECRET_KEY": os.urandom(32)})
    state = loom_state(app)
    run_unit_of_work(state.engine, lambda session: create_user(
        Environment(state.registry, session, su=True), "bench", "Bench", "bench password", roles=["base.user"]))
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    client.post("/login", data={"login": "bench", "password": "bench password", "csrf_token": token})
    figures: dict[str, dict] = {}
    for name, typed in CASES.items():
        path = f"/m/base.partner/autocomplete?field=parent_id&q={typed}"
        where = "WHERE active" + (f" AND lower(name) LIKE '%{typed.lower()}%'" if typed else "")
        sql = f"SELECT * FROM base_partner {where} ORDER BY name, id LIMIT 8"
        first = client.get(path)
        assert first.status_code == 200, path
        matches = first.get_data(as_text=True).count("data-id=")
        requests, raws = time_page_beside_sql(client, path, state.engine, sql, runs)
        figures[name] = {"text": typed, "matches": matches, "request_median": statistics.median(requests),
                         "request_p95": sorted(requests)[int(0.95 * (len(requests) - 1))],
                         "sql_median": statistics.median(raws), "request_samples": requests}
    state.engine.dispose()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    stop_cleanly_on_sigterm()
    results: dict[str, dict] = {}
    with scratch_dir("loom-bench-autocomplete-") as tmp, pg_databases() as new_pg:
        urls = {} if args.no_sqlite else {"sqlite": f"sqlite:///{tmp / 'autocomplete.db'}"}
        if not args.no_pg and pg_available():
            urls["postgresql"] = psycopg_url(new_pg()[1])
        for backend, url in urls.items():
            fill(url, args.rows)
            results[backend] = measure(url, args.runs)
    for backend, figures in results.items():
        print_table(f"autocomplete over {args.rows:,} partners, {backend} (ms, {args.runs} requests)",
                    ["case", "text", "matches", "median", "p95", "raw SQL median"],
                    [(case, f["text"], f["matches"], f["request_median"] * 1000, f["request_p95"] * 1000,
                      f["sql_median"] * 1000) for case, f in figures.items()])
    write_results("web_autocomplete", {"rows": args.rows, "runs": args.runs, "figures": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
