"""The generic detail page of any record at ``/m/<model>/<id>``: its readable fields and its
timeline, read through the user's environment (permissions and record rules apply)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, render_template

from loom.kernel.timeline import timeline
from loom.kernel.web.display import SHOWN_KINDS, field_label, known_model, linked_names, shown
from loom.kernel.web.state import loom_state

detail_views = Blueprint("details", __name__, url_prefix="/m")


@detail_views.get("/<model>/<int:record_id>")
def detail_view(model: str, record_id: int) -> str:
    """One record's readable fields and its timeline."""

    def read(env: Any) -> dict[str, Any]:
        known_model(env, model)
        record = env[model].get(record_id)
        fields = env.registry.fields(model)
        names = [n for n, f in fields.items() if f.kind in SHOWN_KINDS and f.stored and env[model].readable(model, n)
                 and n not in ("id", "version")]
        links = linked_names(env, model, [record], names)
        values = [(field_label(n, fields[n]), shown(getattr(record, n), fields[n].kind,
                                                    links.get((n, getattr(record, n))))) for n in names]
        return {"title": record.display_name(), "values": values, "events": timeline(env, model, record_id)}

    data = loom_state(current_app).run(g.account.uid, read, write=False)
    return render_template("detail.html", model=model, record_id=record_id, **data)

