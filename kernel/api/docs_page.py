"""``GET /api/v1/docs``: the API's interactive documentation, the vendored Swagger UI reading
``/api/v1/openapi.json``. Public like the document it shows (it holds no data); calls made from it
need a token like any others.

The page loads only our own files: ``static/vendor/swagger-ui/`` and ``static/swagger-init.js``
(no inline script). Its Content-Security-Policy is the shell's with one addition, for this page
only (:data:`DOCS_CSP`): ``img-src 'self' data:``, because Swagger UI's stylesheet draws its icons
(the expand arrows, the lock of secured operations, the copy button) as ``data:`` SVG images. No
``style-src`` allowance is needed: Swagger UI 5 sets its inline styles through the DOM's style
properties, which the CSP does not govern (driven in chromium: expanding operations and schemas,
"Try it out" and executing a call report no violation under this policy).
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from loom.kernel.api.permissions import declares
from loom.kernel.web.requests import CSP

#: The policy of the documentation page: the shell's, plus ``data:`` images.
DOCS_CSP = f"{CSP}; img-src 'self' data:"


def add_docs_page(api: Blueprint) -> None:
    """Add ``GET /docs`` to the ``/api/v1`` blueprint."""

    @api.get("/docs")
    @declares("public")
    def docs() -> Response:
        """The Swagger UI page of the API."""
        response = Response(render_template("api/docs.html"))
        response.headers["Content-Security-Policy"] = DOCS_CSP
        return response
