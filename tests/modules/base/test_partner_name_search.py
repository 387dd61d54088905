"""Searching partners by a piece of their name ("contains", ``ilike``) over 100,000 partners: on
PostgreSQL base's migration indexes the name's trigrams (pg_trgm) and the search reads that index;
SQLite has no such index and scans."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from loom.kernel.db import create_engine
from loom.kernel.environment import Environment
from loom.kernel.installer import ModuleManager
from loom.kernel.schema_check import schema_differences

PARTNERS = 100_000


@pytest.fixture(scope="module")
def crowd(database_factory):
    """A database with base and 100,000 partners named ``Partner 000001`` ... (statistics gathered)."""
    engine = create_engine(database_factory())
    manager = ModuleManager(engine)
    manager.install(["base"])
    numbers = ("SELECT generate_series(1, :n) AS n" if engine.dialect.name == "postgresql" else
               "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < :n) SELECT n FROM s")
    padded = "lpad(n::text, 6, '0')" if engine.dialect.name == "postgresql" else "printf('%06d', n)"
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO base_partner (name, type, active) SELECT 'Partner ' || {padded}, 'contact', "
                          f"true FROM ({numbers}) AS numbers"), {"n": PARTNERS})
        conn.execute(text("ANALYZE"))
    yield engine, manager.registry(manager.installed())
    engine.dispose()


def search_capturing_sql(engine, registry, domain):
    """The ids found by a partner search, and the SELECT statement and parameters it ran."""
    seen = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM base_partner" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with engine.connect() as conn, Session(bind=conn) as session:
            ids = [p.id for p in Environment(registry, session, su=True)["base.partner"].search(domain)]
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return ids, seen[-1]


def test_a_name_search_finds_every_partner_containing_the_text_whatever_its_case(crowd):
    engine, registry = crowd
    ids, _ = search_capturing_sql(engine, registry, [["name", "ilike", "RTNER 0199"]])
    with engine.connect() as conn:
        expected = conn.execute(text("SELECT id FROM base_partner WHERE name LIKE 'Partner 0199%'")).scalars().all()
    assert len(ids) == 100 and sorted(ids) == sorted(expected)


def test_on_postgresql_a_name_search_reads_the_trigram_index_instead_of_every_partner(crowd, backend):
    if backend != "postgresql":
        pytest.skip("SQLite has no trigram index: a name search scans the table there (docs/benchmarks.md)")
    engine, registry = crowd
    _, (statement, parameters) = search_capturing_sql(engine, registry, [["name", "ilike", "rtner 0199"]])
    with engine.connect() as conn:
        plan = "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters))
    assert "ix_base_partner_name_trgm" in plan, plan
    assert schema_differences(engine, registry) == []
