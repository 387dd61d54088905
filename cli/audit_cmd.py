"""``loom audit``: list the security audit log and verify its hash chain."""

from __future__ import annotations

import json

import click

from loom.cli.context import engine_for, run_as_user


@click.group()
def audit() -> None:
    """Read and verify the security audit log."""


@audit.command("list")
@click.option("--action", "actions", multiple=True, help="Only this action (repeatable); `module.*` matches a prefix.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True, help="Newest N records.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_(ctx: click.Context, actions: tuple[str, ...], limit: int, as_json: bool) -> None:
    """The newest audit records, newest first (who, when, what, on which object)."""
    from loom.kernel.audit import list_records

    rows = run_as_user(ctx, lambda env: list_records(env, actions=list(actions), limit=limit), write=False)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, default=str))
        return
    for row in rows:
        target = f" {row['model']}#{row['record_id']}" if row["model"] else ""
        detail = f" {json.dumps(row['details'], ensure_ascii=False)}" if row["details"] else ""
        click.echo(f"{row['seq']:>6} {row['at']} {row['actor_login'] or '-':<16} {row['action']}{target}{detail}")


@audit.command("verify")
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Walk the hash chain; name the first broken record and exit 1 if there is one."""
    from loom.kernel.audit import verify_chain

    run_as_user(ctx, lambda env: None, write=False, su=True)  # a database without Loom says so in one line
    with engine_for(ctx).connect() as conn:
        checked, broken = verify_chain(conn)
    if broken is not None:
        record = f" (id {broken.id})" if broken.id is not None else ""
        raise click.ClickException(f"Audit chain broken at record seq {broken.seq}{record}: {broken.problem}; "
                                   f"{checked} record(s) before it are intact")
    click.echo(f"Audit chain intact: {checked} record(s).")
