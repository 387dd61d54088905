"""Numbers, money, dates and times as each reader expects them: grouped thousands, the currency's
symbol and decimals, dates in the reader's language and times in the reader's time zone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from loom.kernel.errors import ValidationError
from loom.kernel.web.display import cells, currency_formats, shown
from loom.kernel.web.locale_format import (
    CurrencyFormat,
    format_date,
    format_datetime,
    format_money,
    format_number,
    is_time_zone,
)

YUAN = CurrencyFormat("¥", 2)


def test_amounts_are_grouped_by_thousands_with_the_currency_symbol_and_decimals():
    assert format_money(Decimal("1234567.5"), "zh_CN", YUAN) == "¥1,234,567.50"
    assert format_money(Decimal("1234567.5"), "en", CurrencyFormat("$", 2)) == "$1,234,567.50"
    assert format_money(Decimal("-3.005"), "en", YUAN) == "-¥3.01"
    assert format_money(Decimal("1500"), "zh_CN", CurrencyFormat("¥", 0)) == "¥1,500"


def test_quantities_keep_their_digits_without_trailing_zeros():
    assert format_number(Decimal("12.500000"), "zh_CN") == "12.5"
    assert format_number(Decimal("1000000.000000"), "en") == "1,000,000"
    assert format_number(1234567, "en") == "1,234,567"
    assert format_number(Decimal("-0.25"), "en") == "-0.25"


def test_counts_are_grouped_but_record_numbers_are_not(shop):
    fields = shop.registry.fields("loom.audit_log")
    assert shown(123456, "integer", info=fields["seq"], lang="en") == "123,456"
    assert shown(123456, "integer", info=fields["record_id"], lang="en") == "123456"


def test_dates_read_naturally_in_each_language():
    day = dt.date(2026, 12, 5)
    assert format_date(day, "en") == "Dec 5, 2026"
    assert format_date(day, "zh_CN") == "2026年12月5日"


def test_times_are_shown_in_the_readers_time_zone():
    moment = dt.datetime(2026, 12, 5, 17, 30, tzinfo=dt.UTC)
    assert format_datetime(moment, "zh_CN", "Asia/Shanghai") == "2026年12月6日 01:30"
    assert format_datetime(moment, "en", "Europe/Berlin") == "Dec 5, 2026, 18:30"
    assert format_datetime(moment.replace(tzinfo=None), "en", "UTC") == "Dec 5, 2026, 17:30"
    assert format_datetime(moment, "en", "Not/AZone") == "Dec 6, 2026, 01:30"  # unknown: Shanghai


def test_a_time_zone_must_be_one_the_machine_knows(run, make_user):
    assert is_time_zone("Asia/Shanghai") and not is_time_zone("Mars/Olympus")
    login = make_user()

    def set_zone(env):
        env["loom.user"].write(env["loom.user"].search([["login", "=", login]]), {"tz": "Mars/Olympus"})

    with pytest.raises(ValidationError) as refused:
        run(set_zone)
    assert refused.value.field == "tz"
    assert "Mars/Olympus" in refused.value.message("zh_CN")


@pytest.fixture
def expensive_product(run):
    """A product sold at ¥1,234,567.50 (the company keeps its books in CNY)."""
    def make(env):
        unit = env["base.uom"].search([["name", "=", "Unit"]])[0]
        return env["base.product"].create({"name": "Bronze bell", "name_zh": "铜钟", "uom_id": unit.id,
                                           "list_price": Decimal("1234567.5"), "type": "storable"}).id

    return run(make)


@pytest.mark.parametrize("lang, name, kind", [("zh_CN", "铜钟", "库存商品"), ("en", "Bronze bell", "Storable product")])
def test_a_product_row_shows_money_names_and_choices_in_the_readers_language(run, make_user, expensive_product,
                                                                           lang, name, kind):
    login = make_user("base.user", lang=lang)

    def row(env):
        uid = env["loom.user"].search([["login", "=", login]])[0].id
        from loom.kernel.environment import Environment

        mine = Environment(env.registry, env.session, uid=uid)
        product = mine["base.product"].get(expensive_product)
        return cells(mine, "base.product", [product], ["name", "list_price", "type", "uom_id"])

    [(_, texts)] = run(row)
    assert texts[:3] == [name, "¥1,234,567.50", kind]
    assert texts[3] == ("个" if lang == "zh_CN" else "Unit")


def test_a_record_with_its_own_currency_counts_money_in_it(run):
    def formats(env):
        usd = env["base.currency"].search([["code", "=", "USD"]])[0]
        rate = env["base.currency.rate"].create({"currency_id": usd.id, "date": dt.date(2026, 12, 1),
                                                 "rate": Decimal("7.1")})
        return rate.id, currency_formats(env, "base.currency.rate", [rate])

    rate_id, found = run(formats)
    assert found == {rate_id: CurrencyFormat("$", 2)}


def test_the_product_list_page_shows_the_price_with_its_symbol(make_user, log_in, expensive_product):
    client = log_in(make_user("base.user", lang="zh_CN")).client
    page = client.get("/m/base.product?columns=name,list_price&q=Bronze").get_data(as_text=True)
    assert "¥1,234,567.50" in page and "铜钟" in page


def test_a_chinese_reader_sees_audit_times_in_shanghai_time(run, make_user, log_in):
    login = make_user("kernel.auditor", lang="zh_CN")
    client = log_in(login).client
    at = run(lambda env: env["loom.audit_log"].search([["actor_login", "=", login]])[0].at)
    page = client.get(f'/m/loom.audit_log?columns=action,at&domain=[["actor_login","=","{login}"]]')
    assert page.status_code == 200
    assert format_datetime(at, "zh_CN", "Asia/Shanghai") in page.get_data(as_text=True)


def test_the_timeline_shows_when_in_the_readers_time_zone_and_due_dates_in_their_language(run, make_user, log_in):
    from loom.kernel.timeline import add_activity, add_note

    login = make_user("base.user", lang="zh_CN")

    def story(env):
        partner = env["base.partner"].create({"name": "Dehua Porcelain"})
        clerk = env["loom.user"].search([["login", "=", login]])[0]
        add_note(env, "base.partner", [partner.id], "Asked for the spring catalogue")
        add_activity(env, "base.partner", partner.id, due=dt.date(2026, 12, 24), assignee_id=clerk.id,
                     summary="Send samples")
        note = env["loom.record_event"].search([["res_id", "=", partner.id], ["kind", "=", "note"]])[0]
        return partner.id, note.at

    partner, noted_at = run(story)
    page = log_in(login).client.get(f"/m/base.partner/{partner}").get_data(as_text=True)
    assert format_datetime(noted_at, "zh_CN", "Asia/Shanghai") in page
    assert "2026年12月24日" in page
