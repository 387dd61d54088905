"""The generic detail page of any record at ``/m/<model>/<id>``: its readable fields, its related
records, attachments, timeline with notes and activities, and the workflow buttons and approval
decisions the user may use, all read through the user's environment (permissions and record rules
apply). The page costs the same number of queries for a record with 2 lines or 50, 1 note or 100.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, g, render_template

from loom.kernel.attachments import list_attachments
from loom.kernel.errors import LoomError
from loom.kernel.timeline import timeline
from loom.kernel.web.display import SHOWN_KINDS, cells, field_label, known_model, model_label, record_name
from loom.kernel.web.related import related_tables
from loom.kernel.web.state import loom_state
from loom.kernel.web.texts import current_lang
from loom.kernel.web.timeline_view import labelled_events
from loom.kernel.web.workflow_panel import record_writable, workflow_panel

detail_views = Blueprint("details", __name__, url_prefix="/m")
#: Models whose records carry no attachments of their own.
NO_ATTACHMENTS = frozenset({"loom.attachment"})
#: The fields of each form of the page: a refusal naming one is shown next to it.
FORM_FIELDS = {"reject": {"reason"}, "note": {"body"}, "activity": {"summary", "due_date", "assignee"},
               "attachment": {"file"}}


@dataclass(frozen=True)
class PageError:
    """A refused action shown on the page: next to ``field`` of form ``action`` when that form has
    it (``inline``), above the page otherwise."""

    action: str
    field: str | None
    message: str

    @property
    def inline(self) -> bool:
        """Whether the error belongs next to a field of its form."""
        return self.field in FORM_FIELDS.get(self.action, ())


def shown_fields(env: Any, model: str, record: Any) -> list[tuple[str, str, str]]:
    """(name, label, value as text) of the record's readable stored fields, in the user's language
    (linked names in one query per link)."""
    fields = env.registry.fields(model)
    names = [n for n, f in fields.items() if f.kind in SHOWN_KINDS and f.stored and env[model].readable(model, n)
             and n not in ("id", "version")]
    ((_, texts),) = cells(env, model, [record], names)
    return [(n, field_label(n, fields[n], model), value) for n, value in zip(names, texts, strict=True)]


def read_detail(env: Any, model: str, record_id: int) -> dict[str, Any]:
    """Everything the detail page shows of record ``record_id`` (``MissingError`` when hidden)."""
    known_model(env, model)
    record = env[model].get(record_id)
    writable = record_writable(env, model, record_id)
    attachments = None if model in NO_ATTACHMENTS else [
        (a.id, a.name, a.mimetype, a.size) for a in list_attachments(env, model, [record_id])]
    lang = current_lang()
    return {"title": record_name(record, env.lang), "model_title": model_label(model, registry=env.registry),
            "values": [(label, text) for _, label, text in shown_fields(env, model, record)],
            "related": related_tables(env, model, record_id), "writable": writable,
            "may_edit": writable and not env[model].managed, "attachments": attachments,
            "workflow": workflow_panel(env, model, record, writable=writable, lang=lang),
            "events": labelled_events(env, model, timeline(env, model, record_id), lang), "me": env.login}


def render_detail(model: str, record_id: int, *, error: LoomError | None = None, action: str = "",
                  form: dict[str, str] | None = None) -> tuple[str, int]:
    """The detail page, with the refused ``action``'s ``error`` and the values the user sent in ``form``."""
    data = loom_state(current_app).run(g.account.uid, lambda env: read_detail(env, model, record_id), write=False)
    shown_error = PageError(action, error.field, error.message(current_lang())) if error is not None else None
    return render_template("detail.html", model=model, record_id=record_id, error=shown_error, form=form or {},
                           **data), error.http_status if error is not None else 200


@detail_views.get("/<model>/<int:record_id>")
def detail_view(model: str, record_id: int) -> tuple[str, int]:
    """One record's page."""
    return render_detail(model, record_id)
