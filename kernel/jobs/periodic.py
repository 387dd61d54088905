"""Periodic jobs that modules declare through ``register_periodic_jobs``; the worker runs them on schedule."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from loom.kernel.errors import ConfigurationError

if TYPE_CHECKING:
    from loom.kernel.registry import Registry

_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
CRON_FIELDS = ("minute", "hour", "day", "month", "day_of_week")


@dataclass(frozen=True)
class PeriodicJob:
    """``run(env)`` every time ``schedule`` matches (UTC).

    ``name`` is ``module.job``; ``schedule`` holds the five crontab fields ``minute hour day month
    day_of_week`` (``"0 2 * * *"``: 02:00 every day; ``*/n``, ``m-n`` and ``m,n`` as in cron; day 0
    of the week is Sunday). ``run`` gets a superuser environment in its own unit of work: it
    commits when ``run`` returns and rolls back when it raises."""

    name: str
    schedule: str
    run: Callable[[Any], Any]

    def crontab_fields(self) -> dict[str, str]:
        """The schedule as huey's ``crontab`` keyword arguments."""
        fields = self.schedule.split()
        if len(fields) != len(CRON_FIELDS):
            raise ConfigurationError("kernel.periodic_job_schedule", job=self.name, schedule=self.schedule)
        return dict(zip(CRON_FIELDS, fields, strict=True))

    def validator(self) -> Callable[[Any], bool]:
        """huey's test of a datetime against the schedule (a clear error when a field is malformed)."""
        from huey import crontab

        try:
            return crontab(strict=True, **self.crontab_fields())
        except ValueError:
            raise ConfigurationError("kernel.periodic_job_schedule", job=self.name,
                                     schedule=self.schedule) from None


def periodic_jobs(registry: Registry) -> dict[str, PeriodicJob]:
    """Every declared periodic job, by name (a duplicate or malformed name is a ``ConfigurationError``)."""
    found: dict[str, PeriodicJob] = {}
    for contribution in registry.pm.hook.register_periodic_jobs():
        for job in contribution:
            if not _NAME.match(job.name) or job.name in found:
                raise ConfigurationError("kernel.periodic_job_invalid", job=job.name)
            job.crontab_fields()
            found[job.name] = job
    return found
