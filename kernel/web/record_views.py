"""The generic list of any model at ``/m/<model>``: search with the record name and the domain
language, facets on boolean and selection fields, sorting by a column, pages (keyset for deep
ones), a choice of columns and the export button. Every read goes through the user's environment,
so permissions and record rules apply; every value is rendered escaped."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, g, render_template, request
from sqlalchemy import select

from loom.kernel.access import may
from loom.kernel.errors import MissingError
from loom.kernel.web.display import cells, field_label, known_model, model_label, selection_label
from loom.kernel.web.form_views import form_offered
from loom.kernel.web.list_query import ListQuery, facet_fields, facet_values, list_query, readable_fields
from loom.kernel.web.paging import after_clause, sort_keys
from loom.kernel.web.state import loom_state
from loom.kernel.web.texts import text

record_views = Blueprint("records", __name__, url_prefix="/m")
#: Rows per list page.
PAGE_SIZE = 80
#: The highest page number and record id a list request may name (beyond: 400, not a database error).
MAX_PAGE, MAX_ID = 2**31 // PAGE_SIZE, 2**63 - 1


@record_views.get("/<model>")
def list_view(model: str) -> str:
    """A page of ``model``'s records the user may read, searched, filtered, sorted and paged."""
    number = _whole(request.args.get("page", "1"), MAX_PAGE)
    after = _whole(request.args["after"], MAX_ID) if request.args.get("after") else None

    def read(env: Any) -> dict[str, Any]:
        known_model(env, model)
        query = list_query(env, model, request.args)
        records, keyset = _page(env, model, query, number, after)
        return {**_table(env, model, query, records), "query": query, "total": env[model].count(query.domain),
                "after": records[-1].id if keyset and len(records) == PAGE_SIZE else None,
                "facets": _facets(env, model), "choices": _choices(env, model),
                "may_export": may(env, model, "export"),
                "may_create": form_offered(env, model, "create"), "title": model_label(model, registry=env.registry)}

    data = loom_state(current_app).run(g.account.uid, read, write=False)
    query: ListQuery = data["query"]
    kept = _kept(query)
    pages = max(1, -(-data["total"] // PAGE_SIZE))
    previous = urlencode({**kept, "page": number - 1}, doseq=True) if number > 1 else None
    following = urlencode({**kept, "page": number + 1, **({"after": data["after"]} if data["after"] else {})},
                          doseq=True) if number < pages else None
    return render_template("list.html", model=model, page=number, pages=pages, q=request.args.get("q", ""),
                           domain=request.args.get("domain", ""), previous=previous, following=following,
                           kept=kept, sort_links=_sort_links(query, kept), facet_links=_facet_links(data, kept),
                           **data)


def _whole(text: str, limit: int) -> int:
    """``text`` as a whole number from 1 to ``limit``; anything else is a 400."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(limit)) or not 1 <= int(text) <= limit:
        abort(400)
    return int(text)


def _page(env: Any, model: str, query: ListQuery, number: int, after: int | None) -> tuple[list[Any], bool]:
    """Page ``number`` of the list and whether its order allows keyset paging: the page after
    record ``after`` by keyset when the request names one and the order allows it, else by offset.

    The ids of the page are selected in order first, then their rows: the sort then carries only
    the order's columns and the id, not whole rows (a sort by an unindexed column over 100,000
    partners is about twice as fast on PostgreSQL)."""
    records, cls = env[model], env.registry[model]
    stmt = records.select(query.domain, order=query.order or None).limit(PAGE_SIZE)
    keys = sort_keys(env, model, query.order or cls.__order__)
    anchor = _anchor(records, after) if after is not None and keys is not None else None
    # without a keyset, or when the last row of the previous page is gone, the page by its number
    stmt = stmt.where(after_clause(cls, keys, anchor)) if anchor is not None else stmt.offset((number - 1) * PAGE_SIZE)
    ids = list(env.session.scalars(stmt.with_only_columns(cls.id, maintain_column_froms=True)))
    found = {row.id: row for row in env.session.scalars(select(cls).where(cls.id.in_(ids)))} if ids else {}
    return [found[i] for i in ids], keys is not None


def _anchor(records: Any, record_id: int) -> Any:
    """The record a keyset page starts after, or None when it was deleted (or hidden) meanwhile."""
    try:
        return records.get(record_id)
    except MissingError:
        return None


def _table(env: Any, model: str, query: ListQuery, records: list[Any]) -> dict[str, Any]:
    """The header and the cells of the rows shown (linked names read in one query per column)."""
    fields = env.registry.fields(model)
    return {"columns": [(c, field_label(c, fields[c], model)) for c in query.columns],
            "rows": cells(env, model, records, query.columns)}


def _facets(env: Any, model: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """``(field, label, [(value, value label)])`` of each facet the list offers."""
    fields = env.registry.fields(model)
    return [(name, field_label(name, fields[name], model), [(value, _value_label(model, fields[name], value))
                                                            for value in facet_values(fields[name])])
            for name in facet_fields(env, model)]


def _value_label(model: str, info: Any, value: str) -> str:
    """How a facet value reads: yes or no for a boolean, the value's label for a selection."""
    if info.kind == "boolean":
        return text("web_list_yes" if value == "true" else "web_list_no")
    return selection_label(model, info.name, info, value)


def _choices(env: Any, model: str) -> list[tuple[str, str]]:
    """``(field, label)`` of every column the user may choose."""
    fields = env.registry.fields(model)
    return [(name, field_label(name, fields[name], model)) for name in readable_fields(env, model)]


def _kept(query: ListQuery) -> dict[str, Any]:
    """The URL parameters that every link of the list keeps: search, facets, order and columns."""
    kept: dict[str, Any] = {key: request.args[key] for key in ("q", "domain") if request.args.get(key)}
    if query.facets:
        kept["f"] = [f"{name}:{value}" for name, value in query.facets]
    if query.order:
        kept["order"] = query.order
    if request.args.get("columns"):
        kept["columns"] = ",".join(query.columns)
    return kept


def _sort_links(query: ListQuery, kept: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Per column, the query string that sorts by it and the current direction (``asc``,
    ``desc`` or ``""``): a click sorts ascending, a second click descending."""
    first = query.order.split(",")[0].split() if query.order else []
    links = {}
    for column in query.columns:
        current = ("desc" if first[1:] == ["desc"] else "asc") if first and first[0] == column else ""
        order = f"{column} desc" if current == "asc" else column
        links[column] = (urlencode({**kept, "order": order}, doseq=True), current)
    return links


def _facet_links(data: dict[str, Any], kept: dict[str, Any]) -> dict[tuple[str, str], tuple[str, bool]]:
    """Per facet value, the query string that toggles it and whether it is chosen."""
    chosen = set(data["query"].facets)
    links = {}
    for name, _label, values in data["facets"]:
        for value, _value_label in values:
            on = (name, value) in chosen
            facets = [f"{n}:{v}" for n, v in sorted(chosen ^ {(name, value)})]
            links[(name, value)] = (urlencode({**{k: v for k, v in kept.items() if k != "f"}, "f": facets},
                                              doseq=True), on)
    return links
