"""The kernel's own periodic jobs: the nightly ``loom check`` and the pruning of delivered outbox history."""

from __future__ import annotations

import logging
from typing import Any

from loom.kernel.hooks import hookimpl
from loom.kernel.jobs.periodic import PeriodicJob

log = logging.getLogger(__name__)
#: Violations carried by the ``kernel.check.completed`` event (the log has them all).
VIOLATIONS_IN_EVENT = 100


def nightly_check(env: Any) -> int:
    """Run every invariant check, log each violation and emit ``kernel.check.completed`` with the
    count and the first violations, so a module can mail or page someone; returns the count."""
    from loom.kernel.checks import run_checks
    from loom.kernel.outbox import emit

    violations = run_checks(env)
    for violation in violations:
        log.warning("check %s: %s %s", violation.check, violation.message, violation.records)
    log.info("nightly check: %d violation(s)", len(violations))
    shown = [{"check": v.check, "message": v.message, "records": [list(r) for r in v.records]}
             for v in violations[:VIOLATIONS_IN_EVENT]]
    emit(env, "kernel.check.completed", [{"violations": len(violations), "first": shown}], model=None, ids=[None])
    return len(violations)


def prune_outbox(env: Any) -> dict[str, int]:
    """Forget delivered events and receipts older than the retention (30 days by default)."""
    from loom.kernel.outbox.prune import prune_delivered

    return prune_delivered(env)


@hookimpl
def register_periodic_jobs() -> list[PeriodicJob]:
    """The kernel runs every invariant check at 02:00 UTC and prunes the outbox's history at 03:00."""
    return [PeriodicJob("kernel.nightly_check", "0 2 * * *", nightly_check),
            PeriodicJob("kernel.outbox_prune", "0 3 * * *", prune_outbox)]
