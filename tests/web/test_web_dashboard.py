"""The home dashboard: tiles modules contribute, shown to those who may read their model, counted
through the visitor's own environment (companies and record rules apply), drawn by ECharts from
data in the page, and a tile that fails shows its own error instead of breaking the page."""

from __future__ import annotations

import html
import json
import re
from types import SimpleNamespace

import pytest

from loom.kernel.errors import ConfigurationError
from loom.kernel.web.dashboard import EXTENSION, Tile, collect_tiles

PASSWORD = "correct horse battery"  # the one log_in sends (conftest.PASSWORD)


@pytest.fixture(scope="module")
def companies(shop):
    """A second company, Branch Ltd.; three partners in Japan private to the main company, two in
    Korea private to the branch, one in Korea shared by both; customers and suppliers among them."""
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment

    def make(session):
        env = Environment(shop.registry, session, su=True)
        main = env.company_id
        branch = env["loom.company"].create({"name": "Branch Ltd.", "code": "BRANCH"})
        env["base.partner"].create([
            *({"name": f"Osaka buyer {n}", "country_code": "JP", "company_id": main, "is_customer": True}
              for n in range(3)),
            *({"name": f"Busan mill {n}", "country_code": "KR", "company_id": branch.id, "is_supplier": True}
              for n in range(2)),
            {"name": "Seoul agent", "country_code": "KR", "is_customer": True, "is_supplier": True}])
        return main, branch.id

    return run_unit_of_work(shop.engine, make)


def user_in(run, company_id, *roles, lang="en"):
    """A user working in ``company_id`` only; their login."""
    import secrets

    from loom.kernel.users import create_user

    login = f"desk_{secrets.token_hex(4)}"
    run(lambda env: create_user(env, login, f"Desk {login}", PASSWORD, roles=roles, company_ids=[company_id],
                                lang=lang))
    return login


def tile_values(page: str, key: str) -> dict[str, str]:
    """The label → value table of tile ``key`` as the page shows it."""
    tile = re.search(rf'<article class="tile [^"]*" id="tile-{re.escape(key)}">(.*?)</article>', page, re.S).group(1)
    return dict(re.findall(r"<tr><th>(.*?)</th><td>(.*?)</td></tr>", tile))


def chart_data(page: str, key: str) -> list:
    tile = re.search(rf'id="tile-{re.escape(key)}">(.*?)</article>', page, re.S).group(1)
    return json.loads(html.unescape(re.search(r"data-chart='([^']*)'", tile).group(1)))


def test_each_company_counts_its_own_and_the_shared_partners(run, log_in, companies):
    main, branch = companies
    at_main = log_in(user_in(run, main, "base.user")).client.get("/").get_data(as_text=True)
    at_branch = log_in(user_in(run, branch, "base.user")).client.get("/").get_data(as_text=True)
    main_countries = tile_values(at_main, "base.partners_by_country")
    branch_countries = tile_values(at_branch, "base.partners_by_country")
    assert main_countries["JP"] == "3" and main_countries["KR"] == "1"
    assert "JP" not in branch_countries and branch_countries["KR"] == "3"
    assert tile_values(at_branch, "base.partner_roles") == {"Customers": "1", "Suppliers": "3"}
    assert ["KR", 3] in chart_data(at_branch, "base.partners_by_country")


def test_the_home_page_draws_charts_with_the_vendored_echarts_and_no_inline_script(run, log_in, companies):
    page = log_in(user_in(run, companies[0], "base.user")).client.get("/").get_data(as_text=True)
    assert "/static/vendor/echarts.min.js" in page and "/static/dashboard.js" in page
    assert 'data-kind="bar"' in page and 'data-kind="pie"' in page
    assert all(not body.strip() for body in re.findall(r"<script[^>]*>(.*?)</script>", page, re.S))
    assert chart_data(page, "base.partner_roles")[0][0] == "Customers"


def test_a_chinese_reader_sees_tile_titles_and_labels_in_chinese(run, log_in, companies):
    page = log_in(user_in(run, companies[0], "base.user", lang="zh_CN")).client.get("/").get_data(as_text=True)
    assert "客户与供应商" in page and "合作伙伴国家分布" in page
    assert set(tile_values(page, "base.partner_roles")) == {"客户", "供应商"}


def test_a_user_who_may_not_read_partners_sees_no_tiles(run, log_in, companies):
    page = log_in(user_in(run, companies[0])).client.get("/").get_data(as_text=True)
    assert 'class="dashboard"' not in page and "echarts" not in page and "Welcome" in page


def test_a_failing_tile_shows_its_own_error_and_the_others_still_show(app, run, log_in, companies, monkeypatch):
    from sqlalchemy import text

    def broken_sql(env):
        return env.session.execute(text("SELECT count(*) FROM no_such_table")).scalar()

    def divided_by_zero(env):
        return 1 // 0

    monkeypatch.setitem(app.extensions, EXTENSION, (
        Tile("test.broken_sql", "base.dashboard_customers", "base.partner", broken_sql, sequence=1),
        Tile("test.zero", "base.dashboard_suppliers", "base.partner", divided_by_zero, sequence=2),
        Tile("test.wrong_shape", "base.dashboard_suppliers", "base.partner", lambda env: "many", sequence=3),
        Tile("test.partners", "base.dashboard_partner_roles", "base.partner",
             lambda env: env["base.partner"].count() * 1000, sequence=4)))
    response = log_in(user_in(run, companies[0], "base.user")).client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('<p class="tile-error" role="alert">This tile could not be computed.') == 3
    shown = re.search(r'id="tile-test.partners">.*?<p class="tile-number">([^<]+)</p>', page, re.S).group(1)
    assert shown == "4,000"  # the three buyers in Japan and the shared agent, counted by the main company's user
    assert "no_such_table" not in page and "Traceback" not in page


def test_tiles_with_one_key_or_an_unknown_kind_stop_the_start_naming_the_key():
    def registry(*tiles):
        return SimpleNamespace(pm=SimpleNamespace(hook=SimpleNamespace(register_dashboard_tiles=lambda: [list(tiles)])))

    tile = Tile("sales.orders", "sales.tile_orders", "sales.order", lambda env: 1)
    with pytest.raises(ConfigurationError) as twice:
        collect_tiles(registry(tile, tile))
    assert "sales.orders" in twice.value.message("en")
    with pytest.raises(ConfigurationError) as gauge:
        collect_tiles(registry(Tile("sales.gauge", "sales.tile_gauge", "sales.order", lambda env: 1, kind="gauge")))
    assert "sales.gauge" in gauge.value.message("en") and "gauge" in gauge.value.message("en")


def test_tiles_are_shown_in_their_sequence():
    def registry(*tiles):
        return SimpleNamespace(pm=SimpleNamespace(hook=SimpleNamespace(register_dashboard_tiles=lambda: [list(tiles)])))

    late = Tile("a.late", "a.late", "a.model", lambda env: 1, sequence=50)
    early = Tile("z.early", "z.early", "z.model", lambda env: 1, sequence=5)
    assert [tile.key for tile in collect_tiles(registry(late, early))] == ["z.early", "a.late"]
