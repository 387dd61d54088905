"""Open the job queue of a database and put many tasks into it at once.

``open_queue(database_url)`` returns a huey instance: ``SqliteHuey`` in the file beside the
database (:func:`loom.kernel.paths.jobs_database`) unless ``LOOM_JOBS_URL`` (or ``jobs_url``)
names ``redis://host:port/db`` (``RedisHuey``), ``postgresql://...`` (``PostgresHuey``, tables
``huey_*``) or ``sqlite:///path`` (``SqliteHuey`` in that file). The queue's name is derived from
the database, so databases sharing one Redis never share a queue. ``immediate=True`` gives huey's
immediate mode (tasks run at once, in memory) for tests.

huey has no bulk enqueue: :func:`enqueue_many` writes a batch with one ``LPUSH`` on Redis and one
transaction (``executemany``) on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from loom.kernel.errors import ConfigurationError
from loom.kernel.paths import jobs_database


def open_queue(database_url: str, *, jobs_url: str | None = None, immediate: bool = False) -> Any:
    """The huey instance of the database at ``database_url`` (see the module docstring)."""
    import huey

    name = queue_name(database_url)
    options = {"results": immediate, "store_none": False, "utc": True}
    if immediate:
        return huey.MemoryHuey(name, immediate=True, **options)
    target = jobs_url or os.environ.get("LOOM_JOBS_URL") or ""
    scheme = target.partition(":")[0].lower()
    if not target or scheme == "sqlite":
        path = Path(make_url(target).database or "") if target else jobs_database(database_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        return huey.SqliteHuey(name, filename=str(path), **options)
    if scheme in ("redis", "rediss", "unix"):
        return huey.RedisHuey(name, url=target, **options)
    if scheme.startswith("postgresql") or scheme == "postgres":
        dsn = target.replace("postgresql+psycopg://", "postgresql://", 1)
        return huey.PostgresHuey(name, dsn=dsn, **options)
    raise ConfigurationError("kernel.jobs_url_unsupported", url=make_url(target).render_as_string(hide_password=True)
                             if "://" in target else target)


def queue_name(database_url: str) -> str:
    """``loom_<database name>_<8 hex digits>``: one queue per database. The digits hash the SQLite
    file's absolute path (however the URL spells it) or the server URL without its password."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        stem, identity = Path(url.database or "loom").stem, str(jobs_database(url))
    else:
        stem, identity = url.database or "loom", url.render_as_string(hide_password=True)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:8]
    return "loom_" + "".join(ch for ch in stem if ch.isalnum() or ch == "_") + "_" + digest


def enqueue_many(queue: Any, tasks: Sequence[Any]) -> None:
    """Put ``tasks`` (huey ``Task`` objects, from ``task.s(...)``) into ``queue`` in order, in bulk.

    In immediate mode each task runs at once and its exception is raised here (huey would keep it
    in the result until someone reads it)."""
    if not tasks:
        return
    if queue.immediate:
        for task in tasks:
            queue.enqueue(task).get()
        return
    storage = queue.storage
    messages = [queue.serialize_task(task) for task in tasks]
    writer = _BULK_WRITERS.get(type(storage).__name__)
    if writer is None:
        for message in messages:
            storage.enqueue(message)
    else:
        writer(storage, messages)


def _redis(storage: Any, messages: list[bytes]) -> None:
    storage.conn.lpush(storage.queue_key, *messages)  # LPUSH a b c + BRPOP: a is taken first


def _sqlite(storage: Any, messages: list[bytes]) -> None:
    with storage.db(commit=True) as cursor:
        cursor.executemany("insert into task (queue, data, priority) values (?, ?, 0)",
                           [(storage.name, storage.to_blob(message)) for message in messages])


def _postgres(storage: Any, messages: list[bytes]) -> None:
    with storage.db(commit=True) as cursor:
        cursor.executemany(f"insert into {storage.table_task} (queue, data, priority) values (%s, %s, 0)",
                           [(storage.name, message) for message in messages])
        cursor.execute("select pg_notify(%s, %s)", (storage.channel, ""))


_BULK_WRITERS = {"RedisStorage": _redis, "SqliteStorage": _sqlite, "PostgresStorage": _postgres}
