"""Run a transition on a batch of records: access, guards, approvals, the state change, the
timeline, actions and hooks, all inside one savepoint so a refused batch leaves nothing behind.

Statements for a batch without approval rules: the access-checked read of the records, the
savepoint, one guarded UPDATE per source state, one INSERT of timeline events, the release (plus
whatever the model's guards, actions and hooks do); none of it grows with the batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from loom.kernel.domain import MAX_LIST
from loom.kernel.errors import AccessError, ValidationError
from loom.kernel.timeline.events import log_events
from loom.kernel.workflow import requests
from loom.kernel.workflow.declaration import WAITING_APPROVAL, Transition
from loom.kernel.workflow.definition import ModelWorkflow, hook_argument, workflow_of
from loom.kernel.workflow.moves import all_or_nothing, move

if TYPE_CHECKING:
    from loom.kernel.environment import Environment


def run_transition(env: Environment, model: str, name: str, records: Iterable[Any]) -> list[Any]:
    """Apply transition ``name`` of ``model`` to ``records`` (records or ids) as the environment's user.

    The user needs write access to every record (model permission, record rules, company) and,
    when the transition lists roles, one of them. Records that an approval rule holds move to
    ``waiting_approval`` and open approval requests; the others reach the target state, then the
    transition's actions, the kernel's ``on_transition`` hook and the transition's own hook run
    with all of them at once. Any error rolls the whole batch back. Returns the records.
    """
    wf = workflow_of(env.registry, model)
    transition = wf.transition(name)
    rows = browse_all(env, model, _ids(records), perm="write")
    _check_roles(env, wf, transition)
    if not rows:
        return rows
    with all_or_nothing(env, rows):
        _call(env, wf, transition.guards, rows)
        holding = requests.rules_holding(env, wf, transition, rows) if transition.approval else {}
        direct = [row for row in rows if row.id not in holding]
        held = [row for row in rows if row.id in holding]
        previous = move(env, wf, name, direct, transition.sources, transition.target)
        requests.cancel_requests(env, wf.model, [i for i, state in previous.items() if state == WAITING_APPROVAL])
        _log_transitions(env, wf, transition, direct, previous)
        if held:
            parked = move(env, wf, name, held, transition.sources, WAITING_APPROVAL)
            requests.open_requests(env, wf, transition, held, parked, holding)
        _finish(env, wf, transition, direct)
    return rows


def complete(env: Environment, wf: ModelWorkflow, name: str, rows: Sequence[Any]) -> None:
    """Finish transition ``name`` for documents whose approvals are all given (from ``waiting_approval``).

    Guards run again (the data may have changed since the request), then the state change, the
    timeline, actions and hooks, exactly as for a transition that needed no approval."""
    transition = wf.transition(name)
    _call(env, wf, transition.guards, rows)
    previous = move(env, wf, name, rows, (WAITING_APPROVAL,), transition.target)
    _log_transitions(env, wf, transition, rows, previous)
    _finish(env, wf, transition, rows)


def _finish(env: Environment, wf: ModelWorkflow, transition: Transition, rows: list[Any]) -> None:
    if not rows:
        return
    _call(env, wf, transition.actions, rows)
    env.hooks.on_transition(env=env, model=wf.model, transition=transition.name, records=rows)
    if transition.hook:
        getattr(env.hooks, transition.hook)(env=env, **{hook_argument(env.registry, transition.hook): rows})


def _log_transitions(env: Environment, wf: ModelWorkflow, transition: Transition, rows: list[Any],
                     previous: dict[int, str]) -> None:
    values = [{"transition": transition.name, "from_state": previous[row.id], "to_state": transition.target}
              for row in rows]
    log_events(env, wf.model, [row.id for row in rows], "transition", values=values)


def _call(env: Environment, wf: ModelWorkflow, methods: Sequence[str], rows: list[Any]) -> None:
    cls = env.registry[wf.model]
    for method in methods:
        getattr(cls, method)(env, rows)


def _check_roles(env: Environment, wf: ModelWorkflow, transition: Transition) -> None:
    if not transition.roles or env.su or env.grants.all_access:
        return
    if not env.grants.role_codes & set(transition.roles):
        raise AccessError("kernel.transition_role_required", model=wf.model, transition=transition.name,
                          roles=", ".join(transition.roles), user=env.login)


def browse_all(env: Environment, model: str, ids: list[int], *, perm: str = "read") -> list[Any]:
    """``env[model].browse`` of any number of ids, 1,000 at a time (the domain language's list limit)."""
    handle, ids = env[model], list(dict.fromkeys(ids))
    return [row for start in range(0, len(ids), MAX_LIST) for row in handle.browse(ids[start:start + MAX_LIST],
                                                                                   perm=perm)]


def _ids(records: Iterable[Any]) -> list[int]:
    ids = [record if isinstance(record, int) and not isinstance(record, bool) else getattr(record, "id", None)
           for record in records]
    if any(not isinstance(i, int) for i in ids):
        raise ValidationError("kernel.value_not_integer", field="id", value=repr(ids)[:60])
    return ids
