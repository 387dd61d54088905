"""The kernel's own contributions to the mail hooks: its template folder and the mail consumer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from loom.kernel.hooks import hookimpl
from loom.kernel.mail.templates import TemplateFolder
from loom.kernel.outbox.consumers import EventConsumer


def deliver_mail(env: Any, event: Any) -> None:
    """Send the message of a ``mail.send`` event through the configured backend."""
    from loom.kernel.mail.backends import build_message, send

    send(build_message(event.event_id, event.payload), env.session.get_bind().url)


@hookimpl
def register_mail_templates() -> list[TemplateFolder]:
    """The kernel's templates: ``kernel.test`` and ``kernel.activity_assigned``."""
    return [TemplateFolder("kernel", Path(__file__).resolve().parent / "templates")]


@hookimpl
def register_event_consumers() -> list[EventConsumer]:
    """The kernel sends the mail queued by ``send_mail``."""
    return [EventConsumer("mail.send", "kernel.mail", deliver_mail)]
