"""Every API route declares its permission, and the list of routes is a reviewed snapshot (A5):
a new route fails here until someone adds it to ``routes.snapshot`` on purpose."""

from __future__ import annotations

from pathlib import Path

from loom.kernel.api.permissions import route_permissions

SNAPSHOT = Path(__file__).with_name("routes.snapshot")


def test_the_api_routes_and_their_permissions_match_the_reviewed_snapshot(bench):
    rows = route_permissions(bench.app)
    assert all(permission != "undeclared" for _, _, permission in rows), rows
    current = "".join(f"{methods:<24} {path:<45} {permission}\n" for methods, path, permission in rows)
    assert current == SNAPSHOT.read_text(), (
        "The API's routes changed. Review the new list and write it to tests/api/routes.snapshot:\n" + current)


def test_only_the_declared_public_routes_answer_without_a_token(bench):
    public = {path for _, path, permission in route_permissions(bench.app) if permission == "public"}
    assert public == {"/api/v1/health", "/api/v1/auth/token", "/api/v1/openapi.json", "/api/v1/docs",
                      "/api/v1/<path:rest>"}
    for path in ("/api/v1/base.partner", "/api/v1/base.partner/1", "/api/v1/loom.user"):
        assert bench.get(path, who=None).status_code == 401
