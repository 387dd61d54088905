"""``loom import MODEL FILE``: records from a CSV or XLSX file, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import click

from loom.cli.context import acting_user_option, engine_for, run_as_user


@click.command("import")
@click.argument("model")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report, then write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@acting_user_option
@click.pass_context
def import_command(ctx: click.Context, model: str, file: Path, dry_run: bool, as_json: bool) -> None:
    """Import records of MODEL from FILE (.csv or .xlsx).

    The header names fields; an `id` column holds external ids, so importing the same file again
    updates the records instead of duplicating them. Many-to-one columns take the target's
    external id or its name (`partner_id`), or external ids only (`partner_id/id`). If any row is
    bad nothing is written and every bad row and column is listed. CSV may be UTF-8 (with or
    without BOM) or GB18030, separated by `,` or `;`. Formula cells in XLSX files are refused.
    Imports, and imports refused for bad rows, are recorded in the audit log."""
    from loom.kernel.storage_full import as_storage_full
    from loom.kernel.transfer import ImportFailedError, import_file

    try:
        report = run_as_user(ctx, lambda env: import_file(env, model, file, dry_run=dry_run))
    except ImportFailedError as exc:
        _show(exc.report, as_json, err=True)
        if not dry_run:
            _audit_refusal(ctx, model, exc.report)
        ctx.exit(1)
    except Exception as exc:
        full = as_storage_full(exc)
        if full is None:
            raise
        raise full from exc
    _show(report, as_json, err=False)


def _audit_refusal(ctx: click.Context, model: str, report) -> None:
    """Record the refused import in the audit log, in its own transaction (the import's rolled back)."""
    from loom.kernel.audit import audit_refusal

    actor_id, company_id = run_as_user(ctx, lambda env: (env.uid, env.company_id), write=False)
    audit_refusal(engine_for(ctx), "import.failed", actor_id=actor_id, company_id=company_id, model=model,
                  details={"file": report.file, "rows": report.rows, "errors": report.error_count})


def _show(report, as_json: bool, *, err: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False), err=err)
        return
    for line in report.lines():
        click.echo(line, err=err)
