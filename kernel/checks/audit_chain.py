"""The security audit log's hash chain is intact (the same walk as ``loom audit verify``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from loom.kernel.audit import verify_chain
from loom.kernel.checks.check import Violation

NAME = "kernel.audit_chain"


def audit_chain(env: Any) -> Iterator[Violation]:
    """Yield a violation naming the first broken audit record, if any."""
    checked, broken = verify_chain(env.session.connection())
    if broken is not None:
        yield Violation(NAME, f"audit chain broken at seq {broken.seq} ({broken.problem}) after {checked} "
                              f"intact record(s)", [("loom.audit_log", broken.id)] if broken.id else [])
