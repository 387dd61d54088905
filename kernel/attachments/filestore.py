"""The content-addressed filestore beside the database: one file per distinct content.

A file is stored under its SHA-256 as ``<root>/ab/cdef...`` (the first two hex digits name the
folder). Writing streams the content into a temporary file inside the root (same file system),
hashing and counting as it goes, refuses it past the size limit, flushes it to disk and renames it
into place: a reader never sees half a file, and the same content is stored once. Paths are built
only from a validated hash and checked to resolve inside the root, so no name a user gives ever
reaches the file system.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from loom.kernel.errors import MissingError, ValidationError

_HASH = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20
TEMP_FOLDER = "tmp"


class Filestore:
    """The files of one database, under ``root`` (created on first write)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def put(self, stream: BinaryIO, *, max_bytes: int, name: str = "") -> tuple[str, int]:
        """Store the content read from ``stream``; return its (SHA-256, size).

        More than ``max_bytes`` raises ``ValidationError("kernel.attachment_too_large")`` and keeps
        nothing. Storing content that is already there only refreshes its modification time (so
        garbage collection leaves it alone while the new reference commits)."""
        temp_dir = self.root / TEMP_FOLDER
        temp_dir.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        handle, temp_name = tempfile.mkstemp(dir=temp_dir)
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise ValidationError("kernel.attachment_too_large", field="file", name=name,
                                              limit=max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            self._place(Path(temp_name), sha)
        finally:
            Path(temp_name).unlink(missing_ok=True)
        return sha, size

    def _place(self, temp: Path, sha: str) -> None:
        target = self.path(sha)
        if target.exists():
            os.utime(target)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, target)

    def path(self, sha: str) -> Path:
        """The file of content ``sha``; refuses anything that is not a SHA-256 or resolves outside the root."""
        if not isinstance(sha, str) or not _HASH.fullmatch(sha):
            raise ValidationError("kernel.attachment_hash_invalid", field="sha256", value=str(sha)[:80])
        path = (self.root / sha[:2] / sha[2:]).resolve()
        if not path.is_relative_to(self.root):
            raise ValidationError("kernel.attachment_hash_invalid", field="sha256", value=sha)
        return path

    def open(self, sha: str) -> BinaryIO:
        """The content ``sha`` opened for reading; ``MissingError`` when the file is gone."""
        try:
            return self.path(sha).open("rb")
        except FileNotFoundError:
            raise MissingError("kernel.attachment_file_missing", sha256=sha) from None

    def stored(self) -> Iterator[tuple[str, Path]]:
        """Every stored content as (SHA-256, path); temporary files are not listed."""
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if len(folder.name) != 2 or not folder.is_dir():
                continue
            for file in folder.iterdir():
                sha = folder.name + file.name
                if _HASH.fullmatch(sha):
                    yield sha, file
