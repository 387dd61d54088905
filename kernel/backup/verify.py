"""Comparing the figures of two copies of a database: per-table rows and hashes, per-file hashes."""

from __future__ import annotations

from typing import Any

from loom.kernel.errors import UserError


def differences(expected: dict[str, dict[str, Any]], actual: dict[str, dict[str, Any]]) -> list[str]:
    """One line per table whose row count or content hash differs (or that is missing on one side)."""
    lines = []
    for name in sorted(set(expected) | set(actual)):
        want, got = expected.get(name), actual.get(name)
        if want is None or got is None:
            lines.append(f"{name}: {'missing' if got is None else 'unexpected'}")
        elif want["rows"] != got["rows"]:
            lines.append(f"{name}: {got['rows']} rows instead of {want['rows']}")
        elif want["hash"] != got["hash"]:
            lines.append(f"{name}: content differs ({want['rows']} rows)")
    return lines


def file_differences(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """One line per filestore file missing, unexpected or changed."""
    lines = []
    for path in sorted(set(expected) | set(actual)):
        if expected.get(path) != actual.get(path):
            problem = "missing" if path not in actual else "unexpected" if path not in expected else "changed"
            lines.append(f"filestore/{path}: {problem}")
    return lines


def require_equal(what: str, lines: list[str]) -> None:
    """Raise ``UserError("kernel.verification_failed")`` naming the first differences, if any."""
    if lines:
        raise UserError("kernel.verification_failed", what=what, count=len(lines), differences="; ".join(lines[:10]))
