"""Attachments travel with backups: the contract attached yesterday is there after a restore.

Removing an attachment never deletes its file at once, so a backup taken before the removal, once
restored, still holds both the row and the file.
"""

from __future__ import annotations

from loom.kernel.attachments import attach, collect_garbage, open_attachment, remove_attachments
from loom.kernel.backup import backup_database, restore_database
from loom.kernel.db import create_engine, run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.installer import ModuleManager
from loom_test_support import ROOTS

CONTRACT = b"%PDF-1.7 the signed contract"


def test_a_restored_backup_brings_back_a_removed_attachment(database_factory, tmp_path, monkeypatch):
    monkeypatch.delenv("LOOM_FILESTORE", raising=False)
    url, target = database_factory(), database_factory()
    engine = create_engine(url)
    manager = ModuleManager(engine, roots=ROOTS)
    manager.install(["base"])
    registry = manager.registry(manager.installed())

    def work(bind, fn):
        return run_unit_of_work(bind, lambda s: fn(Environment(registry, s, su=True)))

    try:
        attachment_id = work(engine, lambda env: attach(env, "base.partner", env["base.partner"].create(
            {"name": "Minghui Electronics"}).id, "合同.pdf", CONTRACT).id)
        artifact = backup_database(engine, tmp_path, roots=ROOTS)
        work(engine, lambda env: remove_attachments(env, [attachment_id]))
        assert work(engine, lambda env: collect_garbage(env, min_age=0)).files == 1
    finally:
        engine.dispose()
    restore_database(target, artifact, roots=ROOTS)
    restored = create_engine(target)
    try:
        def read(env):
            row, stream = open_attachment(env, attachment_id)
            with stream:
                return row.name, stream.read()

        assert work(restored, read) == ("合同.pdf", CONTRACT)
    finally:
        restored.dispose()
