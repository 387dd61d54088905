"""Header checks: no CR/LF (header injection) in subjects or addresses, addresses that look like mail."""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import parseaddr

from loom.kernel.errors import ValidationError

_FORBIDDEN = ("\r", "\n", "\x00")


def check_subject(subject: str) -> str:
    """The subject stripped of surrounding blanks; CR, LF or NUL inside it is refused."""
    if any(char in subject for char in _FORBIDDEN):
        raise ValidationError("kernel.mail_header_injection", field="subject", value=subject[:80])
    return subject.strip()


def check_addresses(addresses: str | Iterable[str], field: str = "to") -> list[str]:
    """``addresses`` (one or several, ``a@b.cn`` or ``Name <a@b.cn>``) checked, as a list."""
    found = [addresses] if isinstance(addresses, str) else list(addresses)
    if not found:
        raise ValidationError("kernel.mail_no_recipient", field=field)
    for address in found:
        if not isinstance(address, str) or any(char in address for char in _FORBIDDEN):
            raise ValidationError("kernel.mail_header_injection", field=field, value=str(address)[:80])
        _name, mailbox = parseaddr(address)
        local, at, domain = mailbox.partition("@")
        if not (local and at and domain) or any(char.isspace() for char in mailbox):
            raise ValidationError("kernel.mail_address_invalid", field=field, value=address[:80])
    return found
