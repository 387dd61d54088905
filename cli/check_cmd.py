"""``loom check``: run every invariant check (the kernel's and the modules') and list violations."""

from __future__ import annotations

import json

import click

from loom.cli.context import run_as_user


@click.command()
@click.option("--only", "names", multiple=True, help="Run only this check (repeatable), e.g. kernel.orphans.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def check(ctx: click.Context, names: tuple[str, ...], as_json: bool) -> None:
    """Run every invariant check; print each violation with its records; exit 1 when there is any."""
    from loom.kernel.checks import all_checks, run_checks

    def work(env):
        checks = [c.name for c in all_checks(env) if not names or c.name in names]
        return checks, [v.as_dict() for v in run_checks(env, list(names) or None)]

    checks, violations = run_as_user(ctx, work, write=False, su=True)
    if as_json:
        click.echo(json.dumps({"checks": checks, "violations": violations}, ensure_ascii=False))
    else:
        for violation in violations:
            records = ", ".join(f"{r['model']}#{r['id']}" for r in violation["records"])
            click.echo(f"[{violation['check']}] {violation['message']}")
            if records:
                click.echo(f"    records: {records}")
    if violations:
        raise click.ClickException(f"{len(violations)} violation(s) found by {len(checks)} check(s)")
    if not as_json:
        click.echo(f"{len(checks)} check(s) passed: no violations.")
