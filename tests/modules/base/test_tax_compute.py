"""Tax computation, pure: prices excluding and including tax, half-up rounding, line or document."""

from decimal import Decimal as D

import pytest

from loom.kernel.errors import ValidationError
from loom.modules.base.tax_compute import DocumentLine, TaxSpec, compute_document, compute_taxes

VAT13 = TaxSpec("VAT 13%", D("13"))
VAT13_INCLUDED = TaxSpec("VAT 13% included", D("13"), price_include=True)
VAT6 = TaxSpec("VAT 6%", D("6"))
VAT0 = TaxSpec("VAT 0%", D("0"))
LEVY3 = TaxSpec("Levy 3%", D("3"))
LEVY3_INCLUDED = TaxSpec("Levy 3% included", D("3"), price_include=True)


def totals(result):
    return result.untaxed, result.tax, result.total


def test_price_excluding_tax_100_at_13_percent():
    assert totals(compute_taxes([VAT13], D("100"), D("1"), 2)) == (D("100.00"), D("13.00"), D("113.00"))


def test_price_including_tax_113_at_13_percent_splits_into_100_and_13():
    result = compute_taxes([VAT13_INCLUDED], D("113"), D("1"), 2)
    assert totals(result) == (D("100.00"), D("13.00"), D("113.00"))
    assert result.per_tax[0].base == D("100.00")


def test_an_included_tax_takes_what_the_rounded_untaxed_amount_leaves():
    """10.00 including 13 %: 金额 = round(10 / 1.13) = 8.85, 税额 = 10.00 − 8.85 = 1.15."""
    assert totals(compute_taxes([VAT13_INCLUDED], D("10"), D("1"), 2)) == (D("8.85"), D("1.15"), D("10.00"))


@pytest.mark.parametrize(("price", "tax", "expected"), [
    (D("2.50"), VAT13, D("0.33")),    # 0.325: half-even would give 0.32
    (D("0.75"), VAT6, D("0.05")),     # 0.045
    (D("-2.50"), VAT13, D("-0.33")),  # a refund rounds the same way, away from zero
])
def test_tax_rounds_half_up(price, tax, expected):
    assert compute_taxes([tax], price, D("1"), 2).tax == expected


def test_three_chairs_at_99_99_with_13_percent_vat():
    result = compute_taxes([VAT13], D("99.99"), D("3"), 2)
    assert totals(result) == (D("299.97"), D("39.00"), D("338.97"))


def test_per_line_and_per_document_rounding_differ_by_a_cent_on_three_lines():
    lines = [DocumentLine([VAT13], D("2.50"), D("1"))] * 3
    per_line = compute_document(lines, "line", 2)
    per_document = compute_document(lines, "document", 2)
    assert totals(per_line) == (D("7.50"), D("0.99"), D("8.49"))        # 3 × round(0.325)
    assert totals(per_document) == (D("7.50"), D("0.98"), D("8.48"))    # round(3 × 0.325)


def test_per_document_rounding_keeps_the_gross_of_prices_including_tax():
    lines = [DocumentLine([VAT13_INCLUDED], D("10"), D("1"))] * 3
    assert totals(compute_document(lines, "document", 2)) == (D("26.55"), D("3.45"), D("30.00"))


def test_small_scale_levy_at_3_percent():
    assert totals(compute_taxes([LEVY3], D("1000"), D("1"), 2)) == (D("1000.00"), D("30.00"), D("1030.00"))
    assert totals(compute_taxes([LEVY3_INCLUDED], D("103"), D("1"), 2)) == (D("100.00"), D("3.00"), D("103.00"))


def test_zero_rate_still_shows_its_line():
    result = compute_taxes([VAT0], D("50"), D("2"), 2)
    assert totals(result) == (D("100.00"), D("0.00"), D("100.00"))
    assert [(t.tax, t.amount) for t in result.per_tax] == [(VAT0, D("0.00"))]


def test_a_document_groups_each_tax_over_its_lines():
    lines = [DocumentLine([VAT13], D("100"), D("1")), DocumentLine([VAT6], D("200"), D("1")),
             DocumentLine([VAT13], D("50"), D("2"))]
    result = compute_document(lines, "line", 2)
    assert [(t.tax.name, t.base, t.amount) for t in result.per_tax] == [
        ("VAT 13%", D("200.00"), D("26.00")), ("VAT 6%", D("200.00"), D("12.00"))]
    assert totals(result) == (D("400.00"), D("38.00"), D("438.00"))


def test_yen_have_no_decimals():
    assert totals(compute_taxes([VAT13], D("999"), D("1"), 0)) == (D("999"), D("130"), D("1129"))


def test_document_mode_line_values_are_unrounded():
    result = compute_taxes([VAT13], D("2.50"), D("1"), 2, rounding="document")
    assert result.tax == D("0.325")


def test_floats_are_refused():
    with pytest.raises(ValidationError) as caught:
        compute_taxes([VAT13], 99.99, D("1"), 2)
    assert caught.value.field == "price_unit"


def test_an_unknown_rounding_is_refused():
    with pytest.raises(ValidationError) as caught:
        compute_document([], "cash", 2)
    assert caught.value.field == "rounding"
