"""``loom db backup`` and ``loom db restore`` (RELIABILITY.md D1, scaled for CI).

Stories: a shop backs up while four clerks keep entering partners; the backup is one consistent
moment (every partner entered with its contact, or neither), restores into an empty database with
equal row counts and content hashes, its filestore, and a clean ``loom check``, and moves on to the
other backend with the same figures. A restore refuses
to overwrite a database unless forced, and a restore that fails midway leaves the old database
exactly as it was, with an audit record of the failure.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import backup_support
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from loom.cli.main import cli
from loom.kernel.backup import backup_database, copy_database, read_manifest, restore_database
from loom.kernel.backup.database import ALEMBIC
from loom.kernel.backup.digest import database_digests
from loom.kernel.db import create_engine, run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.errors import UserError
from loom.kernel.installer import ModuleManager
from loom.kernel.paths import filestore_root
from loom_test_support import ROOTS, count_rows

new_url = backup_support.new_url  # the fixture: an empty database of either backend

WRITERS = 4


@pytest.fixture
def shop(database_url):
    """A database with base and alpha, a file in its filestore; yields (url, engine, registry)."""
    engine = create_engine(database_url)
    manager = ModuleManager(engine, roots=ROOTS)
    manager.install(["loomtest_alpha"])
    store = filestore_root(database_url) / "ab"
    store.mkdir(parents=True, exist_ok=True)
    (store / "abcdef").write_bytes(b"a scanned invoice")
    yield database_url, engine, manager.registry(manager.installed())
    engine.dispose()


def loom(url: str, *args: str):
    """``loom --database URL ARGS`` in-process (test modules discoverable); the click result."""
    env = {"LOOM_DATABASE_URL": None, "LOOM_USER": None, "LOOM_MODULE_PATH": ROOTS[0]}
    return CliRunner(env=env).invoke(cli, ["--database", url, *args])


def partner_with_contact(registry, session, n: int) -> None:
    """One unit of work of a clerk: a company partner and its contact, together."""
    env = Environment(registry, session, su=True)
    company = env["base.partner"].create({"name": f"Customer {n}", "is_company": True})
    env["base.partner"].create({"name": f"Contact {n}", "parent_id": company.id})


def digests(url: str, registry) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return database_digests(conn, registry.metadata, [ALEMBIC])
    finally:
        engine.dispose()


def test_a_backup_taken_while_clerks_write_restores_and_copies_to_the_same_consistent_snapshot(
        shop, database_factory, new_url, tmp_path):
    url, engine, registry = shop
    stop, errors, counter = threading.Event(), [], iter(range(10**9))

    def clerk():
        try:
            while not stop.is_set():
                run_unit_of_work(engine, lambda s: partner_with_contact(registry, s, next(counter)))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=clerk) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    try:
        while count_rows(engine, "base_partner") < 40:  # the clerks are at work
            time.sleep(0.05)
        artifact = backup_database(engine, tmp_path, roots=ROOTS)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    manifest = read_manifest(artifact)
    target = database_factory()
    restore_database(target, artifact, roots=ROOTS)
    restored = digests(target, registry)
    assert {k: v for k, v in restored.items() if k != "loom_audit_log" and k != "loom_audit_head"} == {
        k: v for k, v in manifest.tables.items() if k not in ("loom_audit_log", "loom_audit_head")}
    with create_engine(target).connect() as conn:
        companies = conn.scalar(text("SELECT count(*) FROM base_partner WHERE name LIKE 'Customer %'"))
        contacts = conn.scalar(text("SELECT count(*) FROM base_partner WHERE name LIKE 'Contact %'"))
    assert companies == contacts >= 20  # every clerk's unit is wholly in the snapshot or not at all
    assert manifest.tables["base_partner"]["rows"] < digests(url, registry)["base_partner"]["rows"]
    assert (filestore_root(target) / "ab" / "abcdef").read_bytes() == b"a scanned invoice"
    other = new_url("postgresql" if target.startswith("sqlite") else "sqlite")
    moved = copy_database(target, other, roots=ROOTS)  # and on to the other backend
    assert moved.tables == digests(target, registry) and moved.files == manifest.files
    for url_ in (target, other):
        result = loom(url_, "check", "--json")
        assert result.exit_code == 0, result.stdout
        assert json.loads(result.stdout)["violations"] == []


def test_backup_and_restore_from_the_cli_are_audited(shop, database_factory, tmp_path):
    url, _engine, _registry = shop
    done = loom(url, "db", "backup", "--dir", str(tmp_path), "--json")
    assert done.exit_code == 0, done.output
    artifact = json.loads(done.stdout)["artifact"]
    target = database_factory()
    assert loom(target, "db", "restore", artifact).exit_code == 0
    listed = json.loads(loom(target, "audit", "list", "--json").stdout)
    assert listed[0]["action"] == "restore" and listed[0]["details"]["artifact"] == str(Path(artifact).resolve())
    assert json.loads(loom(url, "audit", "list", "--action", "backup", "--json").stdout)[0]["details"]["rows"] > 0
    assert "intact" in loom(target, "audit", "verify").stdout


def test_a_restore_over_a_database_needs_force(shop, tmp_path):
    url, engine, registry = shop
    artifact = backup_database(engine, tmp_path, roots=ROOTS)
    run_unit_of_work(engine, lambda s: partner_with_contact(registry, s, 1))
    refused = loom(url, "db", "restore", str(artifact))
    assert refused.exit_code != 0 and isinstance(refused.exception, UserError)
    assert refused.exception.message_id == "kernel.restore_target_not_empty"
    engine.dispose()  # the restore replaces the database under this process's pooled connections
    assert loom(url, "db", "restore", "--force", str(artifact)).exit_code == 0
    assert digests(url, registry)["base_partner"] == read_manifest(artifact).tables["base_partner"]


def _spoil_the_snapshot(artifact: Path) -> None:
    """Cut the database snapshot in half: the restore breaks while reading it."""
    snapshot = next(p for p in artifact.iterdir() if p.name.startswith("database."))
    snapshot.write_bytes(snapshot.read_bytes()[: snapshot.stat().st_size // 2])


def _spoil_the_manifest(artifact: Path) -> None:
    """Change one table's recorded hash: the restored copy no longer matches it."""
    manifest = json.loads((artifact / "manifest.json").read_text())
    manifest["tables"]["base_partner"]["hash"] = "0" * 64
    (artifact / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("spoil", [_spoil_the_snapshot, _spoil_the_manifest])
def test_a_restore_failing_midway_leaves_the_old_database_intact(shop, tmp_path, spoil):
    url, engine, registry = shop
    artifact = backup_database(engine, tmp_path, roots=ROOTS)
    run_unit_of_work(engine, lambda s: partner_with_contact(registry, s, 2))
    before = digests(url, registry)
    spoil(artifact)
    with pytest.raises(UserError):
        restore_database(url, artifact, force=True, roots=ROOTS)
    after = digests(url, registry)
    assert after.pop("loom_audit_log") != before.pop("loom_audit_log")  # one record more: the failure
    after.pop("loom_audit_head"), before.pop("loom_audit_head")
    assert after == before
    with engine.connect() as conn:
        failed = conn.execute(text("SELECT action FROM loom_audit_log ORDER BY seq DESC")).scalars().first()
    assert failed == "restore.failed"
    assert (filestore_root(url) / "ab" / "abcdef").exists()
    leftovers = [p.name for p in filestore_root(url).parent.iterdir() if ".restore-" in p.name]
    assert leftovers == []
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM pg_database WHERE datname LIKE '%\\_restore\\_%'")) == 0


def test_a_pg_dump_older_than_the_server_is_refused_by_name(shop, backend, tmp_path, monkeypatch):
    if backend == "sqlite":
        pytest.skip("SQLite backups use its own backup API, no client tool")
    fake = tmp_path / "bin" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    with pytest.raises(UserError) as caught:
        backup_database(shop[1], tmp_path / "out", roots=ROOTS)
    assert caught.value.message_id == "kernel.backup_tool_too_old"
    assert "pg_dump 9 cannot read a PostgreSQL" in caught.value.message()
    assert not any((tmp_path / "out").iterdir())  # no half-written artifact
