"""``loom timeline``: read a record's timeline; add notes and scheduled activities."""

from __future__ import annotations

import json

import click

from loom.cli.context import acting_user_option, run_as_user


@click.group()
def timeline() -> None:
    """Read a record's timeline; add notes and activities."""


def _describe(event: dict) -> str:
    kind = event["kind"]
    if kind == "transition":
        text = f"{event['transition']}: {event['from_state']} -> {event['to_state']}"
    elif kind == "approval":
        moved = f" ({event['from_state']} -> {event['to_state']})" if event["to_state"] else ""
        text = f"{event['transition'] or ''} {event['decision']}{moved}".strip()
    elif kind == "change":
        text = ", ".join(f"{field}: {old} -> {new}" for field, (old, new) in event["changes"].items())
    elif kind == "activity":
        done = f"done {event['done_at']:%Y-%m-%d %H:%M}" if event["done"] else "open"
        text = f"#{event['id']} due {event['due_date']} for {event['assignee']}: {event['body']} [{done}]"
    else:
        text = event["body"]
    reason = f" - {event['reason']}" if event["reason"] else ""
    return f"{event['at']:%Y-%m-%d %H:%M:%S} UTC  {event['who'] or 'superuser':<12} {kind:<10} {text}{reason}"


@timeline.command()
@click.argument("model")
@click.argument("record_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@acting_user_option
@click.pass_context
def show(ctx: click.Context, model: str, record_id: int, as_json: bool) -> None:
    """Every event of record RECORD_ID of MODEL, oldest first (times in UTC)."""
    from loom.kernel.timeline import timeline as read_timeline

    events = run_as_user(ctx, lambda env: read_timeline(env, model, record_id), write=False)
    if as_json:
        click.echo(json.dumps(events, default=str, ensure_ascii=False))
        return
    for event in events:
        click.echo(_describe(event))
    if not events:
        click.echo(f"{model} {record_id} has no timeline events yet.")


@timeline.command()
@click.argument("model")
@click.argument("record_id", type=int)
@click.argument("text")
@acting_user_option
@click.pass_context
def note(ctx: click.Context, model: str, record_id: int, text: str) -> None:
    """Post the note TEXT on record RECORD_ID of MODEL."""
    from loom.kernel.timeline import add_note

    run_as_user(ctx, lambda env: add_note(env, model, [record_id], text))
    click.echo(f"note added to {model} {record_id}")


@timeline.group()
def activity() -> None:
    """Scheduled activities: something someone must do on a record by a date."""


@activity.command("add")
@click.argument("model")
@click.argument("record_id", type=int)
@click.option("--due", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="Due date, YYYY-MM-DD.")
@click.option("--assignee", required=True, help="Login of the user who must do it.")
@click.option("--summary", required=True, help="What must be done.")
@acting_user_option
@click.pass_context
def activity_add(ctx: click.Context, model: str, record_id: int, due, assignee: str, summary: str) -> None:
    """Schedule an activity on record RECORD_ID of MODEL; print its id."""
    from loom.kernel.timeline import add_activity
    from loom.kernel.users import find_user

    def work(env):
        assignee_id = find_user(env.sudo(), assignee).id
        return add_activity(env, model, record_id, due=due.date(), assignee_id=assignee_id, summary=summary)

    click.echo(f"activity {run_as_user(ctx, work)} scheduled on {model} {record_id} for {assignee}")


@activity.command("done")
@click.argument("activity_id", type=int)
@acting_user_option
@click.pass_context
def activity_done(ctx: click.Context, activity_id: int) -> None:
    """Mark activity ACTIVITY_ID done."""
    from loom.kernel.timeline import mark_activity_done

    done = run_as_user(ctx, lambda env: mark_activity_done(env, activity_id))
    click.echo(f"activity {activity_id} done ({done['model']} {done['res_id']}: {done['summary']})")
