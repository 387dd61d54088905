"""Background jobs: the job queue (huey), the worker that relays the outbox into it, periodic jobs.

huey is imported only when a queue is opened (its import costs about half a second). The queue
sits beside the database by default (``SqliteHuey`` in ``<db>.jobs.db``); ``LOOM_JOBS_URL`` picks
``redis://...`` (``RedisHuey``) or ``postgresql://...`` (``PostgresHuey``). See docs/outbox-and-jobs.md.
"""

from loom.kernel.jobs.periodic import PeriodicJob, periodic_jobs
from loom.kernel.jobs.queue import enqueue_many, open_queue
from loom.kernel.jobs.worker import Worker

__all__ = ["PeriodicJob", "Worker", "enqueue_many", "open_queue", "periodic_jobs"]
