"""The mimetype of an attachment, from its first bytes and its name, and whether it is active content.

Active content is what a browser would execute if it were served inline: HTML, SVG, XML and
JavaScript. It is flagged when either the bytes or the name say so (a ``.pdf`` holding HTML is
active), so the web shell serves it only as a download.
"""

from __future__ import annotations

import mimetypes

OCTET_STREAM = "application/octet-stream"
ACTIVE_TYPES = frozenset({
    "text/html", "application/xhtml+xml", "image/svg+xml", "application/xml", "text/xml",
    "application/javascript", "text/javascript", "application/ecmascript", "text/ecmascript",
})
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
)
_MARKUP = ((b"<svg", "image/svg+xml"), (b"<!doctype html", "text/html"), (b"<html", "text/html"),
           (b"<script", "text/html"), (b"<?xml", "application/xml"))
_CONTAINERS = frozenset({"application/zip"})  # office files are zips: the name says which


def detect(head: bytes, name: str) -> tuple[str, bool]:
    """(mimetype, active) for content starting with ``head`` and named ``name``."""
    sniffed = _sniff(head)
    by_name = mimetypes.guess_type(name, strict=False)[0]
    named = sniffed is None or (sniffed in _CONTAINERS and by_name is not None)
    mimetype = (by_name or OCTET_STREAM) if named else sniffed
    active = any(t in ACTIVE_TYPES for t in (sniffed, by_name, mimetype))
    return mimetype, active


def _sniff(head: bytes) -> str | None:
    for magic, mimetype in _MAGIC:
        if head.startswith(magic):
            return mimetype
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for marker, mimetype in _MARKUP:
        if marker in text[:1024]:
            return mimetype
    return None
