"""An integrator opens the API's documentation in a browser: the vendored Swagger UI, served from
our own files only, reading the OpenAPI document, under a CSP relaxed for that page alone."""

from __future__ import annotations

import re

from loom.kernel.web.requests import CSP


def test_the_docs_page_loads_the_vendored_swagger_ui_pointed_at_the_openapi_document(bench):
    response = bench.get("/api/v1/docs", who=None)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert [re.search(r'src="([^"]+)"', attributes).group(1) for attributes, _ in scripts] == [
        "/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/swagger-init.js"]
    assert all(not body.strip() for _, body in scripts)  # no inline script
    assert 'data-openapi-url="/api/v1/openapi.json"' in page
    assert "/static/vendor/swagger-ui/swagger-ui.css" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # no CDN


def test_the_files_it_loads_are_served(bench):
    for path in ("/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/vendor/swagger-ui/swagger-ui.css",
                 "/static/swagger-init.js"):
        assert bench.get(path, who=None).status_code == 200, path
    assert "SwaggerUIBundle" in bench.get("/static/swagger-init.js", who=None).get_data(as_text=True)


def test_only_the_docs_page_may_show_data_images_and_no_page_may_run_inline_code(bench):
    docs = bench.get("/api/v1/docs", who=None).headers["Content-Security-Policy"]
    assert docs == f"{CSP}; img-src 'self' data:"
    assert "unsafe-inline" not in docs and "unsafe-eval" not in docs and "script-src" not in docs
    for path in ("/api/v1/openapi.json", "/api/v1/base.partner", "/login"):
        assert bench.get(path, who=None).headers["Content-Security-Policy"] == CSP, path


def test_the_docs_page_is_declared_public(bench):
    from loom.kernel.api.permissions import route_permissions

    assert ("GET", "/api/v1/docs", "public") in route_permissions(bench.app)
