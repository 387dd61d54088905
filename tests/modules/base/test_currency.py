"""Currencies: rounding, dated rates per company, conversion at a document's date."""

import datetime as dt
from decimal import Decimal as D

import pytest

from loom.kernel.errors import UserError, ValidationError
from loom.kernel.external_ids import ref
from loom.modules.base.currency import allocate_conversion, company_rate, convert, convert_amount, round_amount
from loom.modules.base.rounding import EXACT
from loom.modules.base.testing import create_company


class Yen:
    decimal_places = 0


class Yuan:
    decimal_places = 2


def test_round_amount_half_up_to_the_currency_precision():
    assert round_amount(D("0.125"), Yuan) == D("0.13")
    assert round_amount(D("1234.5"), Yen) == D("1235")


def test_convert_amount_is_exact_until_rounded():
    assert convert_amount(D("100"), D("7.1879"), D("1"), 2) == D("718.79")
    assert convert_amount(D("100"), D("1"), D("7.1879")) == EXACT.divide(D("100"), D("7.1879"))
    assert convert_amount(D("100"), D("1"), D("7.1879"), 2) == D("13.91")


def test_the_converted_lines_add_up_to_the_converted_total():
    lines = [D("0.10"), D("0.10"), D("0.10"), D("5.00")]
    converted = allocate_conversion(lines, D("1"), D("3"), 2)       # each 0.0333 -> 0.03
    assert sum(converted) == convert_amount(sum(lines), D("1"), D("3"), 2) == D("1.77")
    assert converted == [D("0.03"), D("0.03"), D("0.03"), D("1.68")]  # the largest line took the cent
    assert allocate_conversion([], D("1"), D("3"), 2) == []


# -- with the demo rates of the main company -------------------------------------------------------


def currencies(env):
    return {code: ref(env, f"base.{code.lower()}") for code in ("CNY", "USD", "EUR", "JPY")}


def test_conversion_uses_the_latest_rate_on_or_before_the_document_date(base_env):
    cur, company = currencies(base_env), ref(base_env, "kernel.main_company")
    usd, cny = cur["USD"], cur["CNY"]
    assert convert(base_env, D("100"), usd, cny, dt.date(2025, 1, 2), company) == D("718.79")
    assert convert(base_env, D("100"), usd, cny, dt.date(2025, 6, 30), company) == D("718.79")
    assert convert(base_env, D("100"), usd, cny, dt.date(2025, 7, 1), company) == D("715.86")
    assert convert(base_env, D("715.86"), cny, usd, dt.date(2025, 12, 31), company) == D("100.00")


def test_cross_rates_go_through_the_company_currency(base_env):
    cur, company = currencies(base_env), ref(base_env, "kernel.main_company")
    # 100 EUR = 752.57 CNY = 16,260 JPY at 0.046283 CNY per yen; yen have no decimals
    assert convert(base_env, D("100"), cur["EUR"], cur["JPY"], dt.date(2025, 3, 1), company) == D("16260")


def test_no_rate_before_the_date_names_the_currency_and_the_date(base_env):
    cur, company = currencies(base_env), ref(base_env, "kernel.main_company")
    with pytest.raises(UserError) as caught:
        convert(base_env, D("100"), cur["USD"], cur["CNY"], dt.date(2024, 12, 31), company)
    assert caught.value.message_id == "base.currency_rate_missing"
    assert "USD" in str(caught.value) and "2024-12-31" in str(caught.value)
    assert "2024-12-31" in caught.value.message("zh_CN")


def test_the_company_currency_is_worth_one(base_env):
    cur, company = currencies(base_env), ref(base_env, "kernel.main_company")
    assert company_rate(base_env, cur["CNY"], company, dt.date(1990, 1, 1)) == D(1)
    assert convert(base_env, D("10.005"), cur["CNY"], cur["CNY"], dt.date(1990, 1, 1), company) == D("10.01")


def test_rates_belong_to_one_company(base_env):
    cur = currencies(base_env)
    branch = create_company(base_env, "Hong Kong branch", "HK", currency="HKD")
    base_env["base.currency.rate"].create({"currency_id": cur["CNY"].id, "company_id": branch.id,
                                           "date": dt.date(2025, 1, 2), "rate": D("1.0798")})
    day = dt.date(2025, 2, 1)
    assert convert(base_env, D("1000"), cur["CNY"], ref(base_env, "base.hkd"), day, branch) == D("1079.80")
    with pytest.raises(UserError):  # the main company's USD rates are not the branch's
        convert(base_env, D("1"), cur["USD"], cur["CNY"], day, branch)


def test_a_rate_for_the_company_currency_is_refused(base_env):
    with pytest.raises(ValidationError) as caught:
        base_env["base.currency.rate"].create({
            "currency_id": ref(base_env, "base.cny").id, "company_id": ref(base_env, "kernel.main_company").id,
            "date": dt.date(2025, 1, 2), "rate": D("1")})
    assert caught.value.field == "currency_id"


@pytest.mark.parametrize(("values", "field"), [
    ({"code": "usd"}, "code"),
    ({"code": "ABCD"}, "code"),
    ({"code": "XAU", "decimal_places": 6}, "decimal_places"),
])
def test_currency_codes_and_precision_are_checked(base_env, values, field):
    with pytest.raises(ValidationError) as caught:
        base_env["base.currency"].create({"name": "Test", "symbol": "T", **values})
    assert caught.value.field == field


def test_shipped_currencies(base_env):
    rows = {c.code: (c.decimal_places, c.rounding, c.label("zh_CN")) for c in base_env["base.currency"].search()}
    assert rows["CNY"] == (2, D("0.01"), "人民币")
    assert rows["JPY"] == (0, D("1"), "日元")
    assert set(rows) >= {"CNY", "USD", "EUR", "HKD", "JPY"}
