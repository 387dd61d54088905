"""``loom db``: upgrade the schema, check it against the models, back it up, restore it, copy it."""

from __future__ import annotations

import click

from loom.cli.context import database_url, engine_for, manager_for
from loom.cli.progress import module_steps


@click.group()
def db() -> None:
    """Upgrade, check, back up, restore and copy the database."""


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
              help="Where to write the backup (default: beside the database, or its data folder on PostgreSQL).")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
@click.pass_context
def backup(ctx: click.Context, directory: str | None, as_json: bool) -> None:
    """Write a consistent snapshot of the database and its filestore into one backup folder.

    SQLite uses the online backup API, PostgreSQL pg_dump (writers may keep working); the folder
    holds a manifest of every table's row count and content hash."""
    import json
    from pathlib import Path

    from loom.kernel.backup import backup_database, read_manifest

    _installed(ctx)
    path = backup_database(engine_for(ctx), Path(directory) if directory else None)
    manifest = read_manifest(path)
    if as_json:
        click.echo(json.dumps({"artifact": str(path), "rows": manifest.rows, "tables": manifest.tables,
                               "files": len(manifest.files)}))
        return
    click.echo(f"Backup written to {path} ({len(manifest.tables)} tables, {manifest.rows} rows, "
               f"{len(manifest.files)} files)")


@db.command("restore")
@click.argument("artifact", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already holds tables.")
@click.pass_context
def restore(ctx: click.Context, artifact: str, force: bool) -> None:
    """Replace the database and its filestore with the backup ARTIFACT, all of it or nothing.

    The copy is verified (row counts and content hashes) before it takes the database's place;
    a failure leaves the database as it was."""
    from pathlib import Path

    from loom.kernel.backup import restore_database

    manifest = restore_database(database_url(ctx), Path(artifact), force=force)
    click.echo(f"Restored {artifact} (taken {manifest.created_at}): {len(manifest.tables)} tables, "
               f"{manifest.rows} rows, {len(manifest.files)} files verified")


@db.command("copy")
@click.argument("source_url")
@click.argument("target_url")
@click.option("--json", "as_json", is_flag=True, help="Print the per-table figures as JSON.")
def copy(source_url: str, target_url: str, as_json: bool) -> None:
    """Copy the database at SOURCE_URL (and its filestore) into the empty database at TARGET_URL.

    Works across SQLite and PostgreSQL; every table's rows and content hash are verified."""
    import json

    from loom.kernel.backup import copy_database

    report = copy_database(source_url, target_url)
    if as_json:
        click.echo(json.dumps({"tables": report.tables, "rows": report.rows, "files": len(report.files),
                               "seconds": round(report.seconds, 3)}))
        return
    click.echo(f"Copied {len(report.tables)} tables ({report.rows} rows) and {len(report.files)} files "
               f"in {report.seconds:.1f} s; counts and content hashes verified")


def _installed(ctx: click.Context) -> dict[str, str]:
    """The installed modules; a one-line error when the database was never initialized."""
    from loom.kernel.errors import ModuleError

    installed = manager_for(ctx).installed()
    if not installed:
        raise ModuleError("kernel.database_not_initialized", database=database_url(ctx))
    return installed
