"""``loom db copy`` across backends (RELIABILITY.md D1, scaled for CI).

Stories: a shop on SQLite moves to PostgreSQL while keeping its orders' exact amounts; the copy
has the same row counts and content hashes per table, the same files, sequences that continue
above the highest ids, and a clean ``loom check``; the way back to SQLite gives the same figures.
A copy into a database that already holds tables is refused.

Both backends take part whatever the run's backend (``tests/backup_support.py``).
"""

from __future__ import annotations

import json
from decimal import Decimal

import backup_support
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from loom.cli.main import cli
from loom.kernel.backup import copy_database
from loom.kernel.db import create_engine, run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.errors import UserError
from loom.kernel.installer import ModuleManager
from loom.kernel.paths import filestore_root
from loom.kernel.registry import registry_for
from loom_test_support import ROOTS

new_url = backup_support.new_url  # the fixture: an empty database of either backend

PRICES = ("0.000001", "12345678.123456", "19.990000", "-3.5")


def shop_on(url: str) -> None:
    """A shop with alpha: partners, orders whose lines carry exact prices, a file in its filestore."""
    engine = create_engine(url)
    manager = ModuleManager(engine, roots=ROOTS)
    manager.install(["loomtest_alpha"], demo=True)
    registry = manager.registry(manager.installed())

    def orders(session):
        env = Environment(registry, session, su=True)
        for n, price in enumerate(PRICES):
            partner = env["base.partner"].create({"name": f"Copy Customer {n}"})
            env["alpha.order"].create({"partner_id": partner.id,
                                       "lines": [{"quantity": "3", "price": price}, {"quantity": "0.5", "price": "2"}]})

    run_unit_of_work(engine, orders)
    engine.dispose()
    store = filestore_root(url) / "cd"
    store.mkdir(parents=True, exist_ok=True)
    (store / "cdef01").write_bytes(b"a delivery note")


def loom(url: str, *args: str):
    env = {"LOOM_DATABASE_URL": None, "LOOM_USER": None, "LOOM_MODULE_PATH": ROOTS[0]}
    return CliRunner(env=env).invoke(cli, ["--database", url, *args])


def line_prices(url: str) -> list[str]:
    registry = registry_for(frozenset({"base", "loomtest_alpha"}), ROOTS)
    engine = create_engine(url)
    try:
        return run_unit_of_work(engine, lambda s: [str(line.price) for line in Environment(registry, s, su=True)[
            "alpha.order.line"].search([], order="id")], write=False)
    finally:
        engine.dispose()


@pytest.mark.parametrize(("source", "target"), [("sqlite", "postgresql"), ("postgresql", "sqlite"),
                                                ("sqlite", "sqlite")])
def test_a_copy_keeps_counts_hashes_amounts_files_and_passes_every_check(new_url, source, target):
    source_url, target_url = new_url(source), new_url(target)
    shop_on(source_url)
    report = copy_database(source_url, target_url, roots=ROOTS)
    assert report.tables["alpha_order"]["rows"] == 4 and report.files == {"cd/cdef01": report.files["cd/cdef01"]}
    assert line_prices(target_url) == line_prices(source_url)
    assert {Decimal(p) for p in PRICES} <= {Decimal(p) for p in line_prices(target_url)}
    assert (filestore_root(target_url) / "cd" / "cdef01").read_bytes() == b"a delivery note"
    checked = loom(target_url, "check", "--json")
    assert checked.exit_code == 0 and json.loads(checked.stdout)["violations"] == []
    assert loom(target_url, "db", "check").exit_code == 0
    assert "intact" in loom(target_url, "audit", "verify").stdout
    engine = create_engine(target_url)
    try:
        with engine.begin() as conn:  # sequences continue above the copied ids
            highest = conn.scalar(text("SELECT max(id) FROM base_partner"))
            conn.execute(text("INSERT INTO base_partner (name) VALUES ('After the move')"))
            assert conn.scalar(text("SELECT max(id) FROM base_partner")) > highest
    finally:
        engine.dispose()


def test_there_and_back_again_gives_the_same_figures(new_url):
    first, middle, last = new_url("sqlite"), new_url("postgresql"), new_url("sqlite")
    shop_on(first)
    there = copy_database(first, middle, roots=ROOTS)
    back = copy_database(middle, last, roots=ROOTS)
    assert back.tables == there.tables


def test_loom_db_copy_prints_the_verified_figures(new_url):
    source_url, target_url = new_url("postgresql"), new_url("sqlite")
    shop_on(source_url)
    result = loom(source_url, "db", "copy", source_url, target_url, "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["tables"]["alpha_order_line"]["rows"] == 2 * len(PRICES) and figures["files"] == 1
    assert figures["rows"] == sum(table["rows"] for table in figures["tables"].values())


def test_a_copy_into_a_database_holding_tables_is_refused(new_url):
    source_url, target_url = new_url("sqlite"), new_url("sqlite")
    shop_on(source_url)
    shop_on(target_url)
    result = loom(target_url, "db", "copy", source_url, target_url)
    assert isinstance(result.exception, UserError)
    assert result.exception.message_id == "kernel.copy_target_not_empty"
