"""Where mail goes: an SMTP server (smtplib) or a folder of ``.eml`` files (tests and demos).

``LOOM_MAIL_URL`` chooses: ``smtp://host:port`` (STARTTLS when the server offers it and a login
is given), ``smtps://user:password@host:port`` (TLS from the start) or ``file:///path/to/folder``.
Unset, mail is written as files beside the database (``<db>.mail/``), so nothing is lost before a
server is configured. ``LOOM_MAIL_FROM`` is the sender (default ``loom@localhost``).
"""

from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from loom.kernel.errors import ConfigurationError
from loom.kernel.mail.headers import check_addresses, check_subject
from loom.kernel.paths import jobs_database


def build_message(event_id: str, payload: dict[str, Any]) -> EmailMessage:
    """The MIME message of a ``mail.send`` payload; its Message-ID is derived from the event id."""
    message = EmailMessage()
    message["Subject"] = check_subject(payload["subject"])
    message["From"] = check_addresses(os.environ.get("LOOM_MAIL_FROM") or "loom@localhost", "from")[0]
    message["To"] = ", ".join(check_addresses(payload["to"]))
    message["Message-ID"] = f"<{event_id}@loom>"
    message.set_content(payload["text"])
    if payload.get("html"):
        message.add_alternative(payload["html"], subtype="html")
    return message


def send(message: EmailMessage, database_url: Any, mail_url: str | None = None) -> None:
    """Send ``message`` through the backend of ``mail_url`` (default ``LOOM_MAIL_URL``)."""
    url = urlparse(mail_url or os.environ.get("LOOM_MAIL_URL") or default_folder(database_url).as_uri())
    if url.scheme == "file":
        _write_file(message, Path(unquote(url.path)))
    elif url.scheme in ("smtp", "smtps"):
        _send_smtp(message, url)
    else:
        raise ConfigurationError("kernel.mail_url_unsupported", url=f"{url.scheme}://{url.hostname or ''}")


def default_folder(database_url: Any) -> Path:
    """The folder mail is written to when ``LOOM_MAIL_URL`` is unset: ``<db>.mail/`` beside the database."""
    jobs = jobs_database(database_url)
    return jobs.with_name(jobs.name.removesuffix(".jobs.db") + ".mail")


def _write_file(message: EmailMessage, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    name = message["Message-ID"].strip("<>").split("@")[0]
    temporary = folder / f".{name}.tmp"
    temporary.write_bytes(bytes(message))
    os.replace(temporary, folder / f"{name}.eml")  # a redelivery overwrites the same file


def _send_smtp(message: EmailMessage, url: Any) -> None:
    port = url.port or (465 if url.scheme == "smtps" else 25)
    client_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with client_class(url.hostname or "localhost", port, timeout=30) as client:
        if url.username:
            if url.scheme == "smtp" and client.has_extn("starttls"):
                client.starttls()
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(message)
