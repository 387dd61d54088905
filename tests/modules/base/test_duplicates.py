"""Duplicate partners: normalized keys and the candidates found for a partner being entered."""

import pytest

from loom.kernel.external_ids import ref
from loom.modules.base.duplicates import (
    find_duplicates,
    normalize_email,
    normalize_name,
    normalize_phone,
    normalize_tax_id,
)


@pytest.mark.parametrize(("name", "key"), [
    ("上海明辉电子有限公司", "上海明辉电子"),
    ("上海明辉电子股份有限公司", "上海明辉电子"),
    ("上海明辉电子有限责任公司", "上海明辉电子"),
    ("Shanghai Minghui Electronics Co., Ltd.", "shanghaiminghuielectronics"),
    ("SHANGHAI MINGHUI ELECTRONICS CO.,LTD", "shanghaiminghuielectronics"),
    ("shanghai  minghui electronics", "shanghaiminghuielectronics"),
    ("Ｓｈａｎｇｈａｉ　Ｍｉｎｇｈｕｉ　Ｅｌｅｃｔｒｏｎｉｃｓ", "shanghaiminghuielectronics"),
    ("Acme Inc.", "acme"),
    ("Costco", "costco"),       # "co" is a suffix only as a separate word
    ("有限公司", "有限公司"),     # nothing but a suffix: kept, not emptied
    ("  ", None),
])
def test_names_compare_without_case_width_spaces_or_company_suffixes(name, key):
    assert normalize_name(name) == key


@pytest.mark.parametrize("phone", ["+86 138-0013-8000", "0086 13800138000", "8613800138000", "138 0013 8000",
                                   "１３８００１３８０００"])
def test_mobile_numbers_compare_as_digits_without_the_country_code(phone):
    assert normalize_phone(phone) == "13800138000"


@pytest.mark.parametrize("phone", ["021-58888888", "+86 21 5888 8888", "(021) 5888 8888", "0086-21-58888888"])
def test_landlines_compare_without_the_trunk_zero(phone):
    assert normalize_phone(phone) == "2158888888"


def test_email_and_tax_id_keys():
    assert normalize_email("  Wang.Fang@Example.COM ") == "wang.fang@example.com"
    assert normalize_tax_id(" 9131 0115-ma1hxkm012 ") == "91310115MA1HXKM012"
    assert normalize_email("") is None and normalize_tax_id(None) is None and normalize_phone("-") is None


# -- candidates among the demo partners ----------------------------------------------------------


def reasons_by_partner(env, values):
    return {d.partner.id: d.reasons for d in find_duplicates(env, values)}


def test_the_same_company_typed_in_english_style_is_found_by_name(base_env):
    minghui = ref(base_env, "base.partner_minghui")
    found = reasons_by_partner(base_env, {"name": "上海明辉电子 有限责任公司"})
    assert found == {minghui.id: ("name",)}


def test_a_contact_is_found_by_mobile_and_email(base_env):
    wang = ref(base_env, "base.partner_minghui_wang")
    found = reasons_by_partner(base_env, {"name": "Fang Wang", "mobile": "13800138000",
                                          "email": "WANG.FANG@minghui-elec.example"})
    assert found == {wang.id: ("email", "phone")}


def test_a_phone_matches_either_stored_number(base_env):
    minghui = ref(base_env, "base.partner_minghui")
    assert reasons_by_partner(base_env, {"mobile": "+86 21 5888 1234"}) == {minghui.id: ("phone",)}


def test_the_best_candidates_come_first_and_archived_ones_count(base_env):
    minghui = ref(base_env, "base.partner_minghui")
    xiaoyun = ref(base_env, "base.partner_xiaoyun")
    base_env["base.partner"].archive([xiaoyun])
    found = find_duplicates(base_env, {"name": "杭州小云商贸有限公司", "tax_id": "91310115ma1hxkm012",
                                       "phone": "021 58881234"})
    assert [(d.partner.id, d.reasons) for d in found] == [(minghui.id, ("tax_id", "phone")),
                                                          (xiaoyun.id, ("name",))]


def test_nothing_to_compare_finds_nothing(base_env):
    assert find_duplicates(base_env, {"comment": "no keys"}) == []
    minghui = ref(base_env, "base.partner_minghui")
    assert find_duplicates(base_env, {"name": minghui.name}, exclude_id=minghui.id) == []
