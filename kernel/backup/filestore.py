"""The filestore beside a database: hashing, copying, and swapping a copy in place all at once."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from pathlib import Path


def file_digests(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root`` by its relative path (empty when ``root`` is absent)."""
    if not root.is_dir():
        return {}
    digests = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        with path.open("rb") as handle:
            digests[path.relative_to(root).as_posix()] = hashlib.file_digest(handle, "sha256").hexdigest()
    return digests


def copy_tree(source: Path, target: Path) -> None:
    """Copy the folder ``source`` to ``target`` (which must not exist); nothing when ``source`` is absent."""
    if source.is_dir():
        shutil.copytree(source, target)


def staged_beside(root: Path) -> Path:
    """A fresh path next to ``root`` where a replacement is prepared before :func:`swap_in`."""
    return root.with_name(f".{root.name}.restore-{uuid.uuid4().hex[:8]}")


def swap_in(staged: Path, root: Path) -> None:
    """Put ``staged`` (a folder, or nothing) in place of ``root`` with renames, then drop the old one."""
    old = root.with_name(f".{root.name}.old-{uuid.uuid4().hex[:8]}")
    if root.exists():
        root.rename(old)
    if staged.exists():
        staged.rename(root)
    shutil.rmtree(old, ignore_errors=True)
