"""The generic list page over 100,000 partners: the first page in default order, an ``ilike``
search over names, and page 1,000 by offset and by keyset, each beside a raw-SQL baseline of the
same query (the rows only, no count).

In-process through Flask's test client as an administrator (the request, the session check, the
count, the page's query, the linked names and the template), ``runs`` requests each after one
warm-up. PostgreSQL when available, and SQLite.

    python benchmarks/web_list.py --runs 15 --rows 100000
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

PAGE = 80


def fill(url: str, rows: int) -> None:
    """``loom init`` the database and insert ``rows`` partners with one set-based statement."""
    os.environ["LOOM_PASSWORD_PROFILE"] = "test"
    from sqlalchemy import text

    from loom.kernel.db import create_engine
    from loom.kernel.installer import ModuleManager

    engine = create_engine(url)
    ModuleManager(engine).install(["base"])
    numbers = ("SELECT generate_series(1, :rows) AS n" if engine.dialect.name == "postgresql" else
               "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < :rows) SELECT n FROM s")
    padded = "lpad(n::text, 6, '0')" if engine.dialect.name == "postgresql" else "printf('%06d', n)"
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO base_partner (name, city) SELECT 'Partner ' || {padded}, 'Hangzhou' "
                          f"FROM ({numbers}) AS numbers"), {"rows": rows})
        conn.execute(text("ANALYZE"))
    engine.dispose()


def measure(url: str, runs: int) -> dict[str, dict]:
    """Median seconds per case, the page and its raw-SQL baseline."""
    from sqlalchemy import text

    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.users import create_user
    from loom.kernel.web.app import create_app
    from loom.kernel.web.state import loom_state

    app = create_app(url, config={"SECRET_KEY": os.urandom(32)})
    state = loom_state(app)
    run_unit_of_work(state.engine, lambda session: create_user(
        Environment(state.registry, session, su=True), "bench", "Bench", "bench password",
        roles=["kernel.administrator"]))
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    client.post("/login", data={"login": "bench", "password": "bench password", "csrf_token": token})
    with state.engine.connect() as conn:
        after = conn.execute(text("SELECT id FROM base_partner WHERE active ORDER BY name, id LIMIT 1 OFFSET :n"),
                             {"n": 999 * PAGE - 1}).scalar()
    cases = {
        "first_page": ("/m/base.partner", "SELECT * FROM base_partner WHERE active ORDER BY name, id LIMIT 80"),
        "ilike_search": ("/m/base.partner?q=rtner 0999",
                         "SELECT * FROM base_partner WHERE active AND lower(name) LIKE '%rtner 0999%' "
                         "ORDER BY name, id LIMIT 80"),
        "page_1000_offset": ("/m/base.partner?page=1000",
                             f"SELECT * FROM base_partner WHERE active ORDER BY name, id LIMIT 80 OFFSET {999 * PAGE}"),
        "page_1000_keyset": (f"/m/base.partner?page=1000&after={after}",
                             "SELECT * FROM base_partner WHERE active AND (name, id) > ((SELECT name FROM "
                             f"base_partner WHERE id = {after}), {after}) ORDER BY name, id LIMIT 80"),
    }
    figures: dict[str, dict] = {}
    for name, (path, sql) in cases.items():
        assert client.get(path).status_code == 200, path
        pages, raws = time_page_beside_sql(client, path, state.engine, sql, runs)
        figures[name] = {"page_median": statistics.median(pages), "sql_median": statistics.median(raws),
                         "page_samples": pages}
    state.engine.dispose()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    stop_cleanly_on_sigterm()
    results: dict[str, dict] = {}
    with scratch_dir("loom-bench-list-") as tmp, pg_databases() as new_pg:
        urls = {"sqlite": f"sqlite:///{tmp / 'list.db'}"}
        if not args.no_pg and pg_available():
            urls["postgresql"] = psycopg_url(new_pg()[1])
        for backend, url in urls.items():
            fill(url, args.rows)
            results[backend] = measure(url, args.runs)
    for backend, figures in results.items():
        print_table(f"list page over {args.rows:,} partners, {backend} (ms, median of {args.runs})",
                    ["case", "page", "raw SQL"],
                    [(case, f["page_median"] * 1000, f["sql_median"] * 1000) for case, f in figures.items()])
    write_results("web_list", {"rows": args.rows, "runs": args.runs, "figures": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
