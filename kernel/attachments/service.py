"""Attach files to records, list, read and remove them, as the environment's user.

Access follows the record an attachment belongs to: listing and reading need read access to it
(record rules and companies apply), attaching and removing need write access to it. An attachment
whose record the user cannot see is answered exactly like one that does not exist. The rows are
read and written with the kernel's own rights once the record check has passed.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import delete, select

from loom.kernel.attachments.content_types import detect
from loom.kernel.attachments.filestore import Filestore
from loom.kernel.attachments.names import sanitize_name
from loom.kernel.errors import AccessError, MissingError, ValidationError
from loom.kernel.paths import filestore_root
from loom.kernel.storage_full import as_storage_full

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

MODEL = "loom.attachment"
#: Default largest file accepted (25 MB); ``LOOM_ATTACHMENT_MAX_BYTES`` overrides it.
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
_HEAD = 2048


def max_bytes() -> int:
    """The largest attachment accepted, in bytes (``LOOM_ATTACHMENT_MAX_BYTES``, default 25 MB)."""
    value = os.environ.get("LOOM_ATTACHMENT_MAX_BYTES", "")
    return int(value) if value.strip().isdigit() else DEFAULT_MAX_BYTES


def filestore(env: Environment) -> Filestore:
    """The filestore of the database ``env`` works on (:func:`loom.kernel.paths.filestore_root`)."""
    bind = env.session.get_bind()
    return Filestore(filestore_root(getattr(bind, "engine", bind).url))


def attach(env: Environment, model: str, res_id: int, name: str, content: BinaryIO | bytes) -> Any:
    """Attach ``content`` under ``name`` to record ``res_id`` of ``model``; needs write access to it.

    The name is sanitized, the size limit enforced while the content is stored, the mimetype detected
    from the first bytes and the name. Returns the new ``loom.attachment`` record. A full disk is
    ``StorageFullError``."""
    record = _record(env, model, res_id, perm="write")
    stream = io.BytesIO(content) if isinstance(content, bytes) else content
    head = stream.read(_HEAD)
    safe_name = sanitize_name(name)
    try:
        sha, size = filestore(env).put(_Rejoined(head, stream), max_bytes=max_bytes(), name=safe_name)
    except OSError as exc:
        full = as_storage_full(exc)
        if full is None:
            raise
        raise full from exc
    mimetype, active = detect(head, safe_name)
    row = env.registry[MODEL](model=model, res_id=res_id, name=safe_name, mimetype=mimetype, size=size,
                              sha256=sha, active_content=active, created_by_id=env.uid,
                              company_id=getattr(record, "company_id", None))
    env.session.add(row)
    env.session.flush()
    return row


def list_attachments(env: Environment, model: str, res_ids: Sequence[int]) -> list[Any]:
    """The attachments of the records ``res_ids`` of ``model`` (read access to every one needed)."""
    ids = list(res_ids)
    _records(env, model, ids, perm="read")
    cls = env.registry[MODEL]
    stmt = select(cls).where(cls.model == model, cls.res_id.in_(ids)).order_by(cls.res_id, cls.id)
    return list(env.session.scalars(stmt))


def get_attachment(env: Environment, attachment_id: int, *, perm: str = "read") -> Any:
    """One attachment whose record the user may ``perm``; otherwise ``MissingError`` as if absent."""
    return get_attachments(env, [attachment_id], perm=perm)[0]


def get_attachments(env: Environment, attachment_ids: Sequence[int], *, perm: str = "read") -> list[Any]:
    """The attachments ``attachment_ids`` (in that order), checked with one query per model of their
    records; any absent, or on a record the user may not ``perm``, is ``MissingError`` naming the
    attachments of that model asked for (the same answer whether the record exists or is hidden)."""
    wanted = list(dict.fromkeys(attachment_ids))
    if any(isinstance(i, bool) or not isinstance(i, int) for i in wanted):
        raise ValidationError("kernel.value_not_integer", field="id", value=repr(wanted)[:60])
    cls = env.registry[MODEL]
    rows = {row.id: row for row in env.session.scalars(select(cls).where(cls.id.in_(wanted)))} if wanted else {}
    for attachment_id in wanted:
        if attachment_id not in rows:
            raise MissingError("kernel.attachment_missing", id=attachment_id)
    by_model: dict[str, list[Any]] = {}
    for row in rows.values():
        by_model.setdefault(row.model, []).append(row)
    for model, model_rows in by_model.items():
        try:
            _records(env, model, [row.res_id for row in model_rows], perm=perm)
        except (MissingError, AccessError, ValidationError):
            shown = ", ".join(str(row.id) for row in model_rows)
            raise MissingError("kernel.attachment_missing", id=shown) from None
    return [rows[i] for i in wanted]


def open_attachment(env: Environment, attachment_id: int) -> tuple[Any, BinaryIO]:
    """(attachment, its content opened for reading) when the user may read its record."""
    row = get_attachment(env, attachment_id)
    return row, filestore(env).open(row.sha256)


def remove_attachments(env: Environment, attachment_ids: Sequence[int]) -> int:
    """Delete the attachment rows (write access to each record needed); files stay until garbage
    collection, since a backup or an open transaction may still need them. Returns how many."""
    rows = get_attachments(env, attachment_ids, perm="write")
    if rows:
        cls = env.registry[MODEL]
        env.session.execute(delete(cls).where(cls.id.in_([row.id for row in rows])))
        for row in rows:
            env.session.expunge(row)
    return len(rows)


def _record(env: Environment, model: str, res_id: int, *, perm: str) -> Any:
    return _records(env, model, [res_id], perm=perm)[0]


def _records(env: Environment, model: str, ids: list[int], *, perm: str) -> list[Any]:
    if model not in env or model == MODEL:
        raise ValidationError("kernel.attachment_model_unknown", field="model", model=model)
    return env[model].browse(ids, perm=perm)


class _Rejoined(io.RawIOBase):
    """The bytes already read (``head``) followed by the rest of ``stream``."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self.head, self.stream = head, stream

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes: what is left of the head first."""
        if self.head:
            chunk, self.head = self.head, b""
            return chunk
        return self.stream.read(size)
