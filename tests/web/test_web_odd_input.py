"""Odd input answers a clear page, never a server error: a card number in superscript digits, an
attachment or activity id beyond what the database stores, a moment typed at the calendar's edge.
Amounts that round to nothing carry no minus sign, and the print sheet tells the reader's time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from loom.kernel.web.locale_format import CurrencyFormat, format_datetime, format_money, time_zone

HUGE = "99999999999999999999"


def test_a_card_number_in_superscript_digits_is_refused_on_the_board(buy, story):
    request = story.purchase(buy, "Lamps", "10")
    buyer = story.browser(buy, "loomtest_buy.buyer", "loomtest_buy.manager")
    buyer.get("/m/buy.request/kanban")
    response = story.post(buyer, "/m/buy.request/kanban/move", record="²", to="confirmed")
    assert response.status_code == 422 and "record" in response.get_data(as_text=True)
    assert story.as_superuser(buy, lambda env: env["buy.request"].get(request).state) == "draft"


def test_an_attachment_or_activity_id_beyond_the_database_is_not_found(buy, story):
    request = story.purchase(buy, "Lamps", "10")
    buyer = story.browser(buy, "loomtest_buy.buyer")
    assert buyer.get(f"/m/buy.request/{request}/attachments/{HUGE}").status_code == 404
    buyer.get(f"/m/buy.request/{request}")
    assert story.post(buyer, f"/m/buy.request/{request}/activities/{HUGE}/done").status_code == 404


def test_a_refund_that_rounds_to_nothing_shows_no_minus_sign():
    yuan = CurrencyFormat("¥", 2)
    assert format_money(Decimal("-0.004"), "en", yuan) == "¥0.00"
    assert format_money(Decimal("-0.005"), "en", yuan) == "-¥0.01"
    assert format_money(Decimal("-3"), "en", yuan) == "-¥3.00"


def test_the_print_sheet_tells_the_time_in_the_readers_zone(buy, story):
    request = story.purchase(buy, "Lamps", "10")
    reader = story.browser(buy, "loomtest_buy.buyer")
    story.as_superuser(buy, lambda env: env["loom.user"].write(
        env["loom.user"].search([["login", "=", reader.login]]), {"tz": "Pacific/Kiritimati"}))  # UTC+14
    before = dt.datetime.now(dt.UTC)
    sheet = reader.get(f"/m/buy.request/{request}/print").get_data(as_text=True)
    after = dt.datetime.now(dt.UTC)
    assert "UTC" not in sheet
    assert any(format_datetime(moment, "en", "Pacific/Kiritimati") in sheet for moment in (before, after))
    assert time_zone("Pacific/Kiritimati").utcoffset(before) == dt.timedelta(hours=14)
