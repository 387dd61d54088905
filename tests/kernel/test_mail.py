"""Mail leaves through the outbox: rendered and checked in the business transaction, sent after
commit through the file backend (tests, demos) or SMTP; never when the transaction rolls back."""

from __future__ import annotations

import socketserver
import threading
from email import message_from_binary_file, message_from_bytes, policy

import pytest

from loom.kernel.db import run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.errors import ValidationError
from loom.kernel.jobs import Worker, open_queue
from loom.kernel.mail import send_mail
from loom.kernel.mail.templates import template_folders
from loom_test_support import committed_shop

ASSIGNED = {"assignee": "Li Lei", "assigned_by": "Han Meimei", "record": "SO2026-0001",
            "summary": "Call the customer", "due": "2026-12-08", "note": ""}


@pytest.fixture(scope="module")
def shop(database_factory):
    yield from committed_shop(database_factory, "base")


@pytest.fixture
def outbox_folder(tmp_path, monkeypatch):
    """Mail goes to files in this folder."""
    folder = tmp_path / "mail"
    monkeypatch.setenv("LOOM_MAIL_URL", folder.as_uri())
    return folder


def in_unit(shop, work):
    return run_unit_of_work(shop.engine, lambda session: work(Environment(shop.registry, session, su=True)))


def deliver(shop):
    Worker(shop.engine, shop.registry, open_queue(shop.url, immediate=True)).run_once()


def read(folder, event_id):
    with open(folder / f"{event_id}.eml", "rb") as file:
        return message_from_binary_file(file, policy=policy.default)


def test_an_assigned_activity_mails_the_assignee_after_commit(shop, outbox_folder):
    event_id = in_unit(shop, lambda env: send_mail(env, "kernel.activity_assigned", "li.lei@example.cn", ASSIGNED))
    assert not outbox_folder.exists()  # nothing leaves before the worker runs
    deliver(shop)
    mail = read(outbox_folder, event_id)
    assert mail["Subject"] == "New activity for you: Call the customer (SO2026-0001)"
    assert mail["To"] == "li.lei@example.cn"
    assert mail["Message-ID"] == f"<{event_id}@loom>"
    assert "Han Meimei assigned you an activity on SO2026-0001" in mail.get_body(("plain",)).get_content()
    assert "<strong>SO2026-0001</strong>" in mail.get_body(("html",)).get_content()


def test_a_rolled_back_action_sends_no_mail(shop, outbox_folder):
    sent = []

    def work(env):
        sent.append(send_mail(env, "kernel.activity_assigned", "li.lei@example.cn", ASSIGNED))
        raise RuntimeError("the activity could not be saved")

    with pytest.raises(RuntimeError):
        in_unit(shop, work)
    deliver(shop)
    assert sent and not (outbox_folder / f"{sent[0]}.eml").exists()


def test_mail_is_written_in_chinese_or_falls_back_to_english(shop, outbox_folder):
    chinese = in_unit(shop, lambda env: send_mail(env, "kernel.activity_assigned", "li.lei@example.cn", ASSIGNED,
                                                  lang="zh_CN"))
    german = in_unit(shop, lambda env: send_mail(env, "kernel.test", "a@example.de", {"company": "ACME"}, lang="de"))
    deliver(shop)
    assert read(outbox_folder, chinese)["Subject"] == "新的待办：Call the customer（SO2026-0001）"
    assert read(outbox_folder, german)["Subject"] == "Loom test mail from ACME"


def test_html_bodies_are_escaped_and_text_bodies_are_not(shop, outbox_folder):
    event_id = in_unit(shop, lambda env: send_mail(env, "kernel.test", "a@example.cn",
                                                   {"company": "<script>alert(1)</script> & Co"}))
    deliver(shop)
    mail = read(outbox_folder, event_id)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in mail.get_body(("html",)).get_content()
    assert "<script>alert(1)</script> & Co" in mail.get_body(("plain",)).get_content()


@pytest.mark.parametrize(("template", "to", "params", "field"), [
    ("kernel.activity_assigned", "li.lei@example.cn", dict(ASSIGNED, summary="Hi\r\nBcc: all@example.cn"), "subject"),
    ("kernel.test", "li.lei@example.cn\r\nBcc: all@example.cn", {"company": "ACME"}, "to"),
    ("kernel.test", "not an address", {"company": "ACME"}, "to"),
    ("kernel.test", "li.lei@example.cn, all@example.cn", {"company": "ACME"}, "to"),
    ("kernel.test", "li.lei@example.cn", {"company": "ACME\u2028Bcc: all@example.cn"}, "subject"),
    ("kernel.test", "li.lei@example.cn", {"company": "AC\x0bME"}, "subject"),
    ("kernel.test", [], {"company": "ACME"}, "to"),
    ("kernel.no_such_mail", "a@example.cn", {}, "template"),
    ("kernel.activity_assigned", "a@example.cn", {"assignee": "Li Lei"}, "params"),
])
def test_a_bad_mail_is_refused_naming_the_field_and_nothing_is_queued(shop, template, to, params, field):
    with pytest.raises(ValidationError) as caught:
        in_unit(shop, lambda env: send_mail(env, template, to, params))
    assert caught.value.field == field
    from loom.kernel.outbox.status import outbox_status

    assert in_unit(shop, outbox_status)["counts"]["pending"] == 0


def test_the_kernel_contributes_its_templates_through_the_hook(shop):
    folders = template_folders(shop.registry)
    assert (folders["kernel"] / "activity_assigned.zh_CN.subject.txt").exists()


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: every message received is kept on the server."""

    def handle(self):
        self.wfile.write(b"220 loom-test ESMTP\r\n")
        lines, in_data = [], False
        while line := self.rfile.readline():
            if in_data:
                if line == b".\r\n":
                    self.server.messages.append(b"".join(lines))
                    lines, in_data = [], False
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                continue
            command = line[:4].upper()
            if command == b"DATA":
                in_data = True
                self.wfile.write(b"354 go ahead\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server(monkeypatch):
    """A local SMTP server; LOOM_MAIL_URL points at it."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("LOOM_MAIL_URL", f"smtp://127.0.0.1:{server.server_address[1]}")
    yield server
    server.shutdown()
    server.server_close()


def test_mail_leaves_through_an_smtp_server(shop, smtp_server, monkeypatch):
    monkeypatch.setenv("LOOM_MAIL_FROM", "Loom <erp@example.cn>")
    event_id = in_unit(shop, lambda env: send_mail(env, "kernel.test", ["a@example.cn", "B <b@example.cn>"],
                                                   {"company": "ACME"}))
    deliver(shop)
    [raw] = smtp_server.messages
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["To"] == "a@example.cn, B <b@example.cn>"
    assert mail["From"] == "Loom <erp@example.cn>"
    assert mail["Message-ID"] == f"<{event_id}@loom>"


def test_template_syntax_in_a_value_prints_as_written(shop, outbox_folder):
    hostile = '{{7*7}} ${7*7} "><svg onload=alert(1)>'
    event_id = in_unit(shop, lambda env: send_mail(env, "kernel.test", "a@example.cn", {"company": hostile}))
    deliver(shop)
    mail = read(outbox_folder, event_id)
    assert mail["Subject"] == f"Loom test mail from {hostile}"
    assert "{{7*7}} ${7*7} &#34;&gt;&lt;svg onload=alert(1)&gt;" in mail.get_body(("html",)).get_content()
