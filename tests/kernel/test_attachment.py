"""Attachments: files on any record, stored once by content hash, read only by who may read the record.

Stories (RELIABILITY.md B6, the storage half): the sales assistant attaches the signed contract to a
customer; the same PDF attached twice is stored once; hostile file names never become paths and a
canary file outside the filestore is never opened; HTML and SVG files are flagged download-only; a
colleague who may not see the customer cannot list or fetch its files; removed files stay until
garbage collection.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import mimetypes
import os

import pytest

from loom.kernel.attachments import (
    attach,
    collect_garbage,
    filestore,
    get_attachment,
    list_attachments,
    open_attachment,
    remove_attachments,
    sanitize_name,
)
from loom.kernel.environment import Environment
from loom.kernel.errors import AccessError, MissingError, ValidationError
from loom.kernel.users import create_user

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer\n%%EOF\n"


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    """A filestore of this test's own (and a canary file beside it that must never be read)."""
    monkeypatch.setenv("LOOM_FILESTORE", str(tmp_path / "filestore"))
    (tmp_path / "canary").write_text("secret")
    return tmp_path / "filestore"


@pytest.fixture
def partner(base_env):
    return base_env["base.partner"].create({"name": "Minghui Electronics"})


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_the_same_file_attached_twice_is_stored_once_under_its_hash(base_env, partner, store):
    other = base_env["base.partner"].create({"name": "Jiahe Trading"})
    first = attach(base_env, "base.partner", partner.id, "合同.pdf", PDF)
    second = attach(base_env, "base.partner", other.id, "contract copy.pdf", io.BytesIO(PDF))
    sha = hashlib.sha256(PDF).hexdigest()
    assert first.sha256 == second.sha256 == sha
    assert (first.size, first.mimetype, first.name) == (len(PDF), "application/pdf", "合同.pdf")
    assert stored_files(store) == [store / sha[:2] / sha[2:]]
    row, content = open_attachment(base_env, second.id)
    with content:
        assert content.read() == PDF
    assert [a.id for a in list_attachments(base_env, "base.partner", [partner.id, other.id])] == [first.id, second.id]


@pytest.mark.parametrize("given, shown", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\win.ini", "win.ini"),
    ("%2e%2e%2f", "file"),
    ("%2e%2e%2fsecret.txt", "secret.txt"),
    ("/etc/passwd", "passwd"),
    ("a.pdf\x00.html", "a.pdf.html"),
    ("invoice\u202egpj.exe", "invoicegpj.exe"),
    ("line\r\nbreak.txt", "linebreak.txt"),
    ("上海明辉电子·合同（2026）.pdf", "上海明辉电子·合同（2026）.pdf"),
    ("...", "file"),
])
def test_hostile_names_are_sanitized(given, shown):
    assert sanitize_name(given) == shown


def test_a_300_character_name_is_capped_keeping_its_extension():
    name = sanitize_name("合" * 300 + ".pdf")
    assert len(name) == 200 and name.endswith(".pdf")


@pytest.mark.parametrize("name", ["../../etc/passwd", "..\\..\\win.ini", "%2e%2e%2f", "/etc/passwd",
                                  "a.pdf\x00.html", "x" * 300, "../canary"])
def test_no_name_reaches_the_file_system_and_the_canary_is_never_opened(base_env, partner, store, tmp_path,
                                                                         monkeypatch, name):
    mimetypes.init()  # the system's mime table is read once per process, before any upload
    opened = []
    real_open, real_os_open = builtins.open, os.open

    def watch(path, *args, **kwargs):
        opened.append(os.path.realpath(path) if isinstance(path, (str, bytes, os.PathLike)) else path)
        return real_open(path, *args, **kwargs)

    def watch_os(path, *args, **kwargs):
        opened.append(os.path.realpath(path))
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watch)
    monkeypatch.setattr(io, "open", watch)
    monkeypatch.setattr(os, "open", watch_os)
    row = attach(base_env, "base.partner", partner.id, name, b"hello")
    _, content = open_attachment(base_env, row.id)
    content.close()
    monkeypatch.undo()
    root = os.path.realpath(store)
    paths = [p for p in opened if isinstance(p, str)]
    assert paths and all(p.startswith(root + os.sep) for p in paths), paths
    assert os.path.realpath(tmp_path / "canary") not in paths
    assert "/" not in row.name and "\\" not in row.name and "\x00" not in row.name and ".." not in row.name
    assert all(os.path.realpath(p).startswith(root + os.sep) for p in stored_files(store))


def test_a_tampered_hash_or_a_symlink_out_of_the_filestore_is_refused(base_env, partner, store, tmp_path):
    row = attach(base_env, "base.partner", partner.id, "a.txt", b"hello")
    store_ = filestore(base_env)
    for bad in ("../../canary", "../canary", "/etc/passwd", "A" * 64, row.sha256[:-1]):
        with pytest.raises(ValidationError):
            store_.path(bad)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / ("0" * 62)).write_text("secret")
    (store / "ff").symlink_to(outside)
    with pytest.raises(ValidationError):
        store_.open("ff" + "0" * 62)
    row.sha256 = "../../canary"
    with pytest.raises(ValidationError):
        open_attachment(base_env, row.id)


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_kept(base_env, partner, store, monkeypatch):
    monkeypatch.setenv("LOOM_ATTACHMENT_MAX_BYTES", "10")
    with pytest.raises(ValidationError) as caught:
        attach(base_env, "base.partner", partner.id, "big.bin", b"x" * 11)
    assert caught.value.message_id == "kernel.attachment_too_large" and "10 bytes" in str(caught.value)
    assert stored_files(store) == []
    assert attach(base_env, "base.partner", partner.id, "small.bin", b"x" * 10).size == 10


@pytest.mark.parametrize("name, content, mimetype, active", [
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml", True),
    ("page.html", b"<!DOCTYPE html><script>alert(1)</script>", "text/html", True),
    ("report.pdf", b"<html><script>alert(1)</script></html>", "text/html", True),
    ("a.pdf\x00.html", PDF, "application/pdf", True),
    ("data.xml", b"<?xml version='1.0'?><a/>", "application/xml", True),
    ("app.js", b"alert(1)", mimetypes.guess_type("app.js")[0], True),
    ("scan.bin", PDF, "application/pdf", False),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 16, "image/png", False),
    ("notes.txt", "你好".encode(), "text/plain", False),
])
def test_active_content_is_flagged_download_only(base_env, partner, name, content, mimetype, active):
    row = attach(base_env, "base.partner", partner.id, name, content)
    assert (row.mimetype, row.active_content) == (mimetype, active)


def _viewer(base_env, *, write: bool) -> Environment:
    """A user who may read (and with ``write`` edit) only the partner named Visible Co."""
    login = "writer" if write else "reader"
    role = base_env["loom.role"].create({"code": f"test.{login}", "name": login})
    base_env["loom.access"].create({"role_id": role.id, "model": "base.partner", "perm_read": True,
                                    "perm_write": write})
    base_env["loom.rule"].create({"name": "only Visible Co", "model": "base.partner", "role_id": role.id,
                                  "domain": [["name", "=", "Visible Co"]]})
    user = create_user(base_env, login, login, "correct horse", roles=[f"test.{login}"])
    return Environment(base_env.registry, base_env.session, uid=user.id)


def test_who_may_not_see_a_record_cannot_list_or_fetch_its_attachments(base_env):
    visible, hidden = base_env["base.partner"].create([{"name": "Visible Co"}, {"name": "Hidden Co"}])
    shown = attach(base_env, "base.partner", visible.id, "ok.pdf", PDF)
    secret = attach(base_env, "base.partner", hidden.id, "secret.pdf", b"%PDF-1.4 secret")
    clerk = _viewer(base_env, write=False)
    assert [a.id for a in list_attachments(clerk, "base.partner", [visible.id])] == [shown.id]
    _, content = open_attachment(clerk, shown.id)
    content.close()
    with pytest.raises(MissingError):
        list_attachments(clerk, "base.partner", [hidden.id])
    for attempt in (get_attachment, open_attachment):
        with pytest.raises(MissingError) as caught:
            attempt(clerk, secret.id)
        assert caught.value.message_id == "kernel.attachment_missing"
    with pytest.raises(MissingError) as unknown:
        get_attachment(clerk, 999_999)
    assert str(unknown.value).replace("999999", "ID") == str(caught.value).replace(str(secret.id), "ID")


def test_attaching_and_removing_need_write_access_to_the_record(base_env):
    visible = base_env["base.partner"].create({"name": "Visible Co"})
    row = attach(base_env, "base.partner", visible.id, "ok.pdf", PDF)
    reader = _viewer(base_env, write=False)
    with pytest.raises(AccessError):
        attach(reader, "base.partner", visible.id, "mine.pdf", PDF)
    with pytest.raises(MissingError):
        remove_attachments(reader, [row.id])
    writer = _viewer(base_env, write=True)
    assert attach(writer, "base.partner", visible.id, "mine.pdf", PDF).created_by_id == writer.uid
    assert remove_attachments(writer, [row.id]) == 1


def test_removed_files_stay_until_garbage_collection(base_env, partner, store):
    kept = attach(base_env, "base.partner", partner.id, "kept.pdf", PDF)
    gone = attach(base_env, "base.partner", partner.id, "gone.txt", b"only here")
    shared = attach(base_env, "base.partner", partner.id, "copy.pdf", PDF)
    remove_attachments(base_env, [gone.id, shared.id])
    assert len(stored_files(store)) == 2
    assert collect_garbage(base_env).files == 0  # too young: its attachment may not have committed yet
    collected = collect_garbage(base_env, min_age=0)
    assert (collected.files, collected.bytes) == (1, len(b"only here"))
    assert stored_files(store) == [filestore(base_env).path(kept.sha256)]
    _, content = open_attachment(base_env, kept.id)
    with content:
        assert content.read() == PDF


def test_attaching_to_an_unknown_model_or_record_is_refused(base_env, partner):
    with pytest.raises(ValidationError):
        attach(base_env, "no.such.model", 1, "a.txt", b"x")
    with pytest.raises(ValidationError):
        attach(base_env, "loom.attachment", 1, "a.txt", b"x")
    with pytest.raises(MissingError):
        attach(base_env, "base.partner", 999_999, "a.txt", b"x")


def test_a_full_disk_while_storing_is_a_storage_full_error(base_env, partner, store, monkeypatch):
    import errno

    from loom.kernel.storage_full import StorageFullError

    def no_space(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(StorageFullError) as caught:
        attach(base_env, "base.partner", partner.id, "a.pdf", PDF)
    assert caught.value.code == "storage_full"
    assert list_attachments(base_env, "base.partner", [partner.id]) == []
    assert stored_files(store) == []


def test_the_files_of_a_deleted_record_go_at_the_next_collection(base_env, store):
    partner = base_env["base.partner"].create({"name": "Short-lived Co"})
    keeper = base_env["base.partner"].create({"name": "Keeper Co"})
    attach(base_env, "base.partner", partner.id, "gone.txt", b"only on the deleted partner")
    kept = attach(base_env, "base.partner", keeper.id, "kept.txt", b"still wanted")
    base_env["base.partner"].delete([partner])
    assert len(stored_files(store)) == 2  # a backup taken before the delete may still need it
    collected = collect_garbage(base_env, min_age=0)
    assert (collected.rows, collected.files) == (0, 1)  # its attachment row went with the partner
    assert stored_files(store) == [filestore(base_env).path(kept.sha256)]
    assert [a.id for a in list_attachments(base_env, "base.partner", [keeper.id])] == [kept.id]
