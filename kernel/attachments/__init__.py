"""Attachments: files on any record, stored once per content in the filestore beside the database.

::

    from loom.kernel.attachments import attach, list_attachments, open_attachment
    row = attach(env, "base.partner", partner.id, "合同.pdf", pdf_bytes)
    rows = list_attachments(env, "base.partner", [partner.id])
    row, stream = open_attachment(env, row.id)

Access follows the record (see :mod:`loom.kernel.attachments.service`); unreferenced files go with
:func:`collect_garbage`, never on delete.
"""

from loom.kernel.attachments.content_types import ACTIVE_TYPES, detect
from loom.kernel.attachments.filestore import Filestore
from loom.kernel.attachments.garbage import Collected, collect_garbage
from loom.kernel.attachments.names import MAX_NAME, sanitize_name
from loom.kernel.attachments.service import (
    attach,
    filestore,
    get_attachment,
    get_attachments,
    list_attachments,
    max_bytes,
    open_attachment,
    remove_attachments,
)

__all__ = [
    "ACTIVE_TYPES", "MAX_NAME", "Collected", "Filestore", "attach", "collect_garbage", "detect", "filestore",
    "get_attachment", "get_attachments", "list_attachments", "max_bytes", "open_attachment", "remove_attachments",
    "sanitize_name",
]
