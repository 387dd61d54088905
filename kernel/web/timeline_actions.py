"""Notes and activities from a record's page: post a note, schedule an activity for a user by a
date, mark an activity done; through :func:`loom.kernel.web.record_actions.act` like every action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, request
from werkzeug.wrappers import Response

from loom.kernel.errors import MissingError, ValidationError
from loom.kernel.records import MAX_ID
from loom.kernel.timeline import add_activity, add_note, mark_activity_done
from loom.kernel.web.record_actions import act

timeline_actions = Blueprint("timeline_actions", __name__, url_prefix="/m")
#: The activity form's fields, kept when it is refused.
ACTIVITY_FIELDS = ("summary", "due_date", "assignee")


@timeline_actions.post("/<model>/<int:record_id>/notes")
def post_note(model: str, record_id: int) -> Response | tuple[str, int]:
    """Post the note ``body`` on the record."""
    body = request.form.get("body", "")
    return act(model, record_id, "note", lambda env: add_note(env, model, [record_id], body), kept=("body",))


@timeline_actions.post("/<model>/<int:record_id>/activities")
def schedule_activity(model: str, record_id: int) -> Response | tuple[str, int]:
    """Schedule an activity: ``summary``, ``due_date`` (YYYY-MM-DD) and the ``assignee``'s login."""
    form = {name: request.form.get(name, "").strip() for name in ACTIVITY_FIELDS}

    def work(env: Any) -> None:
        add_activity(env, model, record_id, due=due_date(form["due_date"]), assignee_id=assignee(env, form["assignee"]),
                     summary=form["summary"])

    return act(model, record_id, "activity", work, kept=ACTIVITY_FIELDS)


@timeline_actions.post("/<model>/<int:record_id>/activities/<int:activity_id>/done")
def finish_activity(model: str, record_id: int, activity_id: int) -> Response | tuple[str, int]:
    """Mark activity ``activity_id`` of the record done."""
    def work(env: Any) -> None:
        if activity_id > MAX_ID:  # no such row can exist; the database would refuse to compare it
            raise MissingError("kernel.activity_missing", activity=activity_id)
        done = mark_activity_done(env, activity_id)
        if (done["model"], done["res_id"]) != (model, record_id):
            raise MissingError("kernel.activity_missing", activity=activity_id)

    return act(model, record_id, "activity_done", work)


def due_date(text: str) -> dt.date:
    """The date typed as YYYY-MM-DD; a clear error on the ``due_date`` field otherwise."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError("kernel.activity_due_not_date", field="due_date", value=text[:40] or "-") from None


def assignee(env: Any, login: str) -> int:
    """The id of the active user with ``login``; a clear error on the ``assignee`` field otherwise."""
    found = env.sudo()["loom.user"].search([["login", "=", login]]) if login else []
    if not found:
        raise ValidationError("kernel.user_unknown", field="assignee", login=login or "-")
    return found[0].id
