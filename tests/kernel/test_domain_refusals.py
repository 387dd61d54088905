"""What the domain language refuses, and how: unknown fields and operators, wrong values,
malformed domains, unreadable fields, and every B1 payload (never reaching SQL text)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import (
    select,
)
from sqlalchemy.orm import Session

from domain_fixtures import ALL, SCHEMA, Partner, check, engine, getter, readable, sql_ids, statements
from loom.kernel.domain import (
    MAX_CONDITIONS,
    MAX_DEPTH,
    MalformedDomainError,
    compile_domain,
    compile_group,
    compile_order,
    evaluate,
)
from loom.kernel.errors import FieldForbiddenError, InvalidFieldError, InvalidOperatorError, LoomError

# -- refusals ----------------------------------------------------------------------------------------


def refusal(domain, readable=None):
    with pytest.raises(LoomError) as caught:
        compile_domain(domain, "partner", SCHEMA, readable)
    return caught.value


@pytest.mark.parametrize(("path", "message_id"), [
    ("nope", "kernel.domain_invalid_field"),
    ("country_id.nope", "kernel.domain_invalid_field"),
    ("Name", "kernel.domain_invalid_field"),
    ("name.", "kernel.domain_invalid_field"),
    ("", "kernel.domain_invalid_field"),
    ("children.name", "kernel.domain_not_traversable"),
    ("children", "kernel.domain_not_traversable"),
    ("name.length", "kernel.domain_not_traversable"),
    ("computed_score", "kernel.domain_not_stored"),
    ("parent_id.parent_id.parent_id.parent_id.parent_id.name", "kernel.domain_path_too_long"),
])
def test_unknown_or_unusable_fields(path, message_id):
    error = refusal([[path, "=", 1]])
    assert (type(error), error.code, error.message_id, error.field) == (
        InvalidFieldError, "invalid_field", message_id, path)
    assert error.http_status == 400


@pytest.mark.parametrize(("condition", "allowed"), [
    (["name", "=~", "x"], True), (["name", "LIKE", "x"], True), (["name", 5, "x"], True),
    (["visits", "like", "1"], False), (["active", "<", True], False), (["kind", "ilike", "pers"], False),
    (["country_id", ">", 1], False)], ids=repr)
def test_operators_outside_the_language_or_the_field_kind(condition, allowed):
    error = refusal([condition])
    assert (type(error), error.code, error.field) == (InvalidOperatorError, "invalid_operator", condition[0])
    assert ("ilike" in error.params["allowed"]) is allowed


@pytest.mark.parametrize(("condition", "message_id"), [
    (["visits", "=", "3"], "kernel.domain_invalid_value"),
    (["visits", "=", True], "kernel.domain_invalid_value"),
    (["visits", "=", 1.0], "kernel.domain_invalid_value"),
    (["visits", ">", 2**63], "kernel.domain_invalid_value"),
    (["name", "=", 5], "kernel.domain_invalid_value"),
    (["name", "=", "a\x00b"], "kernel.domain_invalid_value"),
    (["name", "like", "\ud800"], "kernel.domain_invalid_value"),
    (["kind", "=", "robot"], "kernel.domain_invalid_value"),
    (["kind", "in", ["person", "robot"]], "kernel.domain_invalid_value"),
    (["active", "=", 1], "kernel.domain_invalid_value"),
    (["credit", "=", 1.5], "kernel.domain_invalid_value"),
    (["credit", ">", "abc"], "kernel.domain_invalid_value"),
    (["credit", ">", "NaN"], "kernel.domain_invalid_value"),
    (["credit", ">", "1.234"], "kernel.domain_invalid_value"),
    (["credit", ">", "1e30"], "kernel.domain_invalid_value"),
    (["since", "=", "2024-13-01"], "kernel.domain_invalid_value"),
    (["since", "=", dt.datetime(2024, 1, 1)], "kernel.domain_invalid_value"),
    (["seen_at", ">", "yesterday"], "kernel.domain_invalid_value"),
    (["country_id", "=", "1"], "kernel.domain_invalid_value"),
    (["country_id.code", "=", 1], "kernel.domain_invalid_value"),
    (["visits", "is_null", "yes"], "kernel.domain_invalid_value"),
    (["visits", "=", None], "kernel.domain_null_value"),
    (["visits", "!=", None], "kernel.domain_null_value"),
    (["visits", "in", []], "kernel.domain_list_value"),
    (["visits", "in", 3], "kernel.domain_list_value"),
    (["visits", "in", "3"], "kernel.domain_list_value"),
    (["visits", "not_in", [1, None]], "kernel.domain_list_value"),
    (["visits", "in", list(range(1001))], "kernel.domain_list_value"),
], ids=lambda v: repr(v)[:60])
def test_values_of_the_wrong_type(condition, message_id):
    error = refusal([condition])
    assert (error.code, error.message_id, error.field) == ("invalid_value", message_id, condition[0])


def test_a_thousand_values_are_accepted(engine):
    check(engine, [["visits", "in", list(range(1000))]], [1, 2, 4, 5])


def _nested(depth):
    domain = ["name", "=", "x"]
    for _ in range(depth - 1):
        domain = ["not", domain]
    return domain


@pytest.mark.parametrize(("domain", "message_id"), [
    ("name = x", "kernel.domain_malformed"),
    ({"name": "x"}, "kernel.domain_malformed"),
    ([["name", "="]], "kernel.domain_malformed"),
    ([["name", "=", "x", "y"]], "kernel.domain_malformed"),
    (["not", ["name", "=", "x"], ["name", "=", "y"]], "kernel.domain_malformed"),
    (["not"], "kernel.domain_malformed"),
    ([1], "kernel.domain_malformed"),
    ([["or", "name"]], "kernel.domain_malformed"),
    (_nested(MAX_DEPTH + 1), "kernel.domain_too_deep"),
    ([["id", ">", i] for i in range(MAX_CONDITIONS + 1)], "kernel.domain_too_large"),
], ids=lambda v: repr(v)[:40])
def test_malformed_domains(domain, message_id):
    error = refusal(domain)
    assert (type(error), error.code, error.message_id, error.http_status) == (
        MalformedDomainError, "invalid_value", message_id, 400)
    with pytest.raises(MalformedDomainError):
        evaluate(domain, getter(1))


def test_the_limits_themselves_are_accepted(engine):
    check(engine, _nested(MAX_DEPTH), [1, 2, 3, 4, 5])  # an odd number of nots around name = x
    check(engine, [["id", ">", -i] for i in range(MAX_CONDITIONS)], ALL)


def test_malformed_locations_are_named():
    error = refusal([["name", "=", "x"], ["or", ["visits", ">", 1], ["kind"]]])
    assert error.params["location"] == "domain[1][2]"


# -- permissions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("domain", [
    [["password_hash", "=", "x"]], [["password_hash", "is_null", True]],
    ["not", ["parent_id.password_hash", "like", "argon"]], [["country_id.secret", "=", "s1"]]], ids=repr)
def test_filtering_on_an_unreadable_field_is_forbidden(engine, domain):
    error = refusal(domain, readable)
    assert (type(error), error.code, error.http_status) == (FieldForbiddenError, "field_forbidden", 403)
    assert isinstance(sql_ids(engine, domain), list)  # fine for a user who may read it


@pytest.mark.parametrize("compile_spec", [compile_order, compile_group])
@pytest.mark.parametrize("spec", ["password_hash", "country_id.secret", "parent_id.password_hash"])
def test_sorting_or_grouping_on_an_unreadable_field_is_forbidden(compile_spec, spec):
    with pytest.raises(FieldForbiddenError) as caught:
        compile_spec(spec, "partner", SCHEMA, readable)
    assert caught.value.code == "field_forbidden"


def test_readable_is_asked_about_each_field_of_a_path():
    asked = []
    compile_domain([["parent_id.country_id.code", "=", "CN"]], "partner", SCHEMA,
                   lambda model, field: asked.append((model, field)) or True)
    assert asked == [("partner", "parent_id"), ("partner", "id"), ("partner", "country_id"), ("country", "id"),
                     ("country", "code")]  # ("model", "id"): may the user read the model a link reaches


@pytest.mark.parametrize("compile_spec", [compile_domain, compile_order, compile_group])
def test_a_path_through_a_model_the_user_may_not_read_is_refused(compile_spec):
    from loom.kernel.errors import AccessError

    spec = [["country_id.code", "=", "CN"]] if compile_spec is compile_domain else "country_id.code"
    with pytest.raises(AccessError) as caught:
        compile_spec(spec, "partner", SCHEMA, lambda model, field: model != "country")
    assert caught.value.code == "access_denied" and "country" in caught.value.message()


# -- B1: SQL in filters, sort and group-by -----------------------------------------------------------

B1 = [
    ("order", "name;DROP TABLE partner--", "invalid_field"),
    ("order", "id,(SELECT pg_sleep(5))", "invalid_field"),
    ("order", "(CASE WHEN (SELECT 1)=1 THEN name END)", "invalid_field"),
    ("group", "strcmp(secret,'x')", "invalid_field"),
    ("field", "id) OR 1=1--", "invalid_field"),
    ("order", "id) OR 1=1--", "invalid_field"),
    ("group", "id) OR 1=1--", "invalid_field"),
    ("field", "__class__", "invalid_field"),
    ("order", "__class__", "invalid_field"),
    ("field", "password_hash", "field_forbidden"),
    ("order", "password_hash", "field_forbidden"),
    ("group", "password_hash", "field_forbidden"),
    ("operator", "= ANY(ARRAY[1]) OR 1=1 --", "invalid_operator"),
]


def _attack(engine, where, payload):
    """Build and run the query the payload is aimed at, as a list endpoint would."""
    stmt = select(Partner.id)
    if where == "field":
        stmt = stmt.where(compile_domain([[payload, "=", 1]], "partner", SCHEMA, readable))
    elif where == "operator":
        stmt = stmt.where(compile_domain([["id", payload, 1]], "partner", SCHEMA, readable))
    elif where == "order":
        stmt = stmt.order_by(*compile_order(payload, "partner", SCHEMA, readable))
    else:
        stmt = stmt.group_by(*compile_group(payload, "partner", SCHEMA, readable))
    with Session(engine) as session:
        session.execute(stmt)


@pytest.mark.parametrize(("where", "payload", "code"), B1, ids=lambda v: repr(v)[:40])
def test_b1_payloads_are_refused_and_never_reach_the_database(engine, statements, where, payload, code):
    started = time.monotonic()
    with pytest.raises(LoomError) as caught:
        _attack(engine, where, payload)
    assert caught.value.code == code
    assert caught.value.http_status == (403 if code == "field_forbidden" else 400)
    assert time.monotonic() - started < 1
    sql_ids(engine, [["name", "=", "Li Wei"]])  # the listener does see statements
    assert statements and not [s for s, _ in statements if payload in s]


def test_b1_quote_in_a_value_matches_nothing_and_is_bound(engine, statements):
    payload = "x' OR '1'='1"
    check(engine, [["name", "=", payload]], [])
    check(engine, [["name", "like", payload]], [])
    assert statements and not [s for s, _ in statements if payload in s]
    assert any(payload in repr(parameters) for _, parameters in statements)


def test_b1_password_hash_on_a_model_without_it_is_an_invalid_field():
    with pytest.raises(InvalidFieldError):
        compile_domain([["password_hash", "=", "x"]], "country", SCHEMA, readable)


def test_errors_echo_at_most_80_characters_of_the_payload():
    error = refusal([["x" * 500, "=", 1]])
    assert len(error.field) == 80 and len(error.params["path"]) == 80
