"""Duplicate partners: the normalized keys partners are compared by, and finding candidates.

Keys are stored on every partner (``name_norm``, ``email_norm``, ``phone_norm``, ``mobile_norm``,
``tax_id_norm``) so candidates are found by indexed SQL equality, never by filtering in Python.

* name: NFKC (full-width → half-width), case folded, punctuation and spaces removed, company
  suffixes dropped (有限公司, 有限责任公司, 股份有限公司, 公司; Co., Ltd., Limited, Inc., Corp., LLC...);
* e-mail: NFKC, trimmed, lower case;
* phone: digits only, the +86 / 0086 country code and the domestic trunk 0 dropped, so
  ``+86 21 5888 8888``, ``021-58888888`` and ``０２１５８８８８８８８`` agree;
* tax id: NFKC, blanks, hyphens and dots removed, capitals.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

MAX_CANDIDATES = 20
ZH_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "公司")
EN_SUFFIXES = frozenset({"co", "company", "ltd", "limited", "inc", "incorporated", "corp", "corporation",
                         "llc", "plc", "gmbh"})
_WORDS = re.compile(r"[^\W_]+")
_NOT_DIGIT = re.compile(r"\D")
_TAX_SEPARATORS = re.compile(r"[\s\-.]")


@dataclass(frozen=True)
class Duplicate:
    """A partner that may be the same as the one being entered, and the keys that matched."""

    partner: Any
    reasons: tuple[str, ...]


def _nfkc(value: str | None) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


def normalize_name(name: str | None) -> str | None:
    """The comparison key of a partner name, or None when nothing distinctive is left."""
    words = _WORDS.findall(_nfkc(name).casefold())
    while len(words) > 1 and words[-1] in EN_SUFFIXES:
        words.pop()
    key = "".join(words)
    suffix = next((s for s in ZH_SUFFIXES if key.endswith(s)), "")
    if suffix and key != suffix:
        key = key[: -len(suffix)]
    return key or None


def normalize_email(email: str | None) -> str | None:
    """The comparison key of an e-mail address (lower case), or None when empty."""
    return _nfkc(email).lower() or None


def normalize_phone(phone: str | None) -> str | None:
    """The comparison key of a phone number (digits without +86/0086 and the trunk 0), or None."""
    text = _nfkc(phone)
    digits = _NOT_DIGIT.sub("", text)
    if text.startswith("+86") or digits.startswith("0086"):
        digits = digits[2:] if text.startswith("+") else digits[4:]
    elif len(digits) == 13 and digits.startswith("861"):  # a mobile written 86 138...
        digits = digits[2:]
    if digits.startswith("0"):
        digits = digits[1:]
    return digits or None


def normalize_tax_id(tax_id: str | None) -> str | None:
    """The comparison key of a tax id (no separators, capitals), or None when empty."""
    return _TAX_SEPARATORS.sub("", _nfkc(tax_id)).upper() or None


def find_duplicates(env: Environment, values: dict[str, Any], exclude_id: int | None = None) -> list[Duplicate]:
    """Partners the user may read that share a key with ``values`` (a partner being entered).

    ``values`` may hold ``name``, ``email``, ``phone``, ``mobile`` and ``tax_id``. Archived partners
    are candidates too. The best candidates (most matching keys) come first, at most
    :data:`MAX_CANDIDATES`."""
    keys = _keys(values)
    cls = env.registry["base.partner"]
    tests = _tests(cls, keys)
    if not tests:
        return []
    stmt = env["base.partner"].select(active_test=False).where(or_(*tests))
    if exclude_id is not None:
        stmt = stmt.where(cls.id != exclude_id)
    found = [Duplicate(p, _reasons(p, keys)) for p in env.session.scalars(stmt.limit(MAX_CANDIDATES))]
    return sorted(found, key=lambda d: -len(d.reasons))


def _keys(values: dict[str, Any]) -> dict[str, Any]:
    phones = {normalize_phone(values.get("phone")), normalize_phone(values.get("mobile"))} - {None}
    return {"tax_id": normalize_tax_id(values.get("tax_id")), "name": normalize_name(values.get("name")),
            "email": normalize_email(values.get("email")), "phone": phones}


def _tests(cls: Any, keys: dict[str, Any]) -> list[Any]:
    tests = [getattr(cls, f"{key}_norm") == keys[key] for key in ("tax_id", "name", "email") if keys[key]]
    if keys["phone"]:
        tests += [cls.phone_norm.in_(sorted(keys["phone"])), cls.mobile_norm.in_(sorted(keys["phone"]))]
    return tests


def _reasons(partner: Any, keys: dict[str, Any]) -> tuple[str, ...]:
    reasons = [key for key in ("tax_id", "name", "email")
               if keys[key] and getattr(partner, f"{key}_norm") == keys[key]]
    if keys["phone"] & {partner.phone_norm, partner.mobile_norm}:
        reasons.append("phone")
    return tuple(reasons)
