"""``loom check``: each kernel invariant, broken on purpose with raw SQL, is named with its records.

Stories: a clean database passes every check; a partner pointing at a company that is gone, a
user linked to a deleted role, two roles sharing a code, a missing audit trigger and an edited
audit record are each reported with the records involved, and ``loom check`` exits non-zero.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from loom.cli.main import cli
from loom.kernel.checks import Check, Violation, run_checks
from loom.kernel.db import create_engine
from loom.kernel.hooks import hookimpl
from loom.kernel.installer import ModuleManager
from loom_test_support import ROOTS, rolled_back


@pytest.fixture
def shop(database_url):
    """A fresh database with kernel and base; yields its URL and engine."""
    engine = create_engine(database_url)
    ModuleManager(engine, roots=ROOTS).install(["base"])
    yield database_url, engine
    engine.dispose()


def check(url: str) -> tuple[int, dict]:
    """``loom check --json`` on ``url``: its exit code and its report."""
    result = CliRunner(env={"LOOM_DATABASE_URL": None, "LOOM_USER": None}).invoke(
        cli, ["--database", url, "check", "--json"])
    return result.exit_code, json.loads(result.stdout)


def raw_sql(engine, *statements: str) -> None:
    """Run ``statements`` with foreign keys not enforced, and commit (how a bad migration or a
    hand edit leaves a database)."""
    if engine.dialect.name == "sqlite":
        conn = sqlite3.connect(engine.url.database, isolation_level=None)
        conn.execute("PRAGMA foreign_keys=OFF")
        for statement in statements:
            conn.execute(statement)
        conn.close()
        return
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # FK triggers do not fire
        for statement in statements:
            conn.execute(text(statement))


def by_check(report: dict, name: str) -> list[dict]:
    return [v for v in report["violations"] if v["check"] == name]


def test_a_clean_database_passes_every_check(shop):
    code, report = check(shop[0])
    assert code == 0 and report["violations"] == []
    assert {"kernel.orphans", "kernel.unique_keys", "kernel.schema_objects", "kernel.id_sequences",
            "kernel.audit_chain"} <= set(report["checks"])


def test_a_partner_of_a_vanished_company_is_an_orphan(shop):
    url, engine = shop
    raw_sql(engine, "INSERT INTO base_partner (id, name, company_id) VALUES (9001, 'Ghost Ltd.', 424242)")
    code, report = check(url)
    (orphan,) = by_check(report, "kernel.orphans")
    assert code != 0
    assert orphan["records"] == [{"model": "base.partner", "id": 9001}]
    assert "company_id" in orphan["message"] and "424242" in orphan["message"]


def test_a_user_linked_to_a_deleted_role_names_the_user(shop):
    url, engine = shop
    raw_sql(engine, "INSERT INTO loom_user (id, login, name, company_id) "
                    "SELECT 5001, 'bob', 'Bob', min(id) FROM loom_company",
            "INSERT INTO loom_user_role_rel (loom_user_id, loom_role_id) VALUES (5001, 777777)")
    code, report = check(url)
    (orphan,) = by_check(report, "kernel.orphans")
    assert code != 0 and orphan["records"] == [{"model": "loom.user", "id": 5001}]
    assert "loom_role" in orphan["message"]


def test_two_roles_sharing_a_code_break_a_unique_key(shop):
    url, engine = shop
    raw_sql(engine, "DROP INDEX uq_loom_role_code",
            "INSERT INTO loom_role (id, code, name) VALUES (8001, 'kernel.auditor', 'Second auditor')")
    code, report = check(url)
    (duplicate,) = by_check(report, "kernel.unique_keys")
    assert code != 0 and "uq_loom_role_code" in duplicate["message"]
    assert {"model": "loom.role", "id": 8001} in duplicate["records"] and len(duplicate["records"]) == 2


def test_a_dropped_audit_trigger_and_an_edited_audit_record_are_named(shop):
    url, engine = shop
    drop = 'DROP TRIGGER "loom_audit_log_no_update"' + (" ON loom_audit_log" if engine.dialect.name != "sqlite" else "")
    raw_sql(engine, drop, "UPDATE loom_audit_log SET action = 'nothing.happened' WHERE seq = 1")
    with engine.connect() as conn:
        first = conn.scalar(text("SELECT id FROM loom_audit_log WHERE seq = 1"))
    code, report = check(url)
    assert code != 0
    assert "loom_audit_log_no_update" in by_check(report, "kernel.schema_objects")[0]["message"]
    (chain,) = by_check(report, "kernel.audit_chain")
    assert chain["records"] == [{"model": "loom.audit_log", "id": first}] and "changed" in chain["message"]


def test_an_id_sequence_left_below_the_highest_id_is_named(shop, backend):
    if backend == "sqlite":
        pytest.skip("SQLite has no id sequences: a new row takes the highest rowid + 1")
    url, engine = shop
    raw_sql(engine, "INSERT INTO base_partner (id, name) VALUES (7001, 'Imported With Its Id')")
    code, report = check(url)
    (behind,) = by_check(report, "kernel.id_sequences")
    assert code != 0 and behind["records"] == [{"model": "base.partner", "id": 7001}]
    assert "base_partner" in behind["message"]


class CountsCompanies:
    """A test plugin contributing a module check through ``register_checks``."""

    @hookimpl
    def register_checks(self):
        """One check that always finds the first company wanting."""
        def companies(env):
            company = env["loom.company"].search([], limit=1)[0]
            yield Violation("test.companies", "company needs a logo", [("loom.company", company.id)])

        return [Check("test.companies", "Every company has a logo", companies)]


def test_modules_contribute_checks_through_the_register_checks_hook(installed):
    item = installed("base")
    item.registry.pm.register(CountsCompanies(), name="base:counts_companies")
    try:
        with rolled_back(item) as env:
            violations = run_checks(env)
            only = run_checks(env, ["test.companies"])
    finally:
        item.registry.pm.unregister(name="base:counts_companies")
    assert [v.check for v in violations] == ["test.companies"]
    assert only == violations and only[0].records[0][0] == "loom.company"
