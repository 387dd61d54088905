"""What a list request asks for, checked against the model before anything reaches the database:
the columns, the search (record name and domain language), the facets and the order. The list
page and its export read the same request through :func:`list_query`, so an export holds exactly
the rows and columns the user sees."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from loom.kernel.errors import InvalidFieldError
from loom.kernel.web.display import BOOKKEEPING, SHOWN_KINDS

#: Columns a list shows when the request names none.
DEFAULT_COLUMNS = 6
#: Field kinds offered as facets (one link per value).
FACET_KINDS = frozenset({"boolean", "selection"})
#: The values of a boolean facet as they travel in the URL.
BOOLEAN_VALUES = {"true": True, "false": False}


@dataclass(frozen=True)
class ListQuery:
    """A checked list request: ``columns`` shown, ``domain`` searched (text, domain language and
    facets combined), ``order`` (``""`` for the model's own) and the ``facets`` chosen as
    ``(field, value)`` pairs."""

    columns: list[str]
    domain: list
    order: str
    facets: list[tuple[str, str]]


def readable_fields(env: Any, model: str) -> list[str]:
    """The stored fields of ``model`` a list may show to the user of ``env``, in declaration order."""
    return [n for n, f in env.registry.fields(model).items()
            if f.kind in SHOWN_KINDS and f.stored and env[model].readable(model, n)]


def facet_fields(env: Any, model: str) -> list[str]:
    """The boolean and selection fields the user may filter ``model``'s list by."""
    fields = env.registry.fields(model)
    return [n for n in readable_fields(env, model) if fields[n].kind in FACET_KINDS and n not in BOOKKEEPING]


def list_query(env: Any, model: str, args: Any) -> ListQuery:
    """The checked request ``args`` (``q``, ``domain``, ``f``, ``order``, ``columns``) of a list of
    ``model``; an unknown or unreadable field anywhere is a 400 naming it."""
    facets = [_facet(env, model, raw) for raw in args.getlist("f") if raw]
    text, domain_text = args.get("q", "").strip(), args.get("domain", "")
    domain = _combined([*search_domain(env, model, text, domain_text), *facet_domain(env, model, facets)])
    return ListQuery(list_columns(env, model, ",".join(args.getlist("columns"))), domain,
                     checked_order(env, model, args.get("order", "")), facets)


def list_columns(env: Any, model: str, asked: str | None) -> list[str]:
    """The columns of a list: those ``asked`` (comma-separated) or the record name and the first
    readable displayable fields; an unknown or unreadable asked field is refused (400)."""
    readable = readable_fields(env, model)
    names = list(dict.fromkeys(name.strip() for name in (asked or "").split(",") if name.strip()))
    for name in names:
        if name not in readable:
            raise InvalidFieldError("kernel.web_column_unknown", field=name[:60], model=model)
    if names:
        return names
    rec_name = env.registry[model].__rec_name__
    first = [rec_name] if rec_name in readable else []
    return (first + [n for n in readable if n not in BOOKKEEPING and n != rec_name])[:DEFAULT_COLUMNS]


def search_domain(env: Any, model: str, text: str, domain_text: str) -> list:
    """The search of a list as a list of domain terms: ``domain_text`` (JSON in the domain
    language) and ``text`` searched in the record name (``ilike``)."""
    terms: list = []
    if domain_text:
        try:
            domain = json.loads(domain_text)
        except ValueError:
            raise InvalidFieldError("kernel.web_domain_not_json", field="domain") from None
        if not isinstance(domain, list):
            raise InvalidFieldError("kernel.web_domain_not_json", field="domain")
        if domain:
            terms.append(domain)
    if text:
        terms.append([env.registry[model].__rec_name__, "ilike", text])
    return terms


def facet_domain(env: Any, model: str, facets: list[tuple[str, str]]) -> list:
    """Domain terms of the chosen facets: values of one field are alternatives (``in``), fields
    are combined (``and``)."""
    fields, chosen = env.registry.fields(model), {}
    for name, value in facets:
        chosen.setdefault(name, []).append(value)
    terms = []
    for name, values in chosen.items():
        if fields[name].kind == "boolean":
            if len(set(values)) == 1:
                terms.append([name, "=", BOOLEAN_VALUES[values[0]]])
        else:
            terms.append([name, "in", sorted(set(values))])
    return terms


def facet_values(info: Any) -> tuple[str, ...]:
    """The values a facet on field ``info`` offers."""
    return tuple(BOOLEAN_VALUES) if info.kind == "boolean" else info.selection


def checked_order(env: Any, model: str, order: str) -> str:
    """``order`` (``"name desc, city"``) when every term is a readable stored field of the list
    with ``asc`` or ``desc``, normalized; ``""`` keeps the model's order. Anything else is a 400
    naming the field, before any SQL is written."""
    readable, terms = readable_fields(env, model), []
    for term in (t for t in order.split(",") if t.strip()):
        name, *words = term.split()
        if name not in readable:
            raise InvalidFieldError("kernel.web_order_unknown", field=name[:60], model=model)
        if len(words) > 1 or (words and words[0].lower() not in ("asc", "desc")):
            raise InvalidFieldError("kernel.web_order_direction", field=name, words=" ".join(words)[:60])
        terms.append(f"{name} desc" if words and words[0].lower() == "desc" else name)
    return ", ".join(terms)


def _facet(env: Any, model: str, raw: str) -> tuple[str, str]:
    """``field:value`` of the URL as a checked facet."""
    name, _, value = raw.partition(":")
    if name not in facet_fields(env, model):
        raise InvalidFieldError("kernel.web_facet_unknown", field=name[:60], model=model)
    if value not in facet_values(env.registry.fields(model)[name]):
        raise InvalidFieldError("kernel.web_facet_value_unknown", field=name, value=value[:60])
    return name, value


def _combined(terms: list) -> list:
    """One domain from several: the single term itself, or ``["and", ...]``."""
    if len(terms) <= 1:
        return terms
    return ["and", *terms]
