"""``loom workflow``: show a model's workflow and run its transitions on records."""

from __future__ import annotations

import json

import click

from loom.cli.context import acting_user_option, run_as_user


@click.group()
def workflow() -> None:
    """Show workflows and run transitions on records."""


@workflow.command("list")
@acting_user_option
@click.pass_context
def list_(ctx: click.Context) -> None:
    """Every model that has a workflow, with its states."""
    from loom.kernel.workflow import check_workflows

    found = run_as_user(ctx, lambda env: {m: wf.states for m, wf in check_workflows(env.registry).items()},
                        write=False)
    for model, states in sorted(found.items()):
        click.echo(f"{model:<32} {', '.join(states)}")
    if not found:
        click.echo("No installed model has a workflow.")


@workflow.command()
@click.argument("model")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@acting_user_option
@click.pass_context
def show(ctx: click.Context, model: str, as_json: bool) -> None:
    """The states and transitions of MODEL (sources -> target, roles, approvals, hook)."""
    from loom.kernel.workflow import workflow_of

    def describe(env):
        wf = workflow_of(env.registry, model)
        return {"model": model, "field": wf.field, "initial": wf.initial, "states": list(wf.states),
                "transitions": [{"name": t.name, "label": t.label, "sources": list(t.sources), "target": t.target,
                                 "roles": list(t.roles), "approval": t.approval, "hook": t.hook}
                                for t in wf.transitions.values()]}

    data = run_as_user(ctx, describe, write=False)
    if as_json:
        click.echo(json.dumps(data))
        return
    click.echo(f"{model}: {data['field']} starts at {data['initial']}; states {', '.join(data['states'])}")
    for t in data["transitions"]:
        extras = [t["label"]] if t["label"] else []
        if t["roles"]:
            extras.append(f"roles {', '.join(t['roles'])}")
        if t["approval"]:
            extras.append("approval rules apply")
        if t["hook"]:
            extras.append(f"hook {t['hook']}")
        click.echo(f"  {t['name']:<16} {', '.join(t['sources'])} -> {t['target']}"
                   + (f"  ({'; '.join(extras)})" if extras else ""))


@workflow.command()
@click.argument("model")
@click.argument("transition")
@click.argument("ids", nargs=-1, type=int, required=True)
@acting_user_option
@click.pass_context
def run(ctx: click.Context, model: str, transition: str, ids: tuple[int, ...]) -> None:
    """Run TRANSITION on records IDS of MODEL in one batch (all or nothing); print each new state."""
    from loom.kernel.workflow import run_transition, workflow_of

    def work(env):
        field = workflow_of(env.registry, model).field
        return [(row.id, row.display_name(), getattr(row, field))
                for row in run_transition(env, model, transition, list(ids))]

    for record_id, name, state in run_as_user(ctx, work):
        click.echo(f"{model} {record_id} {name}: {state}")
