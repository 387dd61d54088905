"""The worker of one database: relays due outbox events into the job queue and runs the queue's tasks.

Two kinds of task run in the queue: ``loom.outbox.deliver`` (one per relayed event, see
:mod:`loom.kernel.outbox.delivery`) and ``loom.job.<name>`` (the periodic jobs, scheduled by
huey's periodic mode). :meth:`Worker.run_once` relays and runs everything that is due in the
calling thread, then returns (``loom worker --once``, tests, demos); :meth:`Worker.run` starts
huey's consumer with worker threads and a relay thread, until SIGINT or SIGTERM (``loom worker``).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from loom.kernel.db import run_unit_of_work
from loom.kernel.jobs.periodic import PeriodicJob, periodic_jobs
from loom.kernel.jobs.queue import enqueue_many
from loom.kernel.outbox.delivery import deliver
from loom.kernel.outbox.event import Event
from loom.kernel.outbox.policy import RetryPolicy
from loom.kernel.outbox.relay import claim_due

log = logging.getLogger(__name__)
#: Events claimed per relay transaction.
BATCH = 500
#: Delivery tasks a worker lets wait in the queue: claiming more than the workers can run within
#: the lease would only see the leases run out and the events relayed again.
BACKLOG = 5000


class Worker:
    """Relay and job runner of the database behind ``engine`` (``registry``: its installed set)."""

    def __init__(self, engine: Engine, registry: Any, queue: Any, *, policy: RetryPolicy | None = None,
                 batch: int = BATCH) -> None:
        self.engine, self.registry, self.queue = engine, registry, queue
        self.policy = policy or RetryPolicy.from_environment()
        self.batch = batch
        self.jobs = periodic_jobs(registry)
        self._deliver_task = queue.task(name="loom.outbox.deliver")(self._deliver)
        self._job_tasks = {name: self._declare(job) for name, job in self.jobs.items()}

    def relay(self, limit: int | None = None) -> int:
        """Claim due events, batch by batch, up to ``limit`` (default: all), and put one delivery
        task per event into the queue; how many were relayed."""
        table = self.registry["loom.outbox_event"].__table__
        total = 0
        while limit is None or total < limit:
            size = self.batch if limit is None else min(self.batch, limit - total)
            events = run_unit_of_work(self.engine, lambda session, n=size: claim_due(session, table, self.policy, n))
            enqueue_many(self.queue, [self._deliver_task.s(event.as_message()) for event in events])
            total += len(events)
            if len(events) < size:
                break
        return total

    def drain(self) -> int:
        """Run every task waiting in the queue, in this thread; how many ran. An empty queue ends
        it at once (Redis and PostgreSQL queues would otherwise wait a second for new tasks)."""
        storage, ran = self.queue.storage, 0
        blocking, storage.blocking = storage.blocking, False
        try:
            while (task := self.queue.dequeue()) is not None:
                self.queue.execute(task)
                ran += 1
        finally:
            storage.blocking = blocking
        return ran

    def run_once(self, now: datetime | None = None) -> dict[str, int]:
        """Start the periodic jobs due this minute (``now``, UTC), then relay and run until nothing
        is due; failed events wait for their backoff, so this returns."""
        due = self.queue.read_periodic(now or datetime.now(UTC).replace(tzinfo=None))
        enqueue_many(self.queue, due)
        counts = {"jobs": len(due), "relayed": 0, "ran": 0}
        while True:
            relayed = self.relay(BACKLOG)
            ran = self.drain()
            counts["relayed"] += relayed
            counts["ran"] += ran
            if not relayed and not ran:
                return counts

    def run(self, *, threads: int = 2, relay_interval: float = 0.5) -> None:
        """Run huey's consumer (``threads`` worker threads, periodic jobs on) and a relay thread
        until the process is told to stop (SIGINT or SIGTERM)."""
        stop = threading.Event()
        relay = threading.Thread(target=self._relay_forever, args=(stop, relay_interval), name="loom-relay",
                                 daemon=True)
        relay.start()
        consumer = self.queue.create_consumer(workers=threads, worker_type="thread", periodic=True)
        try:
            consumer.run()
        finally:
            stop.set()
            relay.join(timeout=relay_interval * 4)

    def run_job(self, name: str) -> Any:
        """Run the periodic job ``name`` now, in this thread (``loom worker run-job``)."""
        from loom.kernel.errors import MissingError

        job = self.jobs.get(name)
        if job is None:
            raise MissingError("kernel.periodic_job_missing", field="name", job=name)
        return self._run_job(job)

    # -- tasks ------------------------------------------------------------------------------------

    def _deliver(self, message: dict[str, Any]) -> None:
        deliver(self.engine, self.registry, Event(**message), self.policy)  # returns None: huey stores no result

    def _declare(self, job: PeriodicJob) -> Any:
        def run() -> None:
            self._run_job(job)  # returns None: huey stores no result

        return self.queue.periodic_task(job.validator(), name=f"loom.job.{job.name}")(run)

    def _run_job(self, job: PeriodicJob) -> Any:
        from loom.kernel.environment import Environment

        log.info("periodic job %s: starting", job.name)
        result = run_unit_of_work(self.engine, lambda session: job.run(Environment(self.registry, session, su=True)))
        log.info("periodic job %s: done", job.name)
        return result

    def _relay_forever(self, stop: threading.Event, interval: float) -> None:
        while not stop.is_set():
            try:
                room = BACKLOG - self.queue.pending_count()
                relayed = self.relay(room) if room > 0 else 0
            except Exception:  # noqa: BLE001 - a relay failure (database restarting) must not end the worker
                log.exception("outbox relay failed; trying again")
                relayed = 0
            if not relayed:
                stop.wait(interval)
