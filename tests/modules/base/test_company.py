"""Company details: unified social credit code, taxpayer type, currency set when base arrives."""

import pytest

from loom.kernel.errors import ValidationError
from loom.kernel.external_ids import ref


def test_the_main_company_keeps_its_books_in_yuan(base_env):
    company = ref(base_env, "kernel.main_company")
    assert company.currency.code == "CNY"
    assert company.taxpayer_type == "general"


def test_company_details_with_a_credit_code_typed_loosely(base_env):
    company = ref(base_env, "kernel.main_company")
    base_env["loom.company"].write([company], {
        "name": "上海明辉电子有限公司", "tax_id": "9131 0115 ma1h xkm0 12", "taxpayer_type": "small_scale",
        "street": "浦东新区张江路 88 号", "city": "上海", "bank_name": "招商银行", "bank_account": "121909123456789"})
    assert company.tax_id == "91310115MA1HXKM012"


def test_a_wrong_credit_code_is_refused_naming_tax_id(base_env):
    with pytest.raises(ValidationError) as caught:
        base_env["loom.company"].write([ref(base_env, "kernel.main_company")], {"tax_id": "91310115MA1HXKM013"})
    assert (caught.value.field, caught.value.message_id) == ("tax_id", "base.uscc_check_digit")


def test_the_taxpayer_type_is_general_or_small_scale(base_env):
    with pytest.raises(ValidationError) as caught:
        base_env["loom.company"].write([ref(base_env, "kernel.main_company")], {"taxpayer_type": "exempt"})
    assert caught.value.field == "taxpayer_type"
