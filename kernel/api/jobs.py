"""The API's periodic job: idempotency keys are forgotten after 24 hours."""

from __future__ import annotations

from loom.kernel.api.idempotency import prune_keys
from loom.kernel.hooks import hookimpl
from loom.kernel.jobs.periodic import PeriodicJob


@hookimpl
def register_periodic_jobs() -> list[PeriodicJob]:
    """Prune idempotency keys older than 24 hours, every hour at minute 17."""
    return [PeriodicJob("kernel.api_idempotency_prune", "17 * * * *", prune_keys)]
