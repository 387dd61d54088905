"""Units of measure: conversion within a category, rounding, refusals."""

from dataclasses import dataclass
from decimal import Decimal as D

import pytest

from loom.kernel.errors import ValidationError
from loom.kernel.external_ids import ref
from loom.modules.base.rounding import EXACT
from loom.modules.base.uom import convert_quantity, round_quantity


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    category_id: int
    factor: D
    rounding: D


UNIT = Unit(1, "Unit", 1, D("1"), D("0.01"))
DOZEN = Unit(2, "Dozen", 1, D("12"), D("0.01"))
KG = Unit(3, "kg", 2, D("1"), D("0.001"))
JIN = Unit(4, "Jin", 2, D("0.5"), D("0.01"))
G = Unit(5, "g", 2, D("0.001"), D("0.01"))


def test_dozens_to_units_and_back():
    assert convert_quantity(D("2"), DOZEN, UNIT) == D("24")
    assert convert_quantity(D("30"), UNIT, DOZEN) == D("2.50")
    assert convert_quantity(D("5"), UNIT, DOZEN) == D("0.42")          # 0.41666... rounded half up
    assert convert_quantity(D("5"), UNIT, DOZEN, round=False) == EXACT.divide(D("5"), D("12"))


def test_jin_to_kilograms_rounds_half_up_to_the_gram():
    assert convert_quantity(D("3"), JIN, KG) == D("1.5")
    assert convert_quantity(D("0.333"), JIN, KG) == D("0.167")         # 0.1665
    assert convert_quantity(D("1"), KG, JIN) == D("2")
    assert convert_quantity(D("1234"), G, JIN) == D("2.47")            # 2.468


def test_a_quantity_in_its_own_unit_is_left_alone():
    assert convert_quantity(D("2.345"), UNIT, UNIT) == D("2.345")


def test_converting_across_categories_is_refused_naming_both_units():
    with pytest.raises(ValidationError) as caught:
        convert_quantity(D("1"), KG, DOZEN)
    assert caught.value.message_id == "base.uom_category_mismatch"
    assert caught.value.params == {"from_uom": "kg", "to_uom": "Dozen"}
    assert "kg" in str(caught.value) and "Dozen" in str(caught.value)


def test_rounding_to_a_step_that_is_not_a_power_of_ten():
    half = Unit(6, "Half", 1, D("1"), D("0.5"))
    assert round_quantity(D("2.26"), half) == D("2.5")
    assert round_quantity(D("2.24"), half) == D("2.0")


def test_floats_are_refused():
    with pytest.raises(ValidationError):
        convert_quantity(1.5, DOZEN, UNIT)


# -- with the shipped units ------------------------------------------------------------------------


def test_shipped_units_convert(base_env):
    ton, kg, day, hour = (ref(base_env, f"base.uom_{x}") for x in ("t", "kg", "day", "hour"))
    assert convert_quantity(D("1.25"), ton, kg) == D("1250")
    assert convert_quantity(D("20"), hour, day) == D("2.5")


def test_a_category_has_one_reference_unit(base_env):
    with pytest.raises(ValidationError) as caught:
        base_env["base.uom"].create({"name": "Piece", "category_id": ref(base_env, "base.uom_category_unit").id,
                                     "uom_type": "reference", "factor": D("1")})
    assert caught.value.message_id == "base.uom_reference_exists"
    assert caught.value.field == "uom_type"


@pytest.mark.parametrize(("values", "field"), [
    ({"uom_type": "bigger", "factor": D("0.5")}, "factor"),
    ({"uom_type": "smaller", "factor": D("2")}, "factor"),
    ({"uom_type": "bigger", "factor": D("0")}, "factor"),
    ({"uom_type": "bigger", "factor": D("6"), "rounding": D("0")}, "rounding"),
])
def test_a_unit_factor_agrees_with_its_type(base_env, values, field):
    with pytest.raises(ValidationError) as caught:
        base_env["base.uom"].create({"name": "Pack", "category_id": ref(base_env, "base.uom_category_unit").id,
                                     **values})
    assert caught.value.field == field


def test_units_are_named_in_both_languages(base_env):
    jin = ref(base_env, "base.uom_jin")
    assert (jin.label("en"), jin.label("zh_CN")) == ("Jin (500 g)", "斤")
