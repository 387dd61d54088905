"""A tiny schema for the domain-language tests: two plain SQLAlchemy classes, their field
metadata, seven partners, an engine holding them, and helpers comparing SQL with ``evaluate``."""

from __future__ import annotations

import datetime as dt
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
    insert,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from loom.kernel.domain import (
    compile_domain,
    evaluate,
)
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
