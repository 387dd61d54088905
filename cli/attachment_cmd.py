"""``loom attachment``: attach files to records, list, fetch and remove them, collect garbage."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import click

from loom.cli.context import acting_user_option, run_as_user


@click.group()
def attachment() -> None:
    """Attach files to records, list and fetch them."""


@attachment.command()
@click.argument("model")
@click.argument("record_id", metavar="ID", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", default=None, help="The name to show (default: the file's name).")
@acting_user_option
@click.pass_context
def add(ctx: click.Context, model: str, record_id: int, file: Path, name: str | None) -> None:
    """Attach FILE to record ID of MODEL (you need write access to the record)."""
    from loom.kernel.attachments import attach

    def work(env):
        with file.open("rb") as content:
            row = attach(env, model, record_id, name or file.name, content)
        return row.id, row.name, row.mimetype, row.size

    attachment_id, shown, mimetype, size = _storage_checked(ctx, work)
    click.echo(f"Attached {shown} as attachment {attachment_id} ({mimetype}, {size} bytes)")


@attachment.command("list")
@click.argument("model")
@click.argument("record_id", metavar="ID", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@acting_user_option
@click.pass_context
def list_(ctx: click.Context, model: str, record_id: int, as_json: bool) -> None:
    """List the attachments of record ID of MODEL."""
    from loom.kernel.attachments import list_attachments

    def rows(env):
        return [{"id": r.id, "name": r.name, "mimetype": r.mimetype, "size": r.size, "sha256": r.sha256,
                 "active_content": r.active_content, "created_at": str(r.created_at)}
                for r in list_attachments(env, model, [record_id])]

    data = run_as_user(ctx, rows, write=False)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    for row in data:
        flag = "  (download only)" if row["active_content"] else ""
        click.echo(f"{row['id']:>6}  {row['size']:>10}  {row['mimetype']:<28} {row['name']}{flag}")


@attachment.command()
@click.argument("attachment_id", metavar="ATTACHMENT_ID", type=int)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the file (default: its name in the current folder; - for standard output).")
@acting_user_option
@click.pass_context
def get(ctx: click.Context, attachment_id: int, output: Path | None) -> None:
    """Write the content of ATTACHMENT_ID (you need read access to its record)."""
    from loom.kernel.attachments import open_attachment

    def work(env):
        row, content = open_attachment(env, attachment_id)
        with content, tempfile.NamedTemporaryFile(delete=False, prefix=".loom-attachment-",
                                                  dir=_folder(output)) as temp:
            shutil.copyfileobj(content, temp)
        return row.name, Path(temp.name)

    name, temp_path = run_as_user(ctx, work, write=False)
    try:
        if output is not None and str(output) == "-":
            stdout = sys.stdout.buffer
            with temp_path.open("rb") as data:
                shutil.copyfileobj(data, stdout)
            return
        target = output or Path.cwd() / name
        os.replace(temp_path, target)
        click.echo(f"Wrote {target}")
    finally:
        temp_path.unlink(missing_ok=True)


@attachment.command()
@click.argument("attachment_ids", metavar="ATTACHMENT_ID...", type=int, nargs=-1, required=True)
@acting_user_option
@click.pass_context
def remove(ctx: click.Context, attachment_ids: tuple[int, ...]) -> None:
    """Remove attachments (you need write access to their records); files go at the next `gc`."""
    from loom.kernel.attachments import remove_attachments

    count = run_as_user(ctx, lambda env: remove_attachments(env, list(attachment_ids)))
    click.echo(f"Removed {count} attachment(s)")


@attachment.command()
@click.option("--min-age", type=float, default=3600, show_default=True,
              help="Keep unreferenced files younger than this many seconds.")
@acting_user_option
@click.pass_context
def gc(ctx: click.Context, min_age: float) -> None:
    """Forget attachments of deleted records, then delete stored files nothing refers to any more."""
    from loom.kernel.attachments import collect_garbage

    collected = run_as_user(ctx, lambda env: collect_garbage(env, min_age=min_age))
    click.echo(f"Removed {collected.files} file(s), {collected.bytes} bytes; "
               f"forgot {collected.rows} attachment(s) of deleted records")


def _folder(output: Path | None) -> Path | None:
    """Where the temporary file goes: beside the output, so the final rename stays on one file system."""
    if output is None:
        return Path.cwd()
    return output.resolve().parent if str(output) != "-" else None


def _storage_checked(ctx: click.Context, work):
    from loom.kernel.storage_full import as_storage_full

    try:
        return run_as_user(ctx, work)
    except Exception as exc:
        full = as_storage_full(exc)
        if full is None:
            raise
        raise full from exc
