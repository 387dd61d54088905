"""A record's timeline as the detail page shows it: transitions, states, decisions and changed
fields named in the reader's language rather than by their codes."""

from __future__ import annotations

from typing import Any

from loom.kernel.web.display import field_label, selection_label
from loom.kernel.web.texts import text
from loom.kernel.web.workflow_panel import transition_label
from loom.kernel.workflow import find_workflow

#: Approval decisions the timeline records, each with a message ``web_detail_decision_<decision>``.
DECISIONS = frozenset({"requested", "approved", "rejected", "reset"})


def labelled_events(env: Any, model: str, events: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """``events`` (from :func:`loom.kernel.timeline.timeline`) with ``transition``, ``from_state``,
    ``to_state`` and ``decision`` as labels, and ``changes`` keyed by field label."""
    wf = find_workflow(env.registry, model)
    fields = env.registry.fields(model)
    state_info = fields.get(wf.field) if wf is not None else None

    def state(value: str | None) -> str | None:
        return selection_label(model, wf.field, state_info, value, lang) if value and state_info else value

    def transition(name: str | None) -> str | None:
        declared = wf.transitions.get(name) if wf is not None and name else None
        return transition_label(declared, lang) if declared is not None else name

    def change_label(name: str) -> str:
        return field_label(name, fields[name], model, lang) if name in fields else name

    return [{**event, "transition": transition(event["transition"]), "from_state": state(event["from_state"]),
             "to_state": state(event["to_state"]),
             "decision": text(f"web_detail_decision_{event['decision']}") if event["decision"] in DECISIONS
             else event["decision"],
             "changes": {change_label(n): c for n, c in (event["changes"] or {}).items()}} for event in events]
