"""A record's files from its page: upload one (write access to the record needed) and download
one (read access), always as an attachment with ``nosniff`` so no upload ever runs in the
browser (B6). An attachment of a record the user may not see answers 404, like a missing one."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, current_app, g, request, send_file
from werkzeug.wrappers import Response

from loom.kernel.attachments import attach, open_attachment
from loom.kernel.errors import MissingError, ValidationError
from loom.kernel.records import MAX_ID
from loom.kernel.web.display import known_model
from loom.kernel.web.record_actions import act
from loom.kernel.web.state import loom_state

attachment_views = Blueprint("attachment_views", __name__, url_prefix="/m")
#: What every download is sent as: the browser saves it, never shows or runs it.
DOWNLOAD_TYPE = "application/octet-stream"


@attachment_views.post("/<model>/<int:record_id>/attachments")
def upload_attachment(model: str, record_id: int) -> Response | tuple[str, int]:
    """Attach the uploaded ``file`` to the record."""
    upload = request.files.get("file")
    content = upload.read() if upload is not None else b""  # read once: a retried unit attaches it again

    def work(env: Any) -> None:
        if upload is None or not upload.filename:
            raise ValidationError("kernel.web_attachment_file_missing", field="file")
        attach(env, model, record_id, upload.filename, content)

    return act(model, record_id, "attachment", work)


@attachment_views.get("/<model>/<int:record_id>/attachments/<int:attachment_id>")
def download_attachment(model: str, record_id: int, attachment_id: int) -> Response:
    """The file of attachment ``attachment_id`` of the record, as a download."""
    def read(env: Any) -> tuple[str, bytes]:
        known_model(env, model)
        if attachment_id > MAX_ID:  # no such row can exist; the database would refuse to compare it
            raise MissingError("kernel.attachment_missing", id=attachment_id)
        row, stream = open_attachment(env, attachment_id)
        with stream:
            if (row.model, row.res_id) != (model, record_id):
                raise MissingError("kernel.attachment_missing", id=attachment_id)
            return row.name, stream.read()

    name, content = loom_state(current_app).run(g.account.uid, read, write=False)
    response = send_file(io.BytesIO(content), mimetype=DOWNLOAD_TYPE, as_attachment=True, download_name=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
