"""The print view of any record at ``/m/<model>/<id>/print``: an A4 page of HTML with print CSS and
no menu. It renders ``print/<model>.html`` when an installed module ships one (resolved across
modules by the template loader, so a module specialises another's document by extending it) and
``print/generic.html`` otherwise. Reads go through the user's environment like the detail page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, current_app, g, render_template

from loom.kernel.web.detail_views import shown_fields
from loom.kernel.web.display import known_model, model_label, reader_tz, record_name
from loom.kernel.web.locale_format import format_datetime
from loom.kernel.web.related import related_tables
from loom.kernel.web.state import loom_state
from loom.kernel.web.texts import current_lang

print_views = Blueprint("print_views", __name__, url_prefix="/m")
#: The template every record prints with when its model has none of its own.
GENERIC = "print/generic.html"


def read_printable(env: Any, model: str, record_id: int) -> dict[str, Any]:
    """What a print template gets: ``title`` (the record's name), ``model_title`` (its model's),
    ``values`` ((label, text) of the readable fields), ``text`` (the same by field name), ``record``
    (the readable stored fields' plain values, never an ORM object) and ``related`` (the
    one-to-many tables)."""
    known_model(env, model)
    record = env[model].get(record_id)
    fields = shown_fields(env, model, record)
    stored = [name for name, info in env.registry.fields(model).items() if info.stored
              and info.kind not in ("one2many", "many2many") and env[model].readable(model, name)]
    return {"title": record_name(record, env.lang), "model_title": model_label(model, registry=env.registry),
            "values": [(label, text) for _, label, text in fields],
            "text": {name: text for name, _, text in fields}, "record": env[model].read([record], stored)[0],
            "related": related_tables(env, model, record_id)}


@print_views.get("/<model>/<int:record_id>/print")
def print_view(model: str, record_id: int) -> str:
    """The record as a printable document."""
    data = loom_state(current_app).run(g.account.uid, lambda env: read_printable(env, model, record_id), write=False)
    template = current_app.jinja_env.select_template([f"print/{model}.html", GENERIC])
    return render_template(template, model=model, record_id=record_id,
                           printed_at=format_datetime(dt.datetime.now(dt.UTC), current_lang(), reader_tz()), **data)
