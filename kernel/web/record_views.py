"""Generic pages for any model from its metadata: a list at ``/m/<model>`` (search with the domain
language, pages, columns from the registry's fields) and a detail page with the record's timeline.
Every read goes through the user's environment, so permissions and record rules apply; every value
is rendered escaped."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, g, render_template, request

from loom.kernel.errors import AccessError, InvalidFieldError, MissingError
from loom.kernel.timeline import timeline
from loom.kernel.web.paging import after_domain, sort_terms
from loom.kernel.web.state import loom_state

record_views = Blueprint("records", __name__, url_prefix="/m")
#: Rows per list page.
PAGE_SIZE = 80
#: Columns a list shows when the request names none.
DEFAULT_COLUMNS = 6
#: Kinds a list or detail page shows as one value.
SHOWN_KINDS = frozenset({"integer", "string", "text", "boolean", "decimal", "date", "datetime", "selection",
                         "many2one"})
#: Fields every model has that a list does not show by default.
BOOKKEEPING = frozenset({"id", "version", "active", "company_id"})


def field_label(name: str, info: Any) -> str:
    """The field's declared label, else its name made readable (``parent_id`` → ``Parent``)."""
    return info.label or name.removesuffix("_id").replace("_", " ").capitalize()


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


def linked_names(env: Any, model: str, records: list[Any], columns: list[str]) -> dict[tuple[str, int], str]:
    """Names of the records linked by the many-to-one ``columns``, one query per column; links the
    user may not read stay nameless."""
    fields = env.registry.fields(model)
    names: dict[tuple[str, int], str] = {}
    for column in columns:
        info = fields[column]
        if info.kind != "many2one":
            continue
        ids = sorted({getattr(record, column) for record in records} - {None})
        if not ids:
            continue
        try:
            targets = env[info.target].search([["id", "in", ids]], active_test=False)
        except AccessError:
            continue
        names.update(((column, target.id), target.display_name()) for target in targets)
    return names


def shown(value: Any, kind: str, link: str | None = None) -> str:
    """``value`` as text for a cell (the template escapes it)."""
    if value is None:
        return ""
    if kind == "many2one":
        return link or f"#{value}"
    if kind == "boolean":
        return "✓" if value else ""
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ", timespec="minutes") if kind == "datetime" else value.isoformat()
    return str(value)


def _known_model(env: Any, model: str) -> None:
    if model not in env.registry:
        raise MissingError("kernel.web_model_unknown", field="model", model=model)


@record_views.get("/<model>")
def list_view(model: str) -> str:
    """A page of ``model``'s records the user may read, searched and paged."""
    page = request.args.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        abort(400)
    number = int(page)

    def read(env: Any) -> dict[str, Any]:
        _known_model(env, model)
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


@record_views.get("/<model>/<int:record_id>")
def detail_view(model: str, record_id: int) -> str:
    """One record's readable fields and its timeline."""

    def read(env: Any) -> dict[str, Any]:
        _known_model(env, model)
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

