"""Partners: one master for customers and suppliers, tax ids unique where a partner is visible."""

import pytest
from sqlalchemy.exc import IntegrityError

from loom.kernel.environment import Environment
from loom.kernel.errors import AccessError, ValidationError
from loom.kernel.external_ids import ref
from loom.kernel.users import create_user
from loom.modules.base.testing import create_company
from loom.modules.base.uscc import make_uscc

MINGHUI_USCC = "91310115MA1HXKM012"


def test_a_buyer_enters_the_same_supplier_twice_with_the_tax_id_in_spaces_and_lowercase(base_env):
    """Scenario: the supplier exists; a buyer types it again, tax id as "9131 0115 ma1h xkm0 12"."""
    partners = base_env["base.partner"]
    with pytest.raises(ValidationError) as caught:
        partners.create({"name": "明辉电子", "is_company": True, "is_supplier": True,
                         "tax_id": "9131 0115 ma1h xkm0 12"})
    assert caught.value.field == "tax_id"
    assert caught.value.message_id == "base.partner_tax_id_duplicate"
    assert "上海明辉电子有限公司" in str(caught.value)


def test_a_chinese_company_needs_a_valid_unified_social_credit_code(base_env):
    with pytest.raises(ValidationError) as caught:
        base_env["base.partner"].create({"name": "错误税号有限公司", "is_company": True,
                                         "tax_id": MINGHUI_USCC[:-1] + "3"})
    assert (caught.value.field, caught.value.message_id) == ("tax_id", "base.uscc_check_digit")


def test_foreign_tax_ids_are_kept_as_typed(base_env):
    partner = base_env["base.partner"].create({"name": "Globex GmbH", "is_company": True, "country_code": "DE",
                                               "tax_id": "DE 123 456 789"})
    assert (partner.tax_id, partner.tax_id_norm) == ("DE 123 456 789", "DE123456789")


def test_a_company_may_keep_its_own_record_of_a_partner_other_companies_keep_too(base_env):
    """Uniqueness scope: shared partners together, and each company's own partners with them."""
    beijing, shanghai = (create_company(base_env, n, c) for n, c in (("Beijing", "BJ"), ("Shanghai", "SH")))
    partners = base_env["base.partner"]
    code = make_uscc("91110105MA01XYW00")
    partners.create({"name": "Private A", "is_company": True, "tax_id": code, "company_id": beijing.id})
    partners.create({"name": "Private B", "is_company": True, "tax_id": code, "company_id": shanghai.id})
    with pytest.raises(ValidationError):  # twice in Beijing
        partners.create({"name": "Private A2", "is_company": True, "tax_id": code, "company_id": beijing.id})
    with pytest.raises(ValidationError):  # shared, it would show next to both companies' records
        partners.create({"name": "Shared", "is_company": True, "tax_id": code})
    with pytest.raises(ValidationError):  # a company's record of a shared partner
        partners.create({"name": "Minghui (Beijing's)", "is_company": True, "tax_id": MINGHUI_USCC,
                         "company_id": beijing.id})


def test_the_database_refuses_a_duplicate_that_skips_validation(base_env):
    cls = base_env.registry["base.partner"]
    base_env.session.add(cls(name="Bypass", tax_id_norm=MINGHUI_USCC))
    with pytest.raises(IntegrityError):
        base_env.session.flush()


def test_editing_a_partner_keeps_its_own_tax_id(base_env):
    minghui = ref(base_env, "base.partner_minghui")
    base_env["base.partner"].write([minghui], {"tax_id": "9131 0115 MA1H XKM0 12", "phone": "021-5888 9999"})
    assert (minghui.tax_id_norm, minghui.phone_norm) == (MINGHUI_USCC, "2158889999")


def test_contacts_and_addresses_hang_under_their_company(base_env):
    huaxin = ref(base_env, "base.partner_huaxin")
    li = ref(base_env, "base.partner_huaxin_li")
    warehouse = ref(base_env, "base.partner_huaxin_warehouse")
    assert {c.id for c in huaxin.child_ids} == {li.id, warehouse.id}
    assert li.commercial_partner() is huaxin
    assert li.address("delivery") is warehouse
    assert li.address("invoice") is huaxin


def test_a_partner_cannot_be_its_own_parent(base_env):
    huaxin, li = ref(base_env, "base.partner_huaxin"), ref(base_env, "base.partner_huaxin_li")
    with pytest.raises(ValidationError) as caught:
        base_env["base.partner"].write([huaxin], {"parent_id": li.id})
    assert caught.value.field == "parent_id"


@pytest.mark.parametrize(("values", "field"), [
    ({"name": "  "}, "name"),
    ({"name": "X", "email": "not an address"}, "email"),
    ({"name": "X", "country_code": "cn"}, "country_code"),
    ({"name": "X", "tag_ids": [[]]}, "tag_ids"),
    ({"name": "X", "tag_ids": ["1"]}, "tag_ids"),
])
def test_partner_values_are_checked(base_env, values, field):
    with pytest.raises(ValidationError) as caught:
        base_env["base.partner"].create(values)
    assert caught.value.field == field


def test_a_partner_is_both_customer_and_supplier_with_tags(base_env):
    tag = ref(base_env, "base.tag_key_account")
    partner = base_env["base.partner"].create({"name": "Both Ways Ltd", "is_customer": True, "is_supplier": True,
                                               "tag_ids": [tag.id]})
    assert [t.name for t in partner.tag_ids] == [tag.name]
    assert base_env["base.partner"].search([["is_supplier", "=", True], ["is_customer", "=", True]]) == [partner]


def test_a_base_user_manages_partners_but_not_taxes(base_env):
    user = create_user(base_env, "clerk", "Clerk", "correct horse", roles=["base.user"])
    clerk = Environment(base_env.registry, base_env.session, uid=user.id)
    partner = clerk["base.partner"].create({"name": "新客户有限公司", "is_customer": True})
    clerk["base.partner"].write([partner], {"phone": "021-1234 5678"})
    assert clerk["base.tax"].search([["type_tax_use", "=", "sale"]])
    with pytest.raises(AccessError):
        clerk["base.tax"].create({"name": "Mine", "rate": "1"})
    with pytest.raises(AccessError):
        clerk["base.partner"].delete([partner])
