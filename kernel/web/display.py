"""How the shell shows a model's fields: which kinds a page shows, their labels and values as text,
and the names of linked records. Shared by the list, detail, form and print pages."""

from __future__ import annotations

from typing import Any

from loom.kernel.errors import AccessError, MissingError

#: Kinds a list or detail page shows as one value.
SHOWN_KINDS = frozenset({"integer", "string", "text", "boolean", "decimal", "date", "datetime", "selection",
                         "many2one"})
#: Fields every model has that a list does not show by default.
BOOKKEEPING = frozenset({"id", "version", "active", "company_id"})


def field_label(name: str, info: Any) -> str:
    """The field's declared label, else its name made readable (``parent_id`` → ``Parent``)."""
    return info.label or name.removesuffix("_id").replace("_", " ").capitalize()


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


def known_model(env: Any, model: str) -> None:
    """404 (``MissingError``) unless ``model`` is installed."""
    if model not in env.registry:
        raise MissingError("kernel.web_model_unknown", field="model", model=model)
