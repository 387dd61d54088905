"""``loom approval``: edit approval rules; list, approve and reject documents waiting for approval."""

from __future__ import annotations

import json
from typing import Any

import click

from loom.cli.context import acting_user_option, run_as_user


@click.group()
def approval() -> None:
    """Edit approval rules; approve or reject waiting documents."""


@approval.group()
def rule() -> None:
    """Approval rules: which transitions of which documents wait for whose approval."""


def _rule_options(command: Any) -> Any:
    options = [
        click.option("--name", help="A name for the rule."),
        click.option("--domain", help='Condition in the domain language, as JSON: \'[["partner_id", "=", 7]]\'.'),
        click.option("--amount-field", help="Stored amount field in company currency compared with --threshold."),
        click.option("--threshold", help="Documents whose amount exceeds it need approval."),
        click.option("--role", help="Role code approvers must hold (sales.manager)."),
        click.option("--approvers", type=int, help="How many different approvers (default 1)."),
        click.option("--sequence", type=int, help="Approval order: lower sequences are approved first (default 10)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _values(**given: Any) -> dict[str, Any]:
    values = {key: value for key, value in given.items() if value is not None}
    if "domain" in values:
        try:
            values["domain"] = json.loads(values["domain"])
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"not JSON ({exc.msg})", param_hint="--domain") from None
    return values


def _show_rule(rule_data: dict[str, Any]) -> str:
    amount = (f" {rule_data['amount_field']} > {rule_data['threshold']}" if rule_data["amount_field"] else "")
    return (f"{rule_data['id']:>4}  {rule_data['model']} {rule_data['transition']}  step {rule_data['sequence']}"
            f"  {rule_data['approvers']} x {rule_data['role']}{amount}  domain {json.dumps(rule_data['domain'])}"
            f"  company {rule_data['company_id']}  ({rule_data['name']})")


@rule.command("list")
@click.option("--model", help="Only the rules of this model.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@acting_user_option
@click.pass_context
def rule_list(ctx: click.Context, model: str | None, as_json: bool) -> None:
    """Every approval rule, in approval order."""
    from loom.kernel.workflow import list_rules

    rules = run_as_user(ctx, lambda env: list_rules(env, model), write=False)
    if as_json:
        click.echo(json.dumps(rules))
        return
    for rule_data in rules:
        click.echo(_show_rule(rule_data))
    if not rules:
        click.echo("No approval rules" + (f" for {model}." if model else "."))


@rule.command("add")
@click.option("--model", required=True, help="Model whose transition needs approval (alpha.order).")
@click.option("--transition", required=True, help="Transition that waits for approval (confirm).")
@_rule_options
@acting_user_option
@click.pass_context
def rule_add(ctx: click.Context, **given: Any) -> None:
    """Add a rule; every value is checked (model, transition, fields, role)."""
    from loom.kernel.workflow import add_rule

    click.echo(_show_rule(run_as_user(ctx, lambda env: add_rule(env, _values(**given)))))


@rule.command("edit")
@click.argument("rule_id", type=int)
@_rule_options
@acting_user_option
@click.pass_context
def rule_edit(ctx: click.Context, rule_id: int, **given: Any) -> None:
    """Change the given values of rule RULE_ID (open requests keep their terms)."""
    from loom.kernel.workflow import edit_rule

    click.echo(_show_rule(run_as_user(ctx, lambda env: edit_rule(env, rule_id, _values(**given)))))


@rule.command("remove")
@click.argument("rule_id", type=int)
@acting_user_option
@click.pass_context
def rule_remove(ctx: click.Context, rule_id: int) -> None:
    """Delete rule RULE_ID (requests it opened are still decided)."""
    from loom.kernel.workflow import remove_rule

    removed = run_as_user(ctx, lambda env: remove_rule(env, rule_id))
    click.echo(f"removed rule {removed['id']} ({removed['name']})")


@approval.command("list")
@click.option("--model", help="Only documents of this model.")
@click.option("--all", "everyone", is_flag=True, help="Every waiting document, not only those you may decide.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@acting_user_option
@click.pass_context
def list_(ctx: click.Context, model: str | None, everyone: bool, as_json: bool) -> None:
    """Documents waiting for approval at a step you may decide (all of them with --all)."""
    from loom.kernel.workflow import approval_inbox

    rows = run_as_user(ctx, lambda env: approval_inbox(env, model, everyone=everyone), write=False)
    if as_json:
        click.echo(json.dumps(rows, default=str))
        return
    for row in rows:
        click.echo(f"{row['model']} {row['res_id']} {row['record']}: {row['transition']} step {row['sequence']}, "
                   f"{row['approvals']}/{row['approvers']} x {row['role']}, asked by {row['requested_by'] or '-'}")
    if not rows:
        click.echo("Nothing is waiting for your approval.")


@approval.command()
@click.argument("model")
@click.argument("ids", nargs=-1, type=int, required=True)
@acting_user_option
@click.pass_context
def approve(ctx: click.Context, model: str, ids: tuple[int, ...]) -> None:
    """Approve documents IDS of MODEL at their current step; print whether each went through."""
    from loom.kernel.workflow import approve as approve_documents

    outcome = run_as_user(ctx, lambda env: approve_documents(env, model, list(ids)))
    said = {"completed": "approved, transition completed", "waiting": "approved, waits for more approvals"}
    for record_id, result in outcome.items():
        click.echo(f"{model} {record_id}: {said[result]}")


@approval.command()
@click.argument("model")
@click.argument("ids", nargs=-1, type=int, required=True)
@click.option("--reason", required=True, help="Why (shown on the document's timeline).")
@acting_user_option
@click.pass_context
def reject(ctx: click.Context, model: str, ids: tuple[int, ...], reason: str) -> None:
    """Reject documents IDS of MODEL: each returns to the state it was in before it waited."""
    from loom.kernel.workflow import reject as reject_documents

    run_as_user(ctx, lambda env: reject_documents(env, model, list(ids), reason))
    for record_id in ids:
        click.echo(f"{model} {record_id}: rejected")
