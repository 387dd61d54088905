"""``loom worker``: relay the outbox into the job queue and run the jobs; inspect and requeue events."""

from __future__ import annotations

import json
import logging
from typing import Any

import click

from loom.cli.context import acting_user_option, database_url, engine_for, manager_for, run_as_user


@click.group(invoke_without_command=True)
@click.option("--once", is_flag=True, help="Relay and run what is due now, then exit.")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@click.option("--max-attempts", type=click.IntRange(1), default=None, envvar="LOOM_OUTBOX_MAX_ATTEMPTS",
              help="Attempts before an event is dead (default 12).")
@click.option("--lease", type=click.FloatRange(0.1), default=None, envvar="LOOM_OUTBOX_LEASE",
              help="Seconds a relayed event waits for its worker before it is relayed again (default 300).")
@click.option("--jobs-url", envvar="LOOM_JOBS_URL", default=None,
              help="Job queue: redis://HOST:PORT/DB or postgresql://... (default: SQLite file beside the database).")
@click.pass_context
def worker(ctx: click.Context, once: bool, threads: int, max_attempts: int | None, lease: float | None,
           jobs_url: str | None) -> None:
    """Relay the outbox and run background jobs (until Ctrl-C, or once with --once)."""
    ctx.obj["jobs_url"] = jobs_url
    if ctx.invoked_subcommand is not None:
        return
    options = {"max_attempts": max_attempts, "lease": lease}
    if once:
        counts = _worker(ctx, **options).run_once()
        click.echo(f"relayed {counts['relayed']} event(s), ran {counts['ran']} task(s), "
                   f"started {counts['jobs']} periodic job(s)")
        return
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("loom", "huey.consumer"):  # the worker's own news; not huey's line per task
        logging.getLogger(name).setLevel(logging.INFO)
    click.echo(f"loom worker: {threads} thread(s) on {database_url(ctx)}; Ctrl-C stops", err=True)
    _worker(ctx, **options).run(threads=threads)


@worker.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@acting_user_option
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Events per state, the age of the oldest undelivered one, dead events with their last error."""
    from loom.kernel.outbox.status import outbox_status

    data = run_as_user(ctx, outbox_status, write=False)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    for state, count in data["counts"].items():
        click.echo(f"{state:<10} {count}")
    age = data["oldest_pending_age"]
    click.echo(f"oldest undelivered: {'-' if age is None else f'{age} s'}")
    for event in data["dead"]:
        record = f"{event['model']},{event['record_id']}" if event["model"] else "-"
        click.echo(f"dead {event['event_id']} {event['topic']} {record} after {event['attempts']} "
                   f"attempt(s): {event['last_error']}")


@worker.command()
@click.argument("event_ids", nargs=-1)
@click.option("--dead", is_flag=True, help="Requeue every dead event.")
@acting_user_option
@click.pass_context
def retry(ctx: click.Context, event_ids: tuple[str, ...], dead: bool) -> None:
    """Requeue EVENT_IDS (or every dead event with --dead) with a fresh count of attempts."""
    from loom.kernel.outbox.status import retry_events

    if bool(event_ids) == dead:
        raise click.UsageError("give event ids or --dead (one of them)")
    count = run_as_user(ctx, lambda env: retry_events(env, event_ids, dead=dead))
    click.echo(f"requeued {count} event(s)")


@worker.command()
@click.option("--older-than", "days", type=click.FloatRange(0), default=None,
              help="Days of delivered history to keep (default LOOM_OUTBOX_RETENTION_DAYS or 30).")
@acting_user_option
@click.pass_context
def prune(ctx: click.Context, days: float | None) -> None:
    """Delete delivered events and consumers' receipts older than the retention."""
    from datetime import timedelta

    from loom.kernel.outbox.prune import prune_delivered

    older_than = timedelta(days=days) if days is not None else None
    gone = run_as_user(ctx, lambda env: prune_delivered(env, older_than))
    click.echo(f"deleted {gone['events']} delivered event(s) and {gone['receipts']} receipt(s)")


@worker.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def jobs(ctx: click.Context, as_json: bool) -> None:
    """List the periodic jobs the installed modules declare, with their schedules (UTC)."""
    from loom.kernel.jobs import periodic_jobs

    rows = [{"name": job.name, "schedule": job.schedule} for job in periodic_jobs(_registry(ctx)).values()]
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        click.echo(f"{row['name']:<40} {row['schedule']}")


@worker.command("run-job")
@click.argument("name")
@click.pass_context
def run_job(ctx: click.Context, name: str) -> None:
    """Run the periodic job NAME now, in this process."""
    result = _worker(ctx).run_job(name)
    click.echo(f"{name}: done" + ("" if result is None else f" ({result})"))


@worker.command("test-mail")
@click.argument("address")
@click.option("--lang", type=click.Choice(["en", "zh_CN"]), default=None, help="Language of the mail.")
@acting_user_option
@click.pass_context
def test_mail(ctx: click.Context, address: str, lang: str | None) -> None:
    """Queue the kernel's test mail to ADDRESS (it leaves with the next `loom worker` run)."""
    from loom.kernel.mail import send_mail

    def work(env: Any) -> str:
        company = env.session.get(env.registry["loom.company"], env.company_id) if env.company_id else None
        return send_mail(env, "kernel.test", address, {"company": company.name if company else "Loom"}, lang)

    click.echo(f"queued mail event {run_as_user(ctx, work)}")


def _registry(ctx: click.Context) -> Any:
    from loom.kernel.errors import ModuleError

    manager = manager_for(ctx)
    installed = manager.installed()
    if not installed:
        raise ModuleError("kernel.database_not_initialized", database=database_url(ctx))
    return manager.registry(installed)


def _worker(ctx: click.Context, **policy: Any) -> Any:
    from loom.kernel.jobs import Worker, open_queue
    from loom.kernel.outbox import RetryPolicy

    if policy.get("lease") is not None:
        from datetime import timedelta

        policy["lease"] = timedelta(seconds=policy["lease"])
    queue = open_queue(database_url(ctx), jobs_url=ctx.find_root().obj.get("jobs_url"))
    return Worker(engine_for(ctx), _registry(ctx), queue, policy=RetryPolicy.from_environment(**policy))
