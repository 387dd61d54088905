"""Taxes of a company: shipped rates, the rounding setting, and an invoice line computed."""

from decimal import Decimal as D

import pytest

from loom.kernel.errors import ValidationError
from loom.kernel.external_ids import ref
from loom.kernel.settings import set_setting
from loom.modules.base.tax import tax_rounding
from loom.modules.base.tax_compute import DocumentLine, compute_document, compute_taxes
from loom.modules.base.testing import create_company


def test_an_invoice_line_of_3_chairs_at_99_99_with_13_percent_vat(base_env):
    chair = ref(base_env, "base.product_office_chair")
    company = ref(base_env, "kernel.main_company")
    taxes = chair.taxes_for(company.id, "sale")
    result = compute_taxes(taxes, D("99.99"), D("3"), company.currency.decimal_places)
    assert (result.untaxed, result.tax, result.total) == (D("299.97"), D("39.00"), D("338.97"))
    assert [(t.tax.name, t.amount) for t in result.per_tax] == [("VAT 13% (sales)", D("39.00"))]


def test_the_main_company_ships_vat_and_levy_rates_for_sales_and_purchases(base_env):
    company = ref(base_env, "kernel.main_company")
    taxes = base_env["base.tax"].search([["company_id", "=", company.id]])
    rates: dict[tuple[str, str], list[int]] = {}
    for tax in taxes:
        rates.setdefault((tax.tax_kind, tax.type_tax_use), []).append(int(tax.rate))
    assert rates == {("vat", "sale"): [13, 9, 6, 0], ("vat", "purchase"): [13, 9, 6, 0],
                     ("levy", "sale"): [1, 3, 5], ("levy", "purchase"): [1, 3, 5]}
    assert ref(base_env, "base.tax_levy3_sale").label("zh_CN") == "征收率 3%（销项）"


def test_tax_rounding_is_per_line_until_the_company_chooses_per_document(base_env):
    vat = ref(base_env, "base.tax_vat13_sale")
    lines = [DocumentLine([vat], D("2.50"), D("1"))] * 3
    assert tax_rounding(base_env) == "line"
    assert compute_document(lines, tax_rounding(base_env), 2).tax == D("0.99")
    set_setting(base_env, "base.tax_rounding", "document")
    assert compute_document(lines, tax_rounding(base_env), 2).tax == D("0.98")
    with pytest.raises(ValidationError):
        set_setting(base_env, "base.tax_rounding", "never")


def test_a_tax_rate_is_a_percentage(base_env):
    with pytest.raises(ValidationError) as caught:
        base_env["base.tax"].create({"name": "Too much", "rate": "113"})
    assert caught.value.field == "rate"


def test_a_new_company_gets_a_copy_of_the_taxes(base_env):
    branch = create_company(base_env, "Shenzhen branch", "SZ", taxpayer_type="small_scale")
    theirs = base_env["base.tax"].search([["company_id", "=", branch.id]])
    assert len(theirs) == 14
    assert {t.company_id for t in theirs} == {branch.id}
