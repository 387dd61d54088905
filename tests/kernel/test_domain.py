"""The domain language on a tiny schema: operators, paths, NULLs, sorting, grouping and B1's payloads.

Each filter test states the partners it expects and checks both the SQL (on the run's backend) and
the pure-Python ``evaluate`` against that list. The schema is built here with plain SQLAlchemy
classes and a small adapter implementing the compiler's ``Schema`` protocol.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

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
from loom.kernel.fields import FieldInfo
from loom.kernel.money import Money
from loom_test_support import TinySchema

UTC = dt.UTC



class Base(DeclarativeBase):
    pass


class Country(Base):
    __tablename__ = "t_country"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(2))
    name: Mapped[str | None] = mapped_column(String(64))
    secret: Mapped[str | None] = mapped_column(String(64))


class Partner(Base):
    __tablename__ = "t_partner"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool | None] = mapped_column(Boolean)
    credit: Mapped[Decimal | None] = mapped_column(Money(scale=2))
    visits: Mapped[int | None] = mapped_column(Integer)
    since: Mapped[dt.date | None] = mapped_column(Date)
    seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    tags: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    password_hash: Mapped[str | None] = mapped_column(String(128))
    country_id: Mapped[int | None] = mapped_column(ForeignKey("t_country.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("t_partner.id"))
    country = relationship(Country)
    parent = relationship("Partner", remote_side=[id], back_populates="children")
    children = relationship("Partner", back_populates="parent")


def _info(name, kind, **extra):
    return FieldInfo(name=name, kind=kind, module="test", **extra)


FIELDS = {
    "country": {f.name: f for f in (
        _info("id", "integer"), _info("code", "string", size=2), _info("name", "string"),
        _info("secret", "string"))},
    "partner": {f.name: f for f in (
        _info("id", "integer"), _info("name", "string"), _info("note", "text"),
        _info("kind", "selection", selection=("company", "person")), _info("active", "boolean"),
        _info("credit", "decimal", scale=2), _info("visits", "integer"), _info("since", "date"),
        _info("seen_at", "datetime"), _info("tags", "json"), _info("password_hash", "string"),
        _info("country_id", "many2one", target="country", relationship="country"),
        _info("parent_id", "many2one", target="partner", relationship="parent"),
        _info("children", "one2many", target="partner", stored=False),
        _info("computed_score", "integer", stored=False))},
}


SCHEMA = TinySchema(FIELDS, {"country": Country, "partner": Partner})
FORBIDDEN = {"password_hash", "secret"}


def readable(model, field):
    return field not in FORBIDDEN


COUNTRIES = {
    1: {"id": 1, "code": "CN", "name": "China", "secret": "s1"},
    2: {"id": 2, "code": "DE", "name": "Germany", "secret": "s2"},
    3: {"id": 3, "code": "FR", "name": None, "secret": None},
}


def _partner(id, name, note, kind, active, credit, visits, since, seen_at, country_id, parent_id):
    return {"id": id, "name": name, "note": note, "kind": kind, "active": active,
            "credit": None if credit is None else Decimal(credit), "visits": visits, "since": since,
            "seen_at": seen_at, "tags": None if id % 2 else ["vip"], "password_hash": "argon2$x",
            "country_id": country_id, "parent_id": parent_id}


PARTNERS = {row["id"]: row for row in (
    _partner(1, "Acme Shanghai", "Key account, 10% off", "company", True, "1500.00", 10,
             dt.date(2023, 1, 15), dt.datetime(2024, 3, 5, 10, 0, tzinfo=UTC), 1, None),
    _partner(2, "Li Wei", "likes_tea", "person", True, "0.00", 3,
             dt.date(2024, 2, 1), dt.datetime(2024, 3, 6, 23, 30, tzinfo=UTC), 1, 1),
    _partner(3, "Müller GmbH", None, "company", False, "250.50", None, None, None, 2, None),
    _partner(4, "anna müller", "ACME contact, ÜBER alles", "person", None, None, 0,
             dt.date(2024, 2, 29), dt.datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC), None, 3),
    _partner(5, "Zhang San", "100%", "person", True, "99.99", 7,
             dt.date(2023, 12, 31), None, 1, 2),
)}
ALL = sorted(PARTNERS)
TABLES = {"partner": PARTNERS, "country": COUNTRIES}
TARGETS = {"country_id": "country", "parent_id": "partner"}


@pytest.fixture(scope="module")
def engine(database_factory):
    """One database for the module, filled once; PostgreSQL sessions run in Asia/Shanghai time."""
    url = database_factory()
    options = {"options": "-c timezone=Asia/Shanghai"} if url.startswith("postgresql") else {}
    engine = create_engine(url, connect_args=options)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(Country), list(COUNTRIES.values()))
        for row in PARTNERS.values():  # one at a time: parents first
            conn.execute(insert(Partner), [row])
    yield engine
    engine.dispose()


@pytest.fixture
def statements(engine):
    """Every SQL statement the engine executes during the test."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def getter(partner_id):
    """The oracle's record getter: follows many-to-one ids through the rows above."""
    def get(path):
        row, (*links, last) = PARTNERS[partner_id], path.split(".")
        for link in links:
            if row[link] is None:
                return None
            row = TABLES[TARGETS[link]][row[link]]
        return row[last]
    return get


def sql_ids(engine, domain, readable=None):
    where = compile_domain(domain, "partner", SCHEMA, readable)
    with Session(engine) as session:
        return list(session.scalars(select(Partner.id).where(where).order_by(Partner.id)))


def oracle_ids(domain):
    return [pid for pid in ALL if evaluate(domain, getter(pid))]


def check(engine, domain, expected):
    assert sql_ids(engine, domain) == expected, f"SQL for {domain}"
    assert oracle_ids(domain) == expected, f"evaluate for {domain}"


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


# -- sorting and grouping ----------------------------------------------------------------------------


def sorted_ids(engine, spec, readable=None):
    with Session(engine) as session:
        return list(session.scalars(
            select(Partner.id).order_by(*compile_order(spec, "partner", SCHEMA, readable))))


@pytest.mark.parametrize(("spec", "expected"), [
    ("visits", [4, 2, 5, 1, 3]),
    ("visits desc, name", [3, 1, 5, 2, 4]),
    ("visits asc nulls first", [3, 4, 2, 5, 1]),
    ("visits DESC NULLS LAST", [1, 5, 2, 4, 3]),
    (["country_id.code desc nulls last", "name"], [3, 1, 2, 5, 4]),
    ("parent_id.parent_id.name, id desc", [5, 4, 3, 2, 1]),
    ("active, credit desc", [3, 1, 5, 2, 4]),
    ("kind desc", [2, 4, 5, 1, 3]),
    ("", [1, 2, 3, 4, 5]),
])
def test_order_specs(engine, spec, expected):
    assert sorted_ids(engine, spec) == expected


def test_id_breaks_ties_unless_the_spec_names_it():
    assert len(compile_order("kind", "partner", SCHEMA)) == 2
    assert len(compile_order("kind, id desc", "partner", SCHEMA)) == 2
    assert len(compile_order(["id"], "partner", SCHEMA)) == 1


@pytest.mark.parametrize("spec", ["name sideways", "name desc nulls", "name nulls middle", "name asc desc",
                                  "name,", "name desc id"])
def test_bad_order_terms_are_invalid_fields(spec):
    with pytest.raises(InvalidFieldError) as caught:
        compile_order(spec, "partner", SCHEMA)
    assert caught.value.code == "invalid_field"


@pytest.mark.parametrize(("spec", "message_id"), [
    (5, "kernel.domain_malformed_spec"), (["name", 3], "kernel.domain_malformed_spec"),
    ({"name": "asc"}, "kernel.domain_malformed_spec"), (", ".join(["name"] * 21), "kernel.domain_too_many_terms")])
@pytest.mark.parametrize("compile_spec", [compile_order, compile_group])
def test_malformed_specs(compile_spec, spec, message_id):
    with pytest.raises(MalformedDomainError) as caught:
        compile_spec(spec, "partner", SCHEMA)
    assert (caught.value.message_id, caught.value.code, caught.value.http_status) == (
        message_id, "invalid_value", 400)


def grouped(engine, spec):
    groups = compile_group(spec, "partner", SCHEMA, readable)
    with Session(engine) as session:
        rows = session.execute(select(*groups, func.count()).select_from(Partner).group_by(*groups))
        return {tuple(row[:-1]): row[-1] for row in rows}


@pytest.mark.parametrize(("spec", "expected"), [
    ("kind", {("company",): 2, ("person",): 3}),
    (["country_id.code"], {("CN",): 3, ("DE",): 1, (None,): 1}),
    ("parent_id.country_id", {(1,): 2, (2,): 1, (None,): 2}),
    ("since:year", {("2023",): 2, ("2024",): 2, (None,): 1}),
    ("since:month, kind", {("2023-01", "company"): 1, ("2024-02", "person"): 2, ("2023-12", "person"): 1,
                           (None, "company"): 1}),
    ("seen_at:day", {("2024-03-05",): 1, ("2024-03-06",): 1, ("2024-12-31",): 1, (None,): 2}),
    ("seen_at:year", {("2024",): 3, (None,): 2}),
    ("parent_id.since:month", {("2023-01",): 1, ("2024-02",): 1, (None,): 3}),
])
def test_group_specs(engine, spec, expected):
    assert grouped(engine, spec) == expected


def test_group_labels_are_the_paths():
    labels = [g.name for g in compile_group("country_id.code, since:month, kind", "partner", SCHEMA)]
    assert labels == ["country_id__code", "since__month", "kind"]


@pytest.mark.parametrize("spec", ["name:month", "since:week", "since:", "tags", "children", "computed_score"])
def test_bad_group_terms_are_invalid_fields(spec):
    with pytest.raises(InvalidFieldError):
        compile_group(spec, "partner", SCHEMA)


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
    assert asked == [("partner", "parent_id"), ("partner", "country_id"), ("country", "code")]


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
