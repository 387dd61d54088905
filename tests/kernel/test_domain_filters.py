"""The domain language's filters: operators, values of every kind, and/or/not, dotted paths, NULL
semantics and the Python evaluator, each checked in SQL on the run's backend and against ``evaluate``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import (
    select,
)

from domain_fixtures import (
    ALL,
    SCHEMA,
    UTC,
    Partner,
    check,
    engine,
    oracle_ids,
    sql_ids,
)
from loom.kernel.domain import (
    compile_domain,
    evaluate,
)
from loom.kernel.errors import InvalidOperatorError, LoomError

# -- operators ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("domain", "expected"), [
    ([["name", "=", "Li Wei"]], [2]),
    ([["visits", "!=", 3]], [1, 3, 4, 5]),
    ([["visits", "<", 7]], [2, 4]),
    ([["visits", "<=", 7]], [2, 4, 5]),
    ([["visits", ">", 7]], [1]),
    ([["visits", ">=", 7]], [1, 5]),
    ([["kind", "in", ["person"]]], [2, 4, 5]),
    ([["kind", "not_in", ["person"]]], [1, 3]),
    ([["visits", "is_null", True]], [3]),
    ([["visits", "is_null", False]], [1, 2, 4, 5]),
    ([["name", "like", "Acme"]], [1]),
    ([["name", "like", "acme"]], []),
    ([["name", "ilike", "ACME"]], [1]),
    ([["note", "ilike", "acme"]], [4]),
    ([["name", "ilike", "müller"]], [3, 4]),
    ([["name", "<", "Li Wei"]], [1]),
], ids=repr)
def test_each_operator(engine, domain, expected):
    check(engine, domain, expected)


@pytest.mark.parametrize(("domain", "expected"), [
    ([["active", "=", True]], [1, 2, 5]),
    ([["active", "!=", True]], [3, 4]),
    ([["active", "=", False]], [3]),
    ([["credit", ">", "100"]], [1, 3]),
    ([["credit", "=", Decimal("99.99")]], [5]),
    ([["credit", "<=", 0]], [2]),
    ([["credit", "in", ["0", "250.5"]]], [2, 3]),
    ([["since", "<", "2024-01-01"]], [1, 5]),
    ([["since", ">=", dt.date(2024, 2, 29)]], [4]),
    ([["seen_at", ">=", "2024-03-06T00:00:00Z"]], [2, 4]),
    ([["seen_at", "<", "2024-03-06T08:00:00+08:00"]], [1]),
    ([["seen_at", "=", dt.datetime(2024, 3, 5, 10, 0)]], [1]),
    ([["country_id", "=", 1]], [1, 2, 5]),
    ([["country_id", "!=", 1]], [3, 4]),
    ([["country_id", "in", [2, 3]]], [3]),
    ([["country_id", "is_null", True]], [4]),
], ids=repr)
def test_values_of_every_kind(engine, domain, expected):
    check(engine, domain, expected)


def test_json_fields_only_test_for_null(engine):
    assert sql_ids(engine, [["tags", "is_null", False]]) == [2, 4]
    with pytest.raises(InvalidOperatorError):
        compile_domain([["tags", "=", "vip"]], "partner", SCHEMA)


@pytest.mark.parametrize(("text", "expected"), [
    ("10%", [1]), ("%", [1, 5]), ("_", [2]), ("0%", [1, 5]), ("", [1, 2, 4, 5])])
def test_like_matches_percent_and_underscore_literally(engine, text, expected):
    check(engine, [["note", "like", text]], expected)
    check(engine, [["note", "ilike", text]], expected)


def test_ilike_folds_ascii_letters_only(engine):
    check(engine, [["name", "ilike", "MÜLLER"]], [])  # Ü is not folded, on either backend
    check(engine, [["name", "ilike", "mÜLLER"]], [])
    check(engine, [["name", "ilike", "ANNA MüLLER"]], [4])
    check(engine, [["note", "ilike", "über"]], [])  # PostgreSQL's lower() would fold the stored Ü
    check(engine, [["note", "ilike", "Über ALLES"]], [4])


# -- combinators and paths ---------------------------------------------------------------------------


@pytest.mark.parametrize(("domain", "expected"), [
    ([], ALL),
    (["and"], ALL),
    (["or"], []),
    ([["kind", "=", "person"], ["visits", ">", 0]], [2, 5]),
    (["and", ["kind", "=", "person"], ["visits", ">", 0]], [2, 5]),
    (["or", ["name", "=", "Li Wei"], ["visits", ">", 7]], [1, 2]),
    (["not", ["visits", ">", 5]], [2, 3, 4]),
    (["not", ["or", ["kind", "=", "company"], ["active", "=", True]]], [4]),
    (["not", ["and", ["kind", "=", "company"], ["active", "=", True]]], [2, 3, 4, 5]),
    (["not", ["not", ["visits", "<", 5]]], [2, 4]),
    ([["or", ["visits", "is_null", True], ["visits", "=", 0]], ["not", ["name", "like", "GmbH"]]], [4]),
    (["name", "=", "Li Wei"], [2]),
], ids=repr)
def test_and_or_not(engine, domain, expected):
    check(engine, domain, expected)


@pytest.mark.parametrize(("domain", "expected"), [
    ([["country_id.code", "=", "CN"]], [1, 2, 5]),
    ([["country_id.code", "!=", "CN"]], [3, 4]),
    ([["country_id.name", "is_null", True]], [4]),
    ([["country_id.name", "is_null", False]], [1, 2, 3, 5]),
    ([["country_id.code", "in", ["DE", "FR"]]], [3]),
    ([["country_id.code", "not_in", ["DE", "FR"]]], [1, 2, 4, 5]),
    ([["parent_id.name", "=", "Acme Shanghai"]], [2]),
    ([["parent_id.visits", ">", 5]], [2]),
    (["not", ["parent_id.visits", ">", 5]], [1, 3, 4, 5]),
    ([["parent_id.country_id.code", "=", "CN"]], [2, 5]),
    ([["parent_id.country_id.code", "!=", "CN"]], [1, 3, 4]),
    ([["parent_id.parent_id.name", "ilike", "acme"]], [5]),
    ([["parent_id.parent_id.id", "=", 1]], [5]),
    (["or", ["country_id.code", "=", "DE"], ["parent_id.country_id.code", "=", "DE"]], [3, 4]),
], ids=repr)
def test_dotted_paths(engine, domain, expected):
    check(engine, domain, expected)


def test_a_path_is_one_exists_per_condition_with_its_joins():
    clause = compile_domain([["parent_id.country_id.code", "=", "CN"]], "partner", SCHEMA)
    sql = str(select(Partner.id).where(clause))
    assert sql.count("EXISTS") == 1 and sql.count("JOIN") == 1 and " OR " not in sql


# -- NULL semantics ----------------------------------------------------------------------------------


@pytest.mark.parametrize("condition", [
    ["visits", "=", 3], ["visits", "<", 7], ["visits", "in", [0, 10]], ["name", "like", "a"],
    ["active", "=", True], ["country_id.code", "=", "CN"], ["parent_id.visits", ">=", 3],
    ["parent_id.country_id.name", "ilike", "CHINA"], ["since", "is_null", True]], ids=repr)
def test_not_is_the_exact_complement_even_with_nulls(engine, condition):
    matched, unmatched = sql_ids(engine, [condition]), sql_ids(engine, ["not", condition])
    assert sorted(matched + unmatched) == ALL
    assert unmatched == oracle_ids(["not", condition])


def test_not_equal_and_not_in_include_null_while_comparisons_do_not(engine):
    check(engine, [["kind", "!=", "company"], ["visits", "!=", 7]], [2, 4])
    check(engine, [["active", "not_in", [True]]], [3, 4])
    check(engine, ["or", ["visits", "<", 5], ["visits", ">=", 5]], [1, 2, 4, 5])  # 3 has no visits



# -- the Python evaluator ----------------------------------------------------------------------------


def test_evaluate_reads_text_values_as_the_record_values_type():
    record = {"credit": Decimal("10.50"), "since": dt.date(2024, 2, 1),
              "seen_at": dt.datetime(2024, 3, 6, 8, 0)}  # naive, as SQLite returns it: UTC
    get = record.get
    assert evaluate([["credit", "=", "10.5"], ["since", ">", "2024-01-31"]], get)
    assert evaluate([["seen_at", "=", "2024-03-06T16:00:00+08:00"]], get)
    assert evaluate([["seen_at", "in", [dt.datetime(2024, 3, 6, 8, 0, tzinfo=UTC)]]], get)
    assert not evaluate([["seen_at", "<", "2024-03-06T08:00:00Z"]], get)
    with pytest.raises(LoomError) as caught:
        evaluate([["since", ">", "soon"]], get)
    assert (caught.value.code, caught.value.field) == ("invalid_value", "since")


def test_evaluate_checks_operators_like_the_compiler():
    with pytest.raises(InvalidOperatorError):
        evaluate([["name", "= ANY(ARRAY[1]) OR 1=1 --", 1]], {"name": "x"}.get)
    matches = [evaluate(["not", ["name", "!=", "y"]], {"name": name}.get) for name in ("y", None, "z")]
    assert matches == [True, False, False]  # != matches NULL, so its negation does not
