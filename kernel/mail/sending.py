"""``send_mail``: render, check, and emit the message as a ``mail.send`` outbox event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loom.kernel.mail.headers import check_addresses, check_subject
from loom.kernel.mail.templates import render
from loom.kernel.outbox import emit

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

#: The outbox topic of outgoing mail; the kernel's consumer ``kernel.mail`` sends it.
MAIL_TOPIC = "mail.send"


def send_mail(env: Environment, template: str, to: str | list[str], params: dict[str, Any],
              lang: str | None = None, *, record: tuple[str, int] | None = None) -> str:
    """Queue the mail ``template`` (``prefix.name``) to ``to``, rendered with ``params`` in ``lang``
    (default: the acting user's language); returns the event id.

    Rendering and header checks happen now, in the caller's transaction: a missing template or
    parameter, an invalid address or a CR/LF in a header is a ``ValidationError`` naming the field,
    and the action rolls back. The mail leaves after commit. ``record`` (model, id) ties the mail
    to a business record, whose events are delivered in order; without it mails are unordered."""
    recipients = check_addresses(to)
    rendered = render(env.registry, template, params, lang or env.lang)
    payload = {"template": template, "lang": rendered.lang, "to": recipients,
               "subject": check_subject(rendered.subject), "text": rendered.text, "html": rendered.html}
    model, record_id = record if record is not None else (None, None)
    return emit(env, MAIL_TOPIC, [payload], model=model, ids=[record_id])[0]
