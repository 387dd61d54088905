"""``loom db``: upgrade the schema, check it against the models, back it up."""

from __future__ import annotations

import click

from loom.cli.context import database_url, engine_for, manager_for
from loom.cli.progress import module_steps


@click.group()
def db() -> None:
    """Upgrade, check and back up the database."""


@db.command("upgrade")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.pass_context
def upgrade(ctx: click.Context, dry_run: bool) -> None:
    """Run every installed module's pending migrations."""
    manager = manager_for(ctx)
    with module_steps("upgrade", lambda: manager.upgrade(None, dry_run=True), 2, active=not dry_run) as progress:
        plan = manager.upgrade(None, dry_run=dry_run, progress=progress)
    click.echo(("Would upgrade: " if dry_run else "Upgraded: ") + ", ".join(plan.modules))


@db.command("check")
@click.pass_context
def check(ctx: click.Context) -> None:
    """Compare the database schema with the installed modules' models; exit 1 on any difference."""
    from loom.kernel.schema_check import schema_differences

    manager = manager_for(ctx)
    differences = schema_differences(engine_for(ctx), manager.registry(_installed(ctx)))
    for line in differences:
        click.echo(line)
    if differences:
        raise click.ClickException(f"{len(differences)} differences between the schema and the models")
    click.echo("Schema matches the models of every installed module.")


@db.command("backup")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=None,
              help="Where to write the backup (default: beside the database).")
@click.pass_context
def backup(ctx: click.Context, directory: str | None) -> None:
    """Write a consistent copy of the database (SQLite online backup, pg_dump on PostgreSQL)."""
    from pathlib import Path

    from loom.kernel.backup import backup_database

    _installed(ctx)
    target = Path(directory) if directory else None
    if target is not None:
        target.mkdir(parents=True, exist_ok=True)  # pg_dump does not create it (kernel/backup.py)
    path = backup_database(engine_for(ctx), target)
    click.echo(f"Backup written to {path}")


def _installed(ctx: click.Context) -> dict[str, str]:
    """The installed modules; a one-line error when the database was never initialized."""
    from loom.kernel.errors import ModuleError

    installed = manager_for(ctx).installed()
    if not installed:
        raise ModuleError("kernel.database_not_initialized", database=database_url(ctx))
    return installed
