"""Garbage collection: attachments of records that are gone, then files nothing refers to any more.

Deleting an attachment never deletes its file: the same content may be attached elsewhere, a backup
taken before the delete may still be restored, and a transaction that stored the file may not have
committed yet. :func:`collect_garbage` removes the files no ``loom.attachment`` row names, once they
are older than ``min_age`` seconds (files being attached right now are younger), and left-over
temporary files of the same age. Before that it deletes the attachment rows whose record no longer
exists (deleted, or its model uninstalled): nobody can read them any more.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, exists, select

from loom.kernel import access
from loom.kernel.attachments.filestore import TEMP_FOLDER
from loom.kernel.attachments.service import MODEL, filestore

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

#: Files younger than this (seconds) are kept: their attachment may not have committed yet.
DEFAULT_MIN_AGE = 3600


@dataclass(frozen=True)
class Collected:
    """What a collection removed: attachment rows of vanished records, files and their bytes."""

    files: int
    bytes: int
    rows: int = 0


def collect_garbage(env: Environment, *, min_age: float = DEFAULT_MIN_AGE) -> Collected:
    """Forget attachments of vanished records, then remove unreferenced files older than ``min_age``
    seconds; needs delete access to attachments."""
    access.check_model(env, MODEL, "delete")
    rows = _forget_orphans(env)
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
    return Collected(files, size, rows)


def _forget_orphans(env: Environment) -> int:
    """Delete attachment rows whose record is gone: one statement per model attachments point at."""
    cls = env.registry[MODEL]
    removed = 0
    for model in list(env.session.scalars(select(cls.model).distinct())):
        stmt = delete(cls).where(cls.model == model)
        if model in env.registry:
            target = env.registry[model]
            stmt = stmt.where(~exists().where(target.id == cls.res_id))
        removed += env.session.execute(stmt, execution_options={"synchronize_session": False}).rowcount
    if removed:
        env.session.expire_all()
    return removed
