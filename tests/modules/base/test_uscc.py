"""Unified social credit codes: the GB 32100-2015 check character, format and length."""

import pytest

from loom.kernel.errors import ValidationError
from loom.modules.base.uscc import compact, is_valid_uscc, make_uscc, validate_uscc

PUBLISHED = [  # codes printed on public registers, each with its own check character
    "91110000600037341L",
    "91420684MA4927PJ7B",
    "9144030071526726XG",
    "121200004013590816",
    "913205056082348768",
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    assert validate_uscc(code) == code


def test_separators_case_and_full_width_are_ignored():
    assert validate_uscc(" 9142 0684-ma49 27pj7b ") == "91420684MA4927PJ7B"
    assert compact("９１１１００００６０００３７３４１Ｌ") == "91110000600037341L"


@pytest.mark.parametrize("wrong", ["91110000600037341M", "91110000600037341A", "91420684MA4927PJ7C"])
def test_a_wrong_check_character_is_refused_and_the_expected_one_named(wrong):
    with pytest.raises(ValidationError) as caught:
        validate_uscc(wrong)
    assert caught.value.message_id == "base.uscc_check_digit"
    assert caught.value.field == "tax_id"
    assert caught.value.params["expected"] in "LB"


@pytest.mark.parametrize(("code", "message_id"), [
    ("9111000060003734", "base.uscc_length"),
    ("91110000600037341L0", "base.uscc_length"),
    ("91110000600037341I", "base.uscc_format"),   # I is not in the alphabet
    ("911100O0600037341L", "base.uscc_format"),   # a letter in the division code
])
def test_length_and_format_are_checked_before_the_check_character(code, message_id):
    with pytest.raises(ValidationError) as caught:
        validate_uscc(code, field="company_tax_id")
    assert caught.value.message_id == message_id
    assert caught.value.field == "company_tax_id"


def test_a_letter_registering_authority_is_accepted():
    """stdnum insists on 8 leading digits; GB 32100 allows N (agriculture) and Y (other)."""
    code = make_uscc("N2330100MA2H00001")
    assert is_valid_uscc(code)
    assert not is_valid_uscc(code[:-1] + ("0" if code[-1] != "0" else "1"))


def test_the_message_is_translated():
    with pytest.raises(ValidationError) as caught:
        validate_uscc("91110000600037341M")
    assert "expected L" in caught.value.message("en")
    assert "应为 L" in caught.value.message("zh_CN")
