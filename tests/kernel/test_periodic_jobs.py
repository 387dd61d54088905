"""Periodic jobs: declared through a hook with a crontab schedule, run by the worker in huey's
periodic mode. The kernel's own is the nightly ``loom check`` at 02:00 UTC."""

from __future__ import annotations

from datetime import datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from loom.cli.main import cli
from loom.kernel.db import run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.errors import ConfigurationError, MissingError
from loom.kernel.jobs import PeriodicJob, Worker, open_queue, periodic_jobs
from loom_test_support import FIXTURE_MODULES, committed_shop


@pytest.fixture(scope="module")
def shop(database_factory):
    yield from committed_shop(database_factory, "base")


def worker_for(shop) -> Worker:
    return Worker(shop.engine, shop.registry, open_queue(shop.url, immediate=True))


def check_events(shop) -> list[dict]:
    table = shop.registry["loom.outbox_event"].__table__
    return run_unit_of_work(shop.engine, lambda session: list(session.scalars(
        select(table.c.payload).where(table.c.topic == "kernel.check.completed").order_by(table.c.id))), write=False)


def test_the_kernel_declares_the_nightly_check_through_the_hook(shop):
    job = periodic_jobs(shop.registry)["kernel.nightly_check"]
    assert job.schedule == "0 2 * * *"


@pytest.mark.parametrize(("moment", "due"), [
    (datetime(2026, 12, 6, 2, 0), True),
    (datetime(2026, 12, 6, 2, 1), False),
    (datetime(2026, 12, 6, 14, 0), False),
])
def test_the_worker_starts_the_nightly_check_at_two_in_the_morning_only(shop, moment, due):
    started = [task.name for task in worker_for(shop).queue.read_periodic(moment)]
    assert started == (["loom.job.kernel.nightly_check"] if due else [])


def test_a_run_at_two_runs_the_checks_and_reports_what_they_found(shop):
    from loom.kernel.checks import run_checks

    before = len(check_events(shop))
    counts = worker_for(shop).run_once(now=datetime(2026, 12, 6, 2, 0))
    assert counts["jobs"] == 1
    [report] = check_events(shop)[before:]
    found = run_unit_of_work(shop.engine, lambda session: run_checks(Environment(shop.registry, session, su=True)),
                             write=False)
    assert report["violations"] == len(found)


def test_a_run_at_another_time_starts_no_job(shop):
    before = len(check_events(shop))
    assert worker_for(shop).run_once(now=datetime(2026, 12, 6, 9, 30))["jobs"] == 0
    assert len(check_events(shop)) == before


@pytest.mark.parametrize("schedule", ["0 25 * * *", "* * *", "every night"])
def test_a_malformed_schedule_is_refused_naming_the_job(schedule):
    job = PeriodicJob("sales.nightly_digest", schedule, lambda env: None)
    with pytest.raises(ConfigurationError) as caught:
        job.validator()
    assert caught.value.params["job"] == "sales.nightly_digest"


def test_an_unknown_job_is_a_clear_error(shop):
    with pytest.raises(MissingError) as caught:
        worker_for(shop).run_job("kernel.no_such_job")
    assert caught.value.params["job"] == "kernel.no_such_job"


def test_run_job_runs_the_nightly_check_now_from_the_command_line(shop, tmp_path):
    before = len(check_events(shop))
    result = CliRunner().invoke(cli, ["worker", "run-job", "kernel.nightly_check"], catch_exceptions=False,
                                env={"LOOM_DATABASE_URL": shop.url, "LOOM_MODULE_PATH": str(FIXTURE_MODULES),
                                     "LOOM_DATA_DIR": str(tmp_path / "data"), "LOOM_JOBS_URL": ""})
    assert result.output.startswith("kernel.nightly_check: done")
    assert len(check_events(shop)) == before + 1
