"""Money and quantities stay exact on the run's backend, and bad amounts never reach the database.

KERNEL-NOTES "Money on SQLite": a plain Numeric column on SQLite goes through float, so 0.1 + 0.2,
18-digit amounts and sums of cents drift. These stories hold the Money/Quantity types to exactness
and to the same refusals on SQLite and PostgreSQL.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, func, inspect, select, text
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from loom.kernel.db import create_engine
from loom.kernel.errors import ValidationError
from loom.kernel.money import Money, Quantity, check_decimal
from loom_test_support import tables_on_new_database

metadata = MetaData()
ledger = Table(
    "ledger", metadata,
    Column("id", Integer, primary_key=True),
    Column("amount", Money()),
    Column("qty", Quantity()),
    Column("price", Money(scale=2, precision=10)),
    Column("lines", Integer),
)

LARGEST_AMOUNT = Decimal("99999999999999.9999")  # 18 digits, scale 4: 14 before the point


@pytest.fixture(scope="module")
def module_engine(database_factory):
    yield from tables_on_new_database(database_factory, metadata)


@pytest.fixture
def engine(module_engine):
    """The module's database with an empty ledger (one database per module keeps the PG run quick)."""
    with module_engine.begin() as conn:
        conn.execute(ledger.delete())
    return module_engine


def insert(engine, *rows):
    with engine.begin() as conn:
        conn.execute(ledger.insert(), [{"amount": None, "qty": None, "price": None, "lines": None, **row}
                                       for row in rows])


def scalar(engine, stmt):
    with engine.connect() as conn:
        return conn.execute(stmt).scalar_one()


def row_count(engine):
    return scalar(engine, select(func.count()).select_from(ledger))


# --- exact values ---------------------------------------------------------------------------------

def test_a_tenth_plus_two_tenths_is_exactly_three_tenths(engine):
    insert(engine, {"amount": Decimal("0.1")}, {"amount": Decimal("0.2")})

    total = scalar(engine, select(func.sum(ledger.c.amount)))
    assert total == Decimal("0.3") and str(total) == "0.3000"
    assert 0.1 + 0.2 != 0.3  # what a float column would have stored

    with engine.begin() as conn:
        conn.execute(ledger.update().where(ledger.c.amount == Decimal("0.1"))
                     .values(amount=ledger.c.amount + Decimal("0.2")))
    assert scalar(engine, select(func.max(ledger.c.amount))) == Decimal("0.3")


@pytest.mark.parametrize("column, value", [
    ("amount", "12345678901234.5678"),
    ("amount", "-12345678901234.5678"),
    ("amount", "99999999999999.9999"),
    ("amount", "0.0001"),
    ("qty", "999999999999.999999"),
    ("qty", "0.000001"),
    ("price", "99999999.99"),
])
def test_values_at_the_limit_of_precision_come_back_digit_for_digit(engine, column, value):
    insert(engine, {column: Decimal(value)})

    stored = scalar(engine, select(ledger.c[column]))
    assert isinstance(stored, Decimal)
    assert stored == Decimal(value) and str(stored) == value


def test_a_thousand_cents_sum_to_exactly_ten(engine):
    insert(engine, *({"amount": "0.01"} for _ in range(1000)))

    total = scalar(engine, select(func.sum(ledger.c.amount)))
    assert total == Decimal("10.00") and str(total) == "10.0000"
    assert sum([0.01] * 1000) != 10  # float drifts


def test_min_max_and_comparisons_in_sql_tell_apart_amounts_a_float_cannot(engine):
    low, high = Decimal("12345678901234.5678"), Decimal("12345678901234.5679")
    assert float(low) == float(high)  # a float column could not tell these apart
    insert(engine, {"amount": low}, {"amount": high})

    assert scalar(engine, select(func.min(ledger.c.amount))) == low
    assert scalar(engine, select(func.max(ledger.c.amount))) == high
    assert scalar(engine, select(ledger.c.amount).where(ledger.c.amount > low)) == high
    assert scalar(engine, select(func.count()).where(ledger.c.amount >= low)) == 2
    assert scalar(engine, select(ledger.c.amount).where(ledger.c.amount == high)) == high


def test_literals_and_parameters_bind_through_the_column_type(engine):
    insert(engine, {"amount": "1.5"}, {"amount": "3"}, {"amount": "4.25"})

    assert scalar(engine, select(func.count()).where(ledger.c.amount >= Decimal("3"))) == 2
    assert scalar(engine, select(func.count()).where(ledger.c.amount >= 3)) == 2
    assert scalar(engine, select(func.count()).where(ledger.c.amount.between("1.5", "3"))) == 2
    on_hand_after = select(ledger.c.amount - bindparam("q")).where(ledger.c.amount == "4.25")
    with engine.connect() as conn:
        assert conn.execute(on_hand_after, {"q": "0.0001"}).scalar_one() == Decimal("4.2499")


def test_sums_differences_and_integer_multiples_are_exact_in_sql(engine):
    insert(engine, {"amount": "1.5", "lines": 3}, {"amount": "2.25", "lines": 1})

    with engine.connect() as conn:
        doubled, tripled, per_lines, net = conn.execute(
            select(func.sum(ledger.c.amount * 2), func.sum(3 * ledger.c.amount),
                   func.sum(ledger.c.amount * ledger.c.lines), func.sum(ledger.c.amount - Decimal("0.25")))
        ).one()
    assert (doubled, tripled, per_lines, net) == (
        Decimal("7.5"), Decimal("11.25"), Decimal("6.75"), Decimal("3.25"))


@pytest.mark.parametrize("build", [
    lambda: ledger.c.amount * Decimal("1.5"),
    lambda: ledger.c.amount * ledger.c.amount,
    lambda: Decimal("1.5") * ledger.c.amount,
    lambda: ledger.c.amount / 2,
    lambda: ledger.c.amount // 2,
    lambda: ledger.c.amount % 3,
    lambda: ledger.c.amount + ledger.c.qty,
    lambda: ledger.c.amount - ledger.c.price,
], ids=["times-decimal", "times-money", "decimal-times", "divide", "floor-divide", "modulo",
        "plus-other-scale", "minus-other-scale"])
def test_arithmetic_that_sqlite_would_get_wrong_is_refused_when_the_statement_is_built(build):
    with pytest.raises(ArgumentError, match="not exact"):
        build()


# --- refusals -------------------------------------------------------------------------------------

class FloatLike(float):
    """Stands for numpy.float64 and friends, which subclass float."""


REFUSED = [
    (0.1, "kernel.decimal_float"),
    (float("nan"), "kernel.decimal_float"),
    (float("inf"), "kernel.decimal_float"),
    (float("-inf"), "kernel.decimal_float"),
    (FloatLike(1.0), "kernel.decimal_float"),
    (Decimal("NaN"), "kernel.decimal_invalid"),
    (Decimal("sNaN"), "kernel.decimal_invalid"),
    (Decimal("Infinity"), "kernel.decimal_invalid"),
    (Decimal("-Infinity"), "kernel.decimal_invalid"),
    ("NaN", "kernel.decimal_invalid"),
    ("Infinity", "kernel.decimal_invalid"),
    ("inf", "kernel.decimal_invalid"),
    (True, "kernel.decimal_invalid"),
    (False, "kernel.decimal_invalid"),
    ("１２３", "kernel.decimal_invalid"),
    ("١٢٣", "kernel.decimal_invalid"),
    ("", "kernel.decimal_invalid"),
    ("   ", "kernel.decimal_invalid"),
    ("12abc", "kernel.decimal_invalid"),
    ("1,000.00", "kernel.decimal_invalid"),
    ("1_000", "kernel.decimal_invalid"),
    ("0x1F", "kernel.decimal_invalid"),
    ("1.2.3", "kernel.decimal_invalid"),
    ("--1", "kernel.decimal_invalid"),
    ("1 000", "kernel.decimal_invalid"),
    ("1e99999999999999999999", "kernel.decimal_invalid"),
    ([1], "kernel.decimal_invalid"),
    (b"1", "kernel.decimal_invalid"),
    (Decimal("1.00001"), "kernel.decimal_scale"),
    ("1.00001", "kernel.decimal_scale"),
    ("0." + "0" * 39 + "1", "kernel.decimal_scale"),
    ("1e-5", "kernel.decimal_scale"),
    (Decimal("100000000000000"), "kernel.decimal_range"),
    ("-100000000000000", "kernel.decimal_range"),
    ("1e309", "kernel.decimal_range"),
    (10**14, "kernel.decimal_range"),
    (10**30, "kernel.decimal_range"),
]


@pytest.mark.parametrize("value, message_id", REFUSED, ids=[repr(v)[:30] for v, _ in REFUSED])
def test_bad_amounts_are_refused_before_the_database_and_nothing_is_written(engine, value, message_id):
    with pytest.raises(ValidationError) as refused:
        insert(engine, {"amount": value})

    assert refused.value.message_id == message_id
    assert "kernel." not in str(refused.value)  # the catalogue has a text for it
    assert row_count(engine) == 0


@pytest.mark.parametrize("value, message_id", REFUSED, ids=[repr(v)[:30] for v, _ in REFUSED])
def test_check_decimal_names_the_field_it_refuses(value, message_id):
    with pytest.raises(ValidationError) as refused:
        check_decimal(value, scale=4, precision=18, field="amount_total")

    assert (refused.value.message_id, refused.value.field) == (message_id, "amount_total")
    assert refused.value.as_dict()["field"] == "amount_total"


def test_a_refused_comparison_value_is_refused_too(engine):
    with pytest.raises(ValidationError) as refused:
        scalar(engine, select(func.count()).where(ledger.c.amount > 0.5))
    assert refused.value.message_id == "kernel.decimal_float"


@pytest.mark.parametrize("value, stored", [
    ("  12.50 ", "12.5000"),
    (7, "7.0000"),
    (Decimal("1.10000"), "1.1000"),
    ("-0", "0.0000"),
    (Decimal("-0.0000"), "0.0000"),
    ("+5", "5.0000"),
    ("1E+2", "100.0000"),
    (".5", "0.5000"),
    ("5.", "5.0000"),
    ("-99999999999999.9999", "-99999999999999.9999"),
])
def test_decimals_ints_and_plain_strings_are_accepted(engine, value, stored):
    assert str(check_decimal(value, scale=4, precision=18)) == stored
    insert(engine, {"amount": value})
    assert str(scalar(engine, select(ledger.c.amount))) == stored


# --- the same limits on both backends -------------------------------------------------------------

@pytest.mark.parametrize("column, largest, too_large", [
    ("amount", "99999999999999.9999", "100000000000000.0000"),
    ("amount", "-99999999999999.9999", "-100000000000000.0000"),
    ("qty", "999999999999.999999", "1000000000000.000000"),
    ("price", "99999999.99", "100000000.00"),
])
def test_the_largest_value_is_accepted_and_one_unit_more_is_refused(engine, column, largest, too_large):
    insert(engine, {column: largest})
    assert scalar(engine, select(ledger.c[column])) == Decimal(largest)

    with pytest.raises(ValidationError) as refused:
        insert(engine, {column: too_large})
    assert refused.value.message_id == "kernel.decimal_range"
    assert row_count(engine) == 1


@pytest.mark.parametrize("column, finest, too_fine", [
    ("amount", "0.0001", "0.00009"), ("qty", "0.000001", "0.0000009"), ("price", "0.01", "0.009"),
])
def test_the_finest_step_is_accepted_and_a_finer_one_is_refused(engine, column, finest, too_fine):
    insert(engine, {column: finest})
    assert scalar(engine, select(ledger.c[column])) == Decimal(finest)

    with pytest.raises(ValidationError) as refused:
        insert(engine, {column: too_fine})
    assert refused.value.message_id == "kernel.decimal_scale"


def test_the_limit_is_where_postgresql_itself_would_overflow(engine, backend):
    if backend == "sqlite":
        # the scaled integer of any column's largest value fits SQLite's 64-bit INTEGER...
        assert int("9" * 18) < 2**63 - 1
        # ...and a SUM past 9.22e18 units fails loudly rather than drifting into a REAL
        insert(engine, *({"amount": LARGEST_AMOUNT} for _ in range(10)))
        with pytest.raises(DBAPIError, match="overflow"):
            scalar(engine, select(func.sum(ledger.c.amount)))
        return
    with engine.connect() as conn:
        numeric = text("SELECT CAST(:v AS NUMERIC(18, 4))")
        assert conn.execute(numeric, {"v": str(LARGEST_AMOUNT)}).scalar() == LARGEST_AMOUNT
        with pytest.raises(DBAPIError, match="overflow"):
            conn.execute(numeric, {"v": "100000000000000"})


def test_storage_is_a_scaled_integer_on_sqlite_and_numeric_on_postgresql(engine, backend):
    insert(engine, {"amount": "1.5"})
    columns = {c["name"]: c["type"] for c in inspect(engine).get_columns("ledger")}
    with engine.connect() as conn:
        if backend == "sqlite":
            assert conn.execute(text("SELECT typeof(amount), amount FROM ledger")).one() == ("integer", 15000)
            assert str(columns["amount"]) == "BIGINT"
        else:
            assert conn.execute(text("SELECT amount::text FROM ledger")).scalar_one() == "1.5000"
            assert (columns["amount"].precision, columns["amount"].scale) == (18, 4)
            assert (columns["qty"].precision, columns["qty"].scale) == (18, 6)


# --- models ---------------------------------------------------------------------------------------

class Base(DeclarativeBase):
    pass


class Invoice(Base):
    __tablename__ = "invoice"
    id: Mapped[int] = mapped_column(primary_key=True)
    total: Mapped[Decimal] = mapped_column(Money())


def test_a_mapped_model_keeps_its_total_exact_and_refuses_a_float_on_flush(database_url):
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Invoice(total=Decimal("12345678901234.5678")))
        session.commit()
        assert session.scalars(select(Invoice.total)).one() == Decimal("12345678901234.5678")

        session.add(Invoice(total=19.99))
        with pytest.raises(ValidationError):  # unwrapped: not a StatementError
            session.flush()
        session.rollback()
        assert session.scalar(select(func.count()).select_from(Invoice)) == 1
    engine.dispose()


def test_the_types_describe_themselves():
    assert (Money().scale, Money().precision, Quantity().scale, Quantity().precision) == (4, 18, 6, 18)
    assert Money().loom_kind == Quantity().loom_kind == "decimal"
    assert repr(Money(scale=2)) == "Money(precision=18, scale=2)"  # what alembic renders
    for scale, precision in [(4, 19), (5, 4), (-1, 18)]:
        with pytest.raises(ValueError):
            Money(scale=scale, precision=precision)


# --- properties -----------------------------------------------------------------------------------

def amounts(scale, precision):
    limit = Decimal(10) ** (precision - scale) - Decimal(1).scaleb(-scale)
    return st.decimals(min_value=-limit, max_value=limit, places=scale, allow_nan=False, allow_infinity=False)


def test_any_decimal_within_the_limits_round_trips_exactly(engine):
    @settings(max_examples=150, deadline=None, database=None)
    @given(amount=amounts(4, 18), qty=amounts(6, 18), price=amounts(2, 10))
    def round_trip(amount, qty, price):
        with engine.begin() as conn:
            row_id = conn.execute(ledger.insert().values(amount=amount, qty=qty, price=price)
                                  .returning(ledger.c.id)).scalar_one()
            stored = conn.execute(select(ledger.c.amount, ledger.c.qty, ledger.c.price)
                                  .where(ledger.c.id == row_id)).one()
        assert tuple(stored) == (amount, qty, price)
        assert [v.as_tuple().exponent for v in stored] == [-4, -6, -2]

    round_trip()


def fits_scale_4_precision_18(value):
    with localcontext(prec=200):
        return abs(value) < 10**14 and value == value.quantize(Decimal("1e-4"), rounding=ROUND_DOWN)


@settings(max_examples=300, database=None)
@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_any_finite_decimal_is_accepted_exactly_when_it_fits(value):
    try:
        checked = check_decimal(value, scale=4, precision=18)
    except ValidationError as refused:
        assert not fits_scale_4_precision_18(value)
        assert refused.message_id in ("kernel.decimal_scale", "kernel.decimal_range")
    else:
        assert fits_scale_4_precision_18(value) and checked == value
