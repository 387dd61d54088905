"""Property: on random data, the SQL of any domain, sort and grouping agrees with brute force in Python.

Hypothesis draws small data sets (partners linked to parents and countries, NULLs everywhere,
unicode text with ``%`` and ``_``) and random domains (and/or/not, every operator, dotted paths);
the ids the database returns must equal the ids ``evaluate`` accepts. A failure prints the
falsifying data and domain and a ``@reproduce_failure`` blob; ``--hypothesis-seed=N`` replays a run.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    create_engine,
    func,
    insert,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from loom.kernel.domain import compile_domain, compile_group, compile_order, evaluate
from loom.kernel.fields import FieldInfo
from loom.kernel.money import Money
from loom_test_support import TinySchema

UTC = dt.UTC
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
PROPERTY = settings(max_examples=150, deadline=None, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow])



class Base(DeclarativeBase):
    pass


class Country(Base):
    __tablename__ = "p_country"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str | None] = mapped_column(String(8))


class Partner(Base):
    __tablename__ = "p_partner"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool | None] = mapped_column(Boolean)
    credit: Mapped[Decimal | None] = mapped_column(Money(scale=2))
    visits: Mapped[int | None] = mapped_column(Integer)
    since: Mapped[dt.date | None] = mapped_column(Date)
    seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    country_id: Mapped[int | None] = mapped_column(ForeignKey("p_country.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("p_partner.id"))


def _info(name, kind, **extra):
    return FieldInfo(name=name, kind=kind, module="test", **extra)


FIELDS = {
    "country": {"id": _info("id", "integer"), "code": _info("code", "string")},
    "partner": {f.name: f for f in (
        _info("id", "integer"), _info("name", "string"),
        _info("kind", "selection", selection=("company", "person")), _info("active", "boolean"),
        _info("credit", "decimal", scale=2), _info("visits", "integer"), _info("since", "date"),
        _info("seen_at", "datetime"),
        _info("country_id", "many2one", target="country", relationship="country"),
        _info("parent_id", "many2one", target="partner", relationship="parent"))},
}
TARGETS = {"country_id": "country", "parent_id": "partner"}


SCHEMA = TinySchema(FIELDS, {"country": Country, "partner": Partner})

#: Every path the generator uses, with the kind of the field it ends on.
PATHS = {
    "name": "string", "kind": "selection", "active": "boolean", "credit": "decimal", "visits": "integer",
    "since": "date", "seen_at": "datetime", "country_id": "many2one", "parent_id": "many2one",
    "country_id.code": "string", "parent_id.name": "string", "parent_id.visits": "integer",
    "parent_id.seen_at": "datetime", "parent_id.country_id.code": "string",
    "parent_id.parent_id.since": "date", "parent_id.parent_id.credit": "decimal",
}
ORDERED = ["=", "!=", "<", "<=", ">", ">=", "in", "not_in", "is_null"]
OPERATORS = {  # like and ilike first: Hypothesis draws early choices more often
    "string": ["like", "ilike", *ORDERED], "integer": ORDERED, "decimal": ORDERED, "date": ORDERED,
    "datetime": ORDERED, "selection": ["=", "!=", "in", "not_in", "is_null"],
    "boolean": ["=", "!=", "in", "not_in", "is_null"], "many2one": ["=", "!=", "in", "not_in", "is_null"],
}

BASE_TIME = dt.datetime(2024, 1, 1, tzinfo=UTC)
texts = st.lists(st.sampled_from("aA%_éÉİı中 "), max_size=3).map("".join)
#: Hours either side of 16:00 UTC, where the day in UTC and in Shanghai (the PG session's zone) differ.
stored_times = st.sampled_from([0, 7, 15, 16, 20, 23, 24, 39, 40, 47]).map(
    lambda hours: BASE_TIME + dt.timedelta(hours=hours))
SCALARS = {
    "string": texts,
    "selection": st.sampled_from(["company", "person"]),
    "boolean": st.booleans(),
    "integer": st.integers(-3, 3),
    "decimal": st.integers(-300, 300).map(lambda cents: Decimal(cents).scaleb(-2)),
    "date": st.integers(0, 9).map(lambda days: dt.date(2024, 1, 1) + dt.timedelta(days=days)),
    "datetime": stored_times,
    "many2one": st.integers(1, 6),
}
#: Values as clients send them: also text, ints for decimals, naive or other-zone datetimes.
CLIENT_SCALARS = {
    **SCALARS,
    "decimal": SCALARS["decimal"] | st.integers(-3, 3) | SCALARS["decimal"].map(str),
    "date": SCALARS["date"] | SCALARS["date"].map(dt.date.isoformat),
    "datetime": stored_times.map(lambda t: t.astimezone(SHANGHAI)) | stored_times.map(dt.datetime.isoformat)
    | stored_times.map(lambda t: t.replace(tzinfo=None)) | stored_times,
}


def _value(kind, operator):
    if operator == "is_null":
        return st.booleans()
    if operator in ("in", "not_in"):
        return st.lists(CLIENT_SCALARS[kind], min_size=1, max_size=3)
    return CLIENT_SCALARS[kind]


def _condition(path):
    kind = PATHS[path]
    return st.sampled_from(OPERATORS[kind]).flatmap(
        lambda operator: _value(kind, operator).map(lambda value: [path, operator, value]))


conditions = st.sampled_from(sorted(PATHS)).flatmap(_condition)
domains = st.recursive(conditions, lambda children: st.one_of(
    st.lists(children, max_size=3),
    st.lists(children, max_size=3).map(lambda nodes: ["and", *nodes]),
    st.lists(children, min_size=1, max_size=3).map(lambda nodes: ["or", *nodes]),
    children.map(lambda node: ["not", node]),
), max_leaves=6)


@st.composite
def data_sets(draw):
    """Up to 3 countries and 6 partners; each partner's parent is an earlier partner or none."""
    countries = [{"id": i, "code": draw(st.none() | st.sampled_from(["CN", "DE", "cn", "%"]))}
                 for i in range(1, draw(st.integers(0, 3)) + 1)]
    partners = []
    for i in range(1, draw(st.sampled_from([1, 2, 3, 4, 5, 6, 0])) + 1):
        row = {field: draw(st.none() | SCALARS[kind]) for field, kind in PATHS.items()
               if "." not in field and kind != "many2one"}
        row["id"] = i
        row["country_id"] = draw(st.none() | st.sampled_from([c["id"] for c in countries] or [None]))
        row["parent_id"] = draw(st.none() | st.integers(1, i - 1)) if i > 1 else None
        partners.append(row)
    return {"country": {c["id"]: c for c in countries}, "partner": {p["id"]: p for p in partners}}


@pytest.fixture(scope="module")
def engine(database_factory):
    """One database for the module; each example fills it inside a transaction rolled back after."""
    url = database_factory()
    options = {"options": "-c timezone=Asia/Shanghai"} if url.startswith("postgresql") else {}
    engine = create_engine(url, connect_args=options)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def run(engine, data, statement):
    """Rows of ``statement`` over ``data``, which lives only in this transaction."""
    with engine.connect() as conn, conn.begin() as transaction:
        if data["country"]:
            conn.execute(insert(Country), list(data["country"].values()))
        for row in data["partner"].values():  # parents first
            conn.execute(insert(Partner), [row])
        rows = conn.execute(statement).all()
        transaction.rollback()
    return rows


def getter(data, partner_id):
    """The value at a path for one partner, following ids through ``data``; None past an empty link."""
    def get(path):
        row, (*links, last) = data["partner"][partner_id], path.split(".")
        for link in links:
            if row[link] is None:
                return None
            row = data[TARGETS[link]][row[link]]
        return row[last]
    return get


@PROPERTY
@given(data=data_sets(), domain=domains)
def test_sql_matches_brute_force(engine, data, domain):
    note(f"domain = {domain!r}")
    statement = select(Partner.id).where(compile_domain(domain, "partner", SCHEMA)).order_by(Partner.id)
    found = [row.id for row in run(engine, data, statement)]
    assert found == [pid for pid in sorted(data["partner"]) if evaluate(domain, getter(data, pid))]


LETTERS = "aÉİA%_éi"
NEEDLES = ["a", "é", "i", "A", "%", "_", "É", "İ", "", "a%", "_A", "éa"]  # Hypothesis favours the first
names = st.lists(st.text(alphabet=LETTERS, min_size=1, max_size=3) | st.none(), min_size=2, max_size=6)
text_conditions = st.tuples(st.sampled_from(["name", "parent_id.name"]),
                            st.sampled_from(["like", "ilike", "=", "<", "!="]),
                            st.sampled_from(NEEDLES)).map(list)


@PROPERTY
@given(names=names, domain=st.lists(text_conditions | text_conditions.map(lambda c: ["not", c]),
                                    min_size=1, max_size=2))
def test_text_matching_matches_brute_force(engine, names, domain):
    """Literal % and _, ASCII-only case folding and code-point comparisons, on every backend."""
    note(f"names = {names!r}, domain = {domain!r}")
    empty = dict.fromkeys(FIELDS["partner"])
    partners = {i: {**empty, "id": i, "name": name, "parent_id": i - 1 or None}
                for i, name in enumerate(names, 1)}
    data = {"country": {}, "partner": partners}
    statement = select(Partner.id).where(compile_domain(domain, "partner", SCHEMA)).order_by(Partner.id)
    found = [row.id for row in run(engine, data, statement)]
    assert found == [pid for pid in sorted(partners) if evaluate(domain, getter(data, pid))]


SORTABLE = [*PATHS, "id"]
order_terms = st.tuples(st.sampled_from(SORTABLE), st.sampled_from(["", " asc", " desc"]),
                        st.sampled_from(["", " nulls first", " nulls last"])).map("".join)


def python_order(data, terms):
    """Partner ids sorted by ``terms`` then id, NULL largest unless a term says otherwise."""
    order = sorted(data["partner"])
    for term in reversed(terms):
        path, *words = term.split()
        desc = "desc" in words
        nulls_first = "first" in words or (desc and "last" not in words)
        values = {pid: _comparable(getter(data, pid)(path)) for pid in order}
        present = sorted((pid for pid in order if values[pid] is not None), key=values.get, reverse=desc)
        missing = [pid for pid in order if values[pid] is None]
        order = missing + present if nulls_first else present + missing
    return order


def _comparable(value):
    return value.astimezone(UTC).replace(tzinfo=None) if isinstance(value, dt.datetime) else value


@PROPERTY
@given(data=data_sets(), terms=st.lists(order_terms, min_size=1, max_size=3))
def test_order_matches_python_sort(engine, data, terms):
    spec = ", ".join(terms)
    note(f"order = {spec!r}")
    statement = select(Partner.id).order_by(*compile_order(spec, "partner", SCHEMA))
    assert [row.id for row in run(engine, data, statement)] == python_order(data, terms)


GROUPABLE = [path for path in PATHS if PATHS[path] not in ("date", "datetime")]
GRANULAR = [f"{path}:{unit}" for path in PATHS if PATHS[path] in ("date", "datetime")
            for unit in ("year", "month", "day")]
FORMATS = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}


def python_key(data, pid, term):
    path, _, unit = term.partition(":")
    value = _comparable(getter(data, pid)(path))
    return value.strftime(FORMATS[unit]) if unit and value is not None else value


@PROPERTY
@given(data=data_sets(), terms=st.lists(st.sampled_from(GROUPABLE + GRANULAR), min_size=1, max_size=2))
def test_groups_match_python_counts(engine, data, terms):
    note(f"group = {terms!r}")
    groups = compile_group(terms, "partner", SCHEMA)
    statement = select(*groups, func.count()).select_from(Partner).group_by(*groups)
    found = {tuple(row[:-1]): row[-1] for row in run(engine, data, statement)}
    expected: dict[tuple, int] = {}
    for pid in data["partner"]:
        key = tuple(python_key(data, pid, term) for term in terms)
        expected[key] = expected.get(key, 0) + 1
    assert found == expected
