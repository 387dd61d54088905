"""Products: units for buying and selling, barcodes, tax codes, references, substitutes."""

from decimal import Decimal as D

import pytest

from loom.kernel.errors import ValidationError
from loom.kernel.external_ids import ref
from loom.modules.base.testing import create_company, create_product
from loom.modules.base.uom import convert_quantity


def test_a_product_bought_by_the_box_of_12_and_sold_by_the_unit(base_env):
    """Scenario: chairs come by the box of 12; three boxes arrive; 5 chairs are sold, 31 remain."""
    box = base_env["base.uom"].create({"name": "Box of 12 chairs", "category_id":
                                       ref(base_env, "base.uom_category_unit").id, "uom_type": "bigger",
                                       "factor": "12", "rounding": "1"})
    chair = create_product(base_env, "Visitor chair", type="storable", purchase_uom_id=box.id)
    received = convert_quantity(D("3"), chair.buying_uom(), chair.uom)
    assert received == D("36")
    assert received - D("5") == D("31")
    assert convert_quantity(D("31"), chair.uom, chair.buying_uom()) == D("3")   # 2.58 boxes, whole boxes


def test_the_purchase_unit_must_measure_what_the_unit_measures(base_env):
    with pytest.raises(ValidationError) as caught:
        create_product(base_env, "Cable", uom="base.uom_m", purchase_uom_id=ref(base_env, "base.uom_kg").id)
    assert caught.value.field == "purchase_uom_id"
    assert caught.value.params == {"uom": "m", "purchase_uom": "kg"}


def test_without_a_purchase_unit_it_is_bought_in_its_unit(base_env):
    desk = ref(base_env, "base.product_office_desk")
    assert desk.buying_uom() is desk.uom


@pytest.mark.parametrize("barcode", ["6900000000052", "ABC-123", "12345678"])
def test_barcodes_of_any_shape_are_accepted(base_env, barcode):
    assert create_product(base_env, "Widget", barcode=barcode).barcode == barcode


def test_a_13_digit_barcode_needs_its_ean_13_check_digit(base_env):
    with pytest.raises(ValidationError) as caught:
        create_product(base_env, "Widget", barcode="6900000000053")
    assert (caught.value.field, caught.value.params["expected"]) == ("barcode", "2")


def test_a_barcode_and_a_reference_are_unique_where_the_product_is_visible(base_env):
    with pytest.raises(ValidationError) as caught:
        create_product(base_env, "Another chair", barcode="6900000000014")
    assert caught.value.field == "barcode" and "Office chair" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        create_product(base_env, "Another chair", default_code="FUR-001")
    assert caught.value.field == "default_code"
    first, second = (create_company(base_env, n, c) for n, c in (("One", "C1"), ("Two", "C2")))
    create_product(base_env, "Own part", default_code="P-1", company_id=first.id)
    create_product(base_env, "Own part", default_code="P-1", company_id=second.id)


@pytest.mark.parametrize("code", ["123", "10502019900000000001", "105020199000000000X"])
def test_the_tax_classification_code_has_19_digits(base_env, code):
    with pytest.raises(ValidationError) as caught:
        create_product(base_env, "Widget", tax_code=code)
    assert caught.value.field == "tax_code"


def test_substitutes_offer_another_product(base_env):
    chip, alternative = ref(base_env, "base.product_mcu_chip"), ref(base_env, "base.product_mcu_chip_alt")
    assert [p.id for p in chip.substitute_ids] == [alternative.id]
    assert alternative.substitute_ids == []
    with pytest.raises(ValidationError) as caught:
        base_env["base.product"].write([chip], {"substitute_ids": [alternative.id, chip.id]})
    assert caught.value.field == "substitute_ids"


def test_each_company_picks_its_own_taxes_on_a_shared_product(base_env):
    main = ref(base_env, "kernel.main_company")
    branch = create_company(base_env, "Branch", "BR")
    chair = ref(base_env, "base.product_office_chair")
    branch_vat = base_env["base.tax"].search([["company_id", "=", branch.id], ["name", "=", "VAT 13% (sales)"]])
    base_env["base.product"].write([chair], {"sale_tax_ids": [t.id for t in chair.sale_tax_ids] + [branch_vat[0].id]})
    assert [t.company_id for t in chair.taxes_for(main.id, "sale")] == [main.id]
    assert chair.taxes_for(branch.id, "sale") == branch_vat
    assert chair.taxes_for(branch.id, "purchase") == []


def test_prices_are_decimals_never_floats(base_env):
    with pytest.raises(ValidationError) as caught:
        create_product(base_env, "Widget", list_price=9.99)
    assert caught.value.field == "list_price"
    assert create_product(base_env, "Widget", list_price="9.999999").list_price == D("9.999999")


def test_categories_form_a_tree_without_loops(base_env):
    furniture = ref(base_env, "base.category_furniture")
    assert furniture.display_name() == "All / Office furniture"
    assert furniture.label("zh_CN") == "办公家具"
    with pytest.raises(ValidationError) as caught:
        base_env["base.product.category"].write([ref(base_env, "base.product_category_all")],
                                                {"parent_id": furniture.id})
    assert caught.value.field == "parent_id"


def test_products_are_named_in_both_languages(base_env):
    chair = ref(base_env, "base.product_office_chair")
    assert (chair.label("en"), chair.label("zh_CN")) == ("Office chair", "办公椅")
