"""The generic list of any model at ``/m/<model>``: search with the domain language, pages (keyset
for deep ones), columns from the registry's fields. Every read goes through the user's environment,
so permissions and record rules apply; every value is rendered escaped."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, g, render_template, request

from loom.kernel.errors import InvalidFieldError
from loom.kernel.web.display import BOOKKEEPING, SHOWN_KINDS, field_label, known_model, linked_names, shown
from loom.kernel.web.paging import after_domain, sort_terms
from loom.kernel.web.state import loom_state

record_views = Blueprint("records", __name__, url_prefix="/m")
#: Rows per list page.
PAGE_SIZE = 80
#: Columns a list shows when the request names none.
DEFAULT_COLUMNS = 6
def list_columns(env: Any, model: str, asked: str | None) -> list[str]:
    """The columns of a list: those ``asked`` (comma-separated) or the record name and the first
    readable displayable fields; an unknown or unreadable asked field is refused (400)."""
    fields = env.registry.fields(model)
    readable = [n for n, f in fields.items() if f.kind in SHOWN_KINDS and f.stored and env[model].readable(model, n)]
    if asked:
        names = [name.strip() for name in asked.split(",") if name.strip()]
        for name in names:
            if name not in readable:
                raise InvalidFieldError("kernel.web_column_unknown", field=name, model=model)
        return names
    rec_name = env.registry[model].__rec_name__
    first = [rec_name] if rec_name in readable else []
    return (first + [n for n in readable if n not in BOOKKEEPING and n != rec_name])[:DEFAULT_COLUMNS]


def search_domain(env: Any, model: str, text: str, domain_text: str) -> list:
    """The domain of a list request: ``domain_text`` (JSON in the domain language) and ``text``
    searched in the record name (``ilike``)."""
    domain: list = []
    if domain_text:
        try:
            domain = json.loads(domain_text)
        except ValueError:
            raise InvalidFieldError("kernel.web_domain_not_json", field="domain") from None
        if not isinstance(domain, list):
            raise InvalidFieldError("kernel.web_domain_not_json", field="domain")
    if text:
        searched = [env.registry[model].__rec_name__, "ilike", text]
        domain = ["and", searched, domain] if domain else [searched]
    return domain


@record_views.get("/<model>")
def list_view(model: str) -> str:
    """A page of ``model``'s records the user may read, searched and paged."""
    page = request.args.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        abort(400)
    number = int(page)

    def read(env: Any) -> dict[str, Any]:
        known_model(env, model)
        columns = list_columns(env, model, request.args.get("columns"))
        domain = search_domain(env, model, request.args.get("q", "").strip(), request.args.get("domain", ""))
        total = env[model].count(domain)
        records = _page(env, model, domain, number, request.args.get("after", ""))
        names = linked_names(env, model, records, columns)
        fields = env.registry.fields(model)
        rows = [(record.id, [shown(getattr(record, c), fields[c].kind, names.get((c, getattr(record, c))))
                             for c in columns]) for record in records]
        keyset = sort_terms(env, model) is not None and len(records) == PAGE_SIZE
        return {"columns": [(c, field_label(c, fields[c])) for c in columns], "rows": rows, "total": total,
                "after": records[-1].id if keyset else None}

    data = loom_state(current_app).run(g.account.uid, read, write=False)
    pages = max(1, -(-data["total"] // PAGE_SIZE))
    kept = {key: request.args[key] for key in ("q", "domain", "columns") if request.args.get(key)}
    previous = urlencode({**kept, "page": number - 1}) if number > 1 else None
    following = urlencode({**kept, "page": number + 1, **({"after": data["after"]} if data["after"] else {})}) \
        if number < pages else None
    return render_template("list.html", model=model, page=number, pages=pages, q=request.args.get("q", ""),
                           domain=request.args.get("domain", ""), previous=previous, following=following, **data)


def _page(env: Any, model: str, domain: list, number: int, after: str) -> list[Any]:
    """Page ``number`` of the list: the page after record ``after`` by keyset when the request
    names one and the model's order allows it, else by offset."""
    terms = sort_terms(env, model)
    if after and terms is not None:
        if not after.isdigit():
            abort(400)
        start = env[model].get(int(after))
        keyed = ["and", after_domain(start, terms), domain] if domain else after_domain(start, terms)
        return env[model].search(keyed, limit=PAGE_SIZE)
    return env[model].search(domain, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
