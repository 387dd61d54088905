"""Keyset pages for deep lists: the page after a record is found by comparing the list's sort
key with that record's, so page 1,000 costs what page 2 costs. Used when every sort field is a
required integer, text or selection field (NULLs and ordered links keep offset paging)."""

from __future__ import annotations

from typing import Any

#: Kinds whose values the domain language compares as the database orders them.
KEYSET_KINDS = frozenset({"integer", "string", "selection"})


def sort_terms(env: Any, model: str) -> list[tuple[str, bool]] | None:
    """The model's default order as ``(field, descending)`` ending with ``id``, or None when a
    term is not fit for keyset paging."""
    fields = env.registry.fields(model)
    terms: list[tuple[str, bool]] = []
    for term in env.registry[model].__order__.split(","):
        words = term.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            return None
        info = fields.get(words[0])
        if info is None or info.kind not in KEYSET_KINDS or not (info.required or words[0] == "id"):
            return None
        terms.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
    if all(name != "id" for name, _ in terms):
        terms.append(("id", False))
    return terms


def after_domain(record: Any, terms: list[tuple[str, bool]]) -> list:
    """The domain of the records sorted after ``record`` under ``terms``."""
    branches = []
    for position, (name, descending) in enumerate(terms):
        equal = [[prior, "=", getattr(record, prior)] for prior, _ in terms[:position]]
        branches.append(["and", *equal, [name, "<" if descending else ">", getattr(record, name)]])
    return ["or", *branches]
