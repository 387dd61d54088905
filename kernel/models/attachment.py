"""Kernel models of attachments: files on any record, stored by content hash.

An attachment row names the record it belongs to (``model``, ``res_id``) and the file's content by
its SHA-256; the bytes live once per content in the filestore beside the database (see
:mod:`loom.kernel.attachments.filestore`). Access follows the record: reading an attachment needs
read access to the record, attaching and removing need write access to it.
"""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.fields import Many2One, boolean
from loom.kernel.model import Index, Model


class Attachment(Model):
    """A file attached to one record: its sanitized name, detected mimetype, size and SHA-256.

    ``active_content`` marks types a browser would run (HTML, SVG, XML, JavaScript): channels serve
    them only as downloads, never inline. ``company_id`` is the record's company (empty for shared
    records). Only the attachment functions write the rows (``__managed__``), and no role reads them
    through the generic channels (:data:`loom.kernel.access.RECORD_BOUND`): an attachment is reached
    through its record."""

    __model__ = "loom.attachment"
    __managed__ = True
    __company__ = "optional"
    __order__ = "id"
    __indexes__ = (Index("model", "res_id"), Index("sha256"))

    model: Mapped[str] = mapped_column(String(100))
    res_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    active_content: Mapped[bool] = boolean(False)
    created_by_id = Many2One("loom.user", ondelete="SET NULL", label="Created by")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


#: The models this file declares, registered by :mod:`loom.kernel.models`.
MODELS: tuple[type, ...] = (Attachment,)
#: Triggers and views on these models' tables (re-created after every migration).
TRIGGERS: tuple[object, ...] = ()
