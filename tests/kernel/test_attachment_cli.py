"""``loom attachment``: the sales assistant attaches, lists, fetches and removes a contract.

A colleague acting with ``--user`` who may not see the customer gets "not found" for its files.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from loom.cli.main import cli
from loom.kernel.db import create_engine, run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.installer import ModuleManager
from loom.kernel.users import create_user
from loom_test_support import ROOTS


@pytest.fixture(scope="module")
def shop(database_factory, tmp_path_factory):
    """(url, partner id): base installed, one customer, and a user who may read no partner."""
    url = database_factory()
    engine = create_engine(url)
    manager = ModuleManager(engine, roots=ROOTS)
    manager.install(["base"])
    registry = manager.registry(manager.installed())

    def setup(session):
        env = Environment(registry, session, su=True)
        create_user(env, "outsider", "Outsider", "correct horse")
        return env["base.partner"].create({"name": "Minghui Electronics"}).id

    partner_id = run_unit_of_work(engine, setup)
    engine.dispose()
    return url, partner_id


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("LOOM_FILESTORE", str(tmp_path / "filestore"))
    monkeypatch.chdir(tmp_path)


def loom(url, *args):
    return CliRunner().invoke(cli, ["-d", url, *args])


def test_attach_list_get_and_remove_a_contract(shop, tmp_path):
    url, partner_id = shop
    contract = tmp_path / "合同 2026.pdf"
    contract.write_bytes(b"%PDF-1.7 signed")
    added = loom(url, "attachment", "add", "base.partner", str(partner_id), str(contract))
    assert added.exit_code == 0, added.output
    assert "Attached 合同 2026.pdf as attachment" in added.output and "application/pdf" in added.output
    attachment_id = added.output.split("as attachment ")[1].split()[0]
    listed = loom(url, "attachment", "list", "base.partner", str(partner_id))
    assert attachment_id in listed.output and "合同 2026.pdf" in listed.output
    fetched = loom(url, "attachment", "get", attachment_id, "--output", str(tmp_path / "copy.pdf"))
    assert fetched.exit_code == 0 and (tmp_path / "copy.pdf").read_bytes() == b"%PDF-1.7 signed"
    to_stdout = loom(url, "attachment", "get", attachment_id, "-o", "-")
    assert to_stdout.stdout_bytes == b"%PDF-1.7 signed"
    assert loom(url, "attachment", "remove", attachment_id).exit_code == 0
    assert "合同" not in loom(url, "attachment", "list", "base.partner", str(partner_id)).output
    assert len(list((tmp_path / "filestore").glob("??/*"))) == 1  # kept for backups until collected
    collected = loom(url, "attachment", "gc", "--min-age", "0")
    assert "Removed 1 file(s)" in collected.output
    assert list((tmp_path / "filestore").glob("??/*")) == []


def test_a_user_who_may_not_see_the_record_gets_not_found(shop, tmp_path):
    url, partner_id = shop
    (tmp_path / "note.txt").write_text("private")
    added = loom(url, "attachment", "add", "base.partner", str(partner_id), str(tmp_path / "note.txt"))
    attachment_id = added.output.split("as attachment ")[1].split()[0]
    for args in (["list", "base.partner", str(partner_id)], ["get", attachment_id]):
        refused = loom(url, "--user", "outsider", "attachment", *args)
        assert refused.exit_code != 0
    refused = loom(url, "--user", "outsider", "attachment", "get", attachment_id)
    assert refused.exception.message_id == "kernel.attachment_missing"
    assert not (tmp_path / "note.txt.1").exists() and not list(tmp_path.glob(".loom-attachment-*"))
