"""The unified social credit code (统一社会信用代码, GB 32100-2015) of Chinese organisations.

Eighteen characters from a 31-character alphabet (digits and capitals without I, O, S, V, Z):
the registering authority and the kind of organisation (2 characters), the administrative
division (6 digits), the organisation code (9 characters) and a check character (ISO 7064
MOD 31-3 over the first 17, computed by ``stdnum.cn.uscc``).

``stdnum.cn.uscc.validate`` also insists that the first 8 characters are digits, which refuses
genuine codes whose registering authority is a letter (``N`` agriculture, ``Y`` other
authorities); so the structure is checked here and only the check character comes from stdnum.
"""

from __future__ import annotations

import re
import unicodedata

from stdnum.cn.uscc import calc_check_digit

from loom.kernel.errors import ValidationError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_STRUCTURE = re.compile(rf"[{ALPHABET}]{{2}}[0-9]{{6}}[{ALPHABET}]{{10}}")
_SEPARATORS = re.compile(r"[\s\-.]")


def compact(value: str) -> str:
    """The code without blanks, hyphens or dots, full-width characters folded, letters in capitals."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()


def validate_uscc(value: str, field: str = "tax_id") -> str:
    """The compact form of a valid code, or a ``ValidationError`` naming ``field``.

    Refusals: ``base.uscc_length`` (not 18 characters), ``base.uscc_format`` (a character outside
    the alphabet, or a non-digit in the division code), ``base.uscc_check_digit`` (wrong check
    character; the message gives the expected one so a typo is easy to find).
    """
    code = compact(value)
    if len(code) != 18:
        raise ValidationError("base.uscc_length", field=field, value=value, length=len(code))
    if not _STRUCTURE.fullmatch(code):
        raise ValidationError("base.uscc_format", field=field, value=value)
    expected = calc_check_digit(code[:17])
    if code[17] != expected:
        raise ValidationError("base.uscc_check_digit", field=field, value=value, expected=expected)
    return code


def is_valid_uscc(value: str) -> bool:
    """Whether ``value`` is a valid unified social credit code (separators and case ignored)."""
    try:
        validate_uscc(value)
    except ValidationError:
        return False
    return True


def make_uscc(body: str) -> str:
    """``body`` (the first 17 characters) completed with its check character: for demo and tests."""
    return body + calc_check_digit(body)
