"""Header checks: no line breaks of any kind (header injection) in subjects or addresses, and each
address exactly one mailbox that looks like mail."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from email.utils import getaddresses

from loom.kernel.errors import ValidationError


def _breaks_a_header(value: str) -> bool:
    """CR, LF, NUL, any other control character, and every character ``str.splitlines`` splits on
    (``\\u2028``, ``\\x85``, ...): the mail library refuses them at send time, or they start a new header."""
    return len(value.splitlines()) > 1 or any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in value)


def check_subject(subject: str) -> str:
    """The subject stripped of surrounding blanks; a line break or control character inside it is refused."""
    if _breaks_a_header(subject):
        raise ValidationError("kernel.mail_header_injection", field="subject", value=subject[:80])
    return subject.strip()


def check_addresses(addresses: str | Iterable[str], field: str = "to") -> list[str]:
    """``addresses`` (one or several, ``a@b.cn`` or ``Name <a@b.cn>``, one mailbox per entry) checked, as a list."""
    found = [addresses] if isinstance(addresses, str) else list(addresses)
    if not found:
        raise ValidationError("kernel.mail_no_recipient", field=field)
    for address in found:
        if not isinstance(address, str) or _breaks_a_header(address):
            raise ValidationError("kernel.mail_header_injection", field=field, value=str(address)[:80])
        mailboxes = getaddresses([address])
        mailbox = mailboxes[0][1] if len(mailboxes) == 1 else ""
        local, at, domain = mailbox.partition("@")
        if not (local and at and domain) or any(char.isspace() or char in ",;" for char in mailbox):
            raise ValidationError("kernel.mail_address_invalid", field=field, value=address[:80])
    return found
