"""File names given by users, made safe to store and show.

A name is only ever metadata (the file is stored under its hash), but it is shown in lists and sent
back in downloads, so it is cleaned the same way everywhere: percent-escapes decoded once, the last
path component kept (``/`` and ``\\`` both count), NUL, control and invisible formatting characters
(right-to-left overrides) removed, ``..`` collapsed, leading and trailing dots and blanks stripped,
and the length capped at :data:`MAX_NAME` characters keeping the extension. Letters of every script
(Chinese included) are kept.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

MAX_NAME = 200
FALLBACK = "file"
_DOTS = re.compile(r"\.{2,}")
_REMOVED_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")


def sanitize_name(name: str) -> str:
    """A safe display name for ``name`` (never empty, never a path)."""
    text = unicodedata.normalize("NFC", unquote(str(name)))
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _REMOVED_CATEGORIES)
    text = re.split(r"[/\\]", text)[-1]
    text = _DOTS.sub(".", text).strip(" .")
    return _cap(text) or FALLBACK


def _cap(text: str) -> str:
    if len(text) <= MAX_NAME:
        return text
    stem, dot, extension = text.rpartition(".")
    if dot and stem and len(extension) <= 16:
        return stem[: MAX_NAME - len(extension) - 1].rstrip(" .") + "." + extension
    return text[:MAX_NAME].rstrip(" .")
