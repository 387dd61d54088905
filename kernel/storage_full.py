"""One place that recognizes "the storage is full", whatever reported it.

SQLite says ``SQLITE_FULL`` (``database or disk is full``, also when ``PRAGMA max_page_count`` is
reached), PostgreSQL SQLSTATE ``53100`` (``disk_full``), the file system ``ENOSPC`` or ``EDQUOT``.
:func:`as_storage_full` turns any of them into :class:`StorageFullError` (``storage_full``, HTTP
507) so a user sees one clear message; the transaction it happened in must be rolled back (the
unit of work does that). Imports and attachments call it today; a unit of work can call it on any
error it is about to raise.
"""

from __future__ import annotations

import errno
import sqlite3

from loom.kernel.errors import LoomError

#: PostgreSQL's disk_full.
DISK_FULL_SQLSTATE = "53100"
_SQLITE_FULL = 13
_OS_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


class StorageFullError(LoomError):
    """The database or the filestore ran out of space; nothing was written. Retry once space is freed."""

    code = "storage_full"
    http_status = 507


def is_storage_full(exc: BaseException) -> bool:
    """Whether ``exc`` (a driver error, SQLAlchemy's wrapper of one, or an ``OSError``) means no space left."""
    orig = getattr(exc, "orig", None) or exc
    if getattr(orig, "sqlstate", None) == DISK_FULL_SQLSTATE:
        return True
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        return (code is not None and code & 0xFF == _SQLITE_FULL) or "database or disk is full" in str(orig)
    return isinstance(orig, OSError) and orig.errno in _OS_FULL


def as_storage_full(exc: BaseException) -> StorageFullError | None:
    """``StorageFullError("kernel.storage_full")`` when ``exc`` means the storage is full, else None."""
    if isinstance(exc, StorageFullError):
        return exc
    if not is_storage_full(exc):
        return None
    orig = getattr(exc, "orig", None) or exc
    return StorageFullError("kernel.storage_full", problem=str(orig).splitlines()[0][:200] if str(orig) else "")
