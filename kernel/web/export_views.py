"""Export from a list: ``POST /m/<model>/export`` writes the list's current search (same domain,
facets, order and columns) to CSV or XLSX through the kernel's export, as the user.

The export checks the model's ``export`` permission (403 without it), applies record rules and
companies, neutralizes formula-looking cells and audits large exports, exactly as ``loom export``
does. Because an audited export writes the audit log it is a POST carrying the CSRF token. The
file is written inside the unit of work to a spooled temporary file (memory up to
:data:`SPOOL_BYTES`, then disk; the rows themselves are read in batches) and streamed to the
browser after the commit, so no transaction stays open while a slow client downloads.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Any

from flask import Blueprint, Response, current_app, g, request

from loom.kernel.errors import InvalidFieldError
from loom.kernel.transfer import export_records
from loom.kernel.web.display import known_model
from loom.kernel.web.list_query import list_query
from loom.kernel.web.state import loom_state

export_views = Blueprint("exports", __name__, url_prefix="/m")
#: Media types of the export formats.
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
#: Bytes of an export kept in memory before it spills to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024
#: Bytes sent to the browser per chunk.
CHUNK = 64 * 1024


@export_views.post("/<model>/export")
def export_list(model: str) -> Response:
    """The records of the list as the form describes it, as a CSV or XLSX attachment."""
    fmt = request.form.get("format", "")
    if fmt not in MEDIA_TYPES:
        raise InvalidFieldError("kernel.export_format_unknown", field="format", format=fmt[:20],
                              formats=", ".join(MEDIA_TYPES))

    def write(env: Any) -> IO[bytes]:
        known_model(env, model)
        query = list_query(env, model, request.form)
        out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed by the stream
        export_records(env, model, out, format=fmt, fields=query.columns, domain=query.domain,
                       order=query.order or None)
        out.seek(0)
        return out

    out = loom_state(current_app).run(g.account.uid, write)
    return Response(_chunks(out), content_type=MEDIA_TYPES[fmt], direct_passthrough=True, headers={
        "Content-Disposition": f'attachment; filename="{model}.{fmt}"', "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store"})


def _chunks(out: IO[bytes]) -> Iterator[bytes]:
    """The file's bytes in chunks, closing it at the end."""
    with out:
        while chunk := out.read(CHUNK):
            yield chunk
