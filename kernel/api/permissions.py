"""Every API route declares the permission it checks (A5).

``@declares("read")`` records the permission on the view function; :func:`route_permissions`
lists the API's routes with theirs, and a test compares that list with a reviewed snapshot
(``tests/api/routes.snapshot``), so a new public route fails CI until someone approves it.
Permissions: ``public`` (no token), ``token`` (any valid token), or a model permission
(``read``, ``create``, ``write``, ``delete``) checked by :class:`~loom.kernel.records.Records`
on the model named in the path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask

F = TypeVar("F", bound=Callable[..., Any])
PERMISSIONS = ("public", "token", "read", "create", "write", "delete")
ATTRIBUTE = "loom_permission"


def declares(permission: str) -> Callable[[F], F]:
    """Mark a view with the permission it checks."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown route permission {permission!r}")

    def mark(view: F) -> F:
        setattr(view, ATTRIBUTE, permission)
        return view

    return mark


def route_permissions(app: Flask, prefix: str = "/api/") -> list[tuple[str, str, str]]:
    """``(methods, path, permission)`` of every route under ``prefix``, sorted; ``undeclared`` when missing."""
    rows = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix):
            continue
        view = app.view_functions[rule.endpoint]
        methods = ",".join(sorted(set(rule.methods or ()) - {"HEAD", "OPTIONS"}))
        rows.append((methods, rule.rule, getattr(view, ATTRIBUTE, "undeclared")))
    return sorted(rows, key=lambda row: (row[1], row[0]))
