"""The security audit log: who did what, when, in which company, chained so tampering shows."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from loom.cli.main import cli
from loom.kernel.audit import audit_event, audit_refusal, verify_chain
from loom.kernel.db import create_engine, run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.installer import ModuleManager
from loom_test_support import ROOTS, rolled_back


@pytest.fixture
def own_database(database_url):
    """A database of its own (kernel and base), for tests that commit audit records."""
    engine = create_engine(database_url)
    manager = ModuleManager(engine, roots=ROOTS)
    manager.install(["base"])
    yield engine, manager.registry(manager.installed())
    engine.dispose()


def _admin_env(env):
    admin = env["loom.user"].search([["login", "=", "admin"]])
    return Environment(env.registry, env.session, uid=admin[0].id) if admin else env


def test_an_event_names_actor_company_object_and_change(installed):
    with rolled_back(installed("base")) as env:
        admin = env["loom.user"].create({"login": "audit_admin", "name": "Audit admin"})
        env = Environment(env.registry, env.session, uid=admin.id)
        row = audit_event(env, "settings.change", model="loom.setting", record_id=7,
                          before={"grace_days": Decimal("1.50")}, after={"grace_days": Decimal("2.00")})
        stored = env.session.execute(text("SELECT actor_id, actor_login, company_id, model, record_id, action "
                                          "FROM loom_audit_log WHERE seq = :s"), {"s": row["seq"]}).one()
        assert tuple(stored) == (admin.id, "audit_admin", admin.company_id, "loom.setting", 7, "settings.change")
        assert row["before"] == {"grace_days": "1.50"} and row["at"].tzinfo is not None
        assert verify_chain(env.session.connection())[1] is None


def test_the_record_of_a_refused_action_survives_the_rollback(own_database):
    engine, registry = own_database

    def refused_action(session):
        audit_event(Environment(registry, session, su=True), "module.uninstall", details={"module": "base"})
        raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        run_unit_of_work(engine, refused_action)
    audit_refusal(engine, "module.uninstall.refused", details={"module": "base", "reason": "base stays"})
    with engine.connect() as conn:
        actions = conn.execute(text("SELECT action FROM loom_audit_log ORDER BY seq")).scalars().all()
        assert actions[-1] == "module.uninstall.refused"
        assert "module.uninstall" not in actions
        assert verify_chain(conn)[1] is None


@pytest.mark.parametrize("statement", ["UPDATE loom_audit_log SET action = 'nothing'",
                                       "DELETE FROM loom_audit_log", "TRUNCATE loom_audit_log"])
def test_the_database_refuses_to_change_or_delete_audit_rows(installed, backend, statement):
    if backend == "sqlite" and statement.startswith("TRUNCATE"):
        pytest.skip("SQLite has no TRUNCATE statement (DELETE covers it)")
    with rolled_back(installed("base")) as env:
        audit_event(env, "backup", details={"path": "/tmp/x"})
        with pytest.raises(Exception, match="insert-only"), env.session.begin_nested():
            env.session.execute(text(statement))
        assert env.session.scalar(text("SELECT count(*) FROM loom_audit_log")) >= 1


def test_verify_names_the_changed_record_once_the_trigger_is_dropped(own_database):
    engine, registry = own_database
    for n in range(3):
        run_unit_of_work(engine, lambda s, n=n: audit_event(Environment(registry, s, su=True), "import",
                                                            details={"rows": n}))
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text('DROP TRIGGER "loom_audit_log_no_update"'))
        else:
            conn.execute(text('DROP TRIGGER "loom_audit_log_no_update" ON loom_audit_log'))
        second = conn.execute(text("SELECT id, seq FROM loom_audit_log ORDER BY seq LIMIT 1 OFFSET 1")).one()
        conn.execute(text("UPDATE loom_audit_log SET details = :d WHERE id = :i"),
                     {"d": '{"rows": 1000}', "i": second.id})
    with engine.connect() as conn:
        checked, broken = verify_chain(conn)
    assert (broken.seq, broken.id, broken.problem) == (second.seq, second.id, "changed")
    assert checked == second.seq - 1
    result = CliRunner(env={"LOOM_DATABASE_URL": None}).invoke(
        cli, ["--database", engine.url.render_as_string(hide_password=False), "audit", "verify"])
    assert result.exit_code != 0 and f"seq {second.seq} (id {second.id}): changed" in result.output


def test_a_record_slipped_in_outside_the_chain_is_named(own_database):
    engine, registry = own_database
    run_unit_of_work(engine, lambda s: audit_event(Environment(registry, s, su=True), "import", details={"rows": 1}))
    with engine.begin() as conn:  # inserts are allowed: a forged record numbered before the chain starts
        conn.execute(text("INSERT INTO loom_audit_log (seq, at, action, actor_login, prev_hash, hash, version) "
                          "VALUES (0, CURRENT_TIMESTAMP, 'user.password_reset', 'mia', '', 'forged', 1)"))
    with engine.connect() as conn:
        assert verify_chain(conn)[1].problem == "outside"


def test_a_record_committed_while_verify_walks_is_no_tamper_alarm(own_database, monkeypatch):
    engine, registry = own_database
    run_unit_of_work(engine, lambda s: audit_event(Environment(registry, s, su=True), "import", details={"rows": 1}))
    from loom.kernel.audit import verify as verify_module

    real_problem = verify_module._problem

    def problem_then_a_colleague_writes(row, expected_seq, prev_hash):  # a user acts mid-walk
        run_unit_of_work(engine, lambda s: audit_event(Environment(registry, s, su=True), "export"))
        return real_problem(row, expected_seq, prev_hash)

    monkeypatch.setattr(verify_module, "_problem", problem_then_a_colleague_writes)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            pytest.skip("SQLite: a reader's snapshot lasts its whole transaction, so no write shows mid-walk")
        assert verify_chain(conn) == (2, None)  # the install and the import; the exports wait for the next walk


@pytest.mark.parametrize("round_", range(3))  # concurrency rows repeat 3 times (RELIABILITY.md conventions)
def test_concurrent_writers_extend_one_unbroken_chain(own_database, round_):
    engine, registry = own_database
    threads_count, per_thread = 6, 10
    barrier, errors = threading.Barrier(threads_count), []

    def writer(n):
        try:
            barrier.wait()
            for i in range(per_thread):
                run_unit_of_work(engine, lambda s, i=i: audit_event(Environment(registry, s, su=True), "export",
                                                                    details={"thread": n, "i": i}))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as conn:
        checked, broken = verify_chain(conn)
        exports = conn.scalar(text("SELECT count(*) FROM loom_audit_log WHERE action = 'export'"))
    assert broken is None
    assert exports == threads_count * per_thread and checked >= exports


def test_verify_on_a_database_without_loom_says_so_in_one_line(tmp_path):
    result = CliRunner(env={"LOOM_DATABASE_URL": None}).invoke(
        cli, ["--database", f"sqlite:///{tmp_path}/empty.db", "audit", "verify"])
    assert result.exit_code == 1 and "run `loom init`" in str(result.exception)


def test_every_action_the_code_writes_is_listed_for_auditors():
    """An auditor reads ACTIONS to know what the log can hold: every literal action the kernel,
    the modules and the CLI write is listed (``.failed``/``.refused``/``.throttled`` outcomes of a
    listed action included)."""
    import re
    from pathlib import Path

    from loom.kernel.audit import ACTIONS

    root = Path(__file__).resolve().parents[2]
    written = set()
    for folder in ("kernel", "modules", "cli"):
        for path in (root / folder).rglob("*.py"):
            source = path.read_text("utf-8")
            written |= set(re.findall(r'audit_(?:event|refusal|committed)\([^,()]+, "([a-z_.]+)"', source))
    assert len(written) > 10  # the pattern still finds the calls
    outcome = re.compile(r"\.(failed|refused|throttled)$")
    unlisted = [action for action in written if action not in ACTIONS and outcome.sub("", action) not in ACTIONS]
    assert sorted(unlisted) == []
