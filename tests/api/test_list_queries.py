"""The number of SQL statements of a list call does not grow with the rows shown."""

from __future__ import annotations

from api_bench import statements


def test_a_list_of_5_or_50_orders_with_their_lines_costs_the_same_statements(bench):
    from loomtest_alpha.testing import draft_orders

    bench.unit(lambda env: draft_orders(env, 60))
    engine = bench.app.extensions["loom"].engine
    query = {"fields": "name,partner_id,amount_total,lines", "total": "exact"}
    bench.get("/api/v1/alpha.order", who="clerk", query_string={**query, "limit": "5"})  # token's last use noted
    counts = {}
    for limit in ("5", "50"):
        with statements(engine) as seen:
            answer = bench.get("/api/v1/alpha.order", who="clerk", query_string={**query, "limit": limit})
        assert answer.status_code == 200 and len(answer.get_json()["records"]) == int(limit)
        assert all(len(row["lines"]) == 1 for row in answer.get_json()["records"])
        counts[limit] = len(seen)
    assert counts["5"] == counts["50"], counts
    assert counts["50"] <= 12, counts
