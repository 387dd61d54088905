"""What a user does from a record's page: run a workflow transition, approve or reject a waiting
document. Every action is a POST (CSRF-checked by the shell) that runs in one unit of work as the
user, all or nothing; success goes back to the page (303), a refusal shows the page again with
the kernel's message in the user's language, next to the field it names, and the error's status."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, current_app, g, redirect, request
from werkzeug.wrappers import Response

from loom.kernel.errors import LoomError, MissingError
from loom.kernel.web.detail_views import render_detail
from loom.kernel.web.display import known_model
from loom.kernel.web.state import loom_state
from loom.kernel.workflow import approve, reject, run_transition

record_actions = Blueprint("record_actions", __name__, url_prefix="/m")


def act(model: str, record_id: int, action: str, work: Callable[[Any], Any],
        kept: Iterable[str] = ()) -> Response | tuple[str, int]:
    """Run ``work(env)`` for ``action`` on record ``record_id`` of ``model``; back to its page, or the
    page with the refusal and the ``kept`` form values the user typed. A record the user may not
    see stays a 404, whatever refused it."""
    def unit(env: Any) -> None:
        known_model(env, model)
        work(env)

    try:
        loom_state(current_app).run(g.account.uid, unit)
    except LoomError as exc:
        if isinstance(exc, MissingError) or exc.http_status >= 500:
            raise
        return render_detail(model, record_id, error=exc, action=action,
                             form={name: request.form.get(name, "") for name in kept})
    return redirect(f"/m/{model}/{record_id}", code=303)


@record_actions.post("/<model>/<int:record_id>/transition/<name>")
def run_record_transition(model: str, record_id: int, name: str) -> Response | tuple[str, int]:
    """Run workflow transition ``name`` on the record (the kernel checks state, rights and guards)."""
    return act(model, record_id, "transition", lambda env: run_transition(env, model, name, [record_id]))


@record_actions.post("/<model>/<int:record_id>/approve")
def approve_record(model: str, record_id: int) -> Response | tuple[str, int]:
    """Approve the record's waiting step as the user."""
    return act(model, record_id, "approval", lambda env: approve(env, model, [record_id]))


@record_actions.post("/<model>/<int:record_id>/reject")
def reject_record(model: str, record_id: int) -> Response | tuple[str, int]:
    """Reject the record's waiting step with the reason given (required)."""
    reason = request.form.get("reason", "")
    return act(model, record_id, "reject", lambda env: reject(env, model, [record_id], reason), kept=("reason",))
