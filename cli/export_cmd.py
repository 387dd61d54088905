"""``loom export MODEL``: the records you may export, as CSV or XLSX."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import click

from loom.cli.context import acting_user_option, run_as_user


@click.command()
@click.argument("model")
@click.option("--domain", default=None, help='A filter in the domain language as JSON: [["name", "ilike", "acme"]].')
@click.option("--fields", default=None, help="Comma-separated fields (default: every readable stored field).")
@click.option("--order", default=None, help='Sort order, e.g. "name desc, id".')
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="File format (default: from --output's extension, else csv).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: CSV on standard output).")
@acting_user_option
@click.pass_context
def export(ctx: click.Context, model: str, domain: str | None, fields: str | None, order: str | None,
           fmt: str | None, output: Path | None) -> None:
    """Export records of MODEL that you may export, to CSV or XLSX.

    Cells that a spreadsheet would run as formulas (starting with = + - @, a tab or a carriage
    return) are written as text. Exports of more than 1,000 rows are recorded in the audit log."""
    from loom.kernel.errors import ValidationError
    from loom.kernel.transfer import export_records

    fmt = fmt or ("xlsx" if output is not None and output.suffix.lower() == ".xlsx" else "csv")
    if fmt == "xlsx" and output is None:
        raise ValidationError("kernel.export_output_required", field="output", format="XLSX")
    parsed = _domain(domain)
    names = [name.strip() for name in fields.split(",") if name.strip()] if fields else None
    folder = output.resolve().parent if output is not None else None
    if folder is not None and not folder.is_dir():
        raise click.BadParameter(f"the folder {folder} does not exist", param_hint="--output")
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".loom-export-", delete=False) as temp:
        temp_path = Path(temp.name)
    try:
        def work(env):
            with temp_path.open("wb") as out:
                return export_records(env, model, out, format=fmt, fields=names, domain=parsed, order=order)

        count = run_as_user(ctx, work)
        if output is None:
            stdout = sys.stdout.buffer
            with temp_path.open("rb") as data:
                shutil.copyfileobj(data, stdout)
            stdout.flush()
        else:
            os.replace(temp_path, output)
            click.echo(f"Exported {count} records of {model} to {output}", err=True)
    finally:
        temp_path.unlink(missing_ok=True)


def _domain(text: str | None) -> list | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not valid JSON: {exc}", param_hint="--domain") from None
    if not isinstance(value, list):
        raise click.BadParameter("a domain is a JSON list", param_hint="--domain")
    return value
