"""Garbage collection of the filestore: remove files no attachment refers to any more.

Deleting an attachment never deletes its file: the same content may be attached elsewhere, a backup
taken before the delete may still be restored, and a transaction that stored the file may not have
committed yet. :func:`collect_garbage` removes the files no ``loom.attachment`` row names, once they
are older than ``min_age`` seconds (files being attached right now are younger), and left-over
temporary files of the same age.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from loom.kernel import access
from loom.kernel.attachments.filestore import TEMP_FOLDER
from loom.kernel.attachments.service import MODEL, filestore

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

#: Files younger than this (seconds) are kept: their attachment may not have committed yet.
DEFAULT_MIN_AGE = 3600


@dataclass(frozen=True)
class Collected:
    """What a collection removed."""

    files: int
    bytes: int


def collect_garbage(env: Environment, *, min_age: float = DEFAULT_MIN_AGE) -> Collected:
    """Remove unreferenced files older than ``min_age`` seconds; needs delete access to attachments."""
    access.check_model(env, MODEL, "delete")
    cls = env.registry[MODEL]
    referenced = set(env.session.scalars(select(cls.sha256).distinct()))
    store = filestore(env)
    cutoff = time.time() - min_age
    files = size = 0
    temp_dir = store.root / TEMP_FOLDER
    candidates = [path for sha, path in store.stored() if sha not in referenced]
    candidates += list(temp_dir.iterdir()) if temp_dir.is_dir() else []
    for path in candidates:
        stat = path.stat()
        if stat.st_mtime <= cutoff:
            path.unlink(missing_ok=True)
            files, size = files + 1, size + stat.st_size
            with contextlib.suppress(OSError):  # the folder of the hash's first two digits, once empty
                path.parent.rmdir() if path.parent != temp_dir else None
    return Collected(files, size)
