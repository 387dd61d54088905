"""What a form page shows besides the typed text: linked records' names, read-only and computed
values as text, defaults of a new record or line, and the values the on-change protocol recomputed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loom.kernel.errors import AccessError, LoomError, UserError
from loom.kernel.web.display import record_name, shown
from loom.kernel.web.form_values import Converted, Draft, FormSpec, Line, LinesSpec, Widget, as_text
from loom.kernel.web.texts import current_lang


def link_names(env: Any, spec: FormSpec, record: Any) -> dict[tuple[str, str, int], str]:
    """Names of the records ``record`` and its lines link to, keyed by (model, field, id): one query
    per many-to-one field shown, however many lines there are; links the user may not read stay nameless."""
    wanted: dict[tuple[str, str, str], set[int]] = {}
    for widget in spec.fields:
        _want(wanted, env, spec.model, widget, [record])
    for lines in spec.lines:
        rows = list(getattr(record, lines.name))
        for widget in lines.columns:
            _want(wanted, env, lines.target, widget, rows)
    names: dict[tuple[str, str, int], str] = {}
    for (model, field, target), ids in wanted.items():
        try:
            found = env[target].search([["id", "in", sorted(ids)]], active_test=False)
        except AccessError:
            continue
        names.update(((model, field, item.id), record_name(item, env.lang)) for item in found)
    return names


def _want(wanted: dict, env: Any, model: str, widget: Widget, rows: list[Any]) -> None:
    if widget.input != "many2one":
        return
    ids = {getattr(row, widget.name) for row in rows} - {None}
    if ids:
        wanted[(model, widget.name, env.registry.fields(model)[widget.name].target)] = ids


def stored_texts(spec: FormSpec, record: Any, names: dict) -> dict[Any, str]:
    """The read-only values of ``record`` and its lines as text, keyed by field name or
    (one-to-many, line index, field)."""
    texts = {w.name: _text(w, getattr(record, w.name), names.get((spec.model, w.name, getattr(record, w.name))))
             for w in spec.fields if not w.editable}
    for lines in spec.lines:
        for index, row in enumerate(getattr(record, lines.name)):
            for w in lines.columns:
                if not w.editable or not lines.may_write:  # an existing line the user may not change
                    value = getattr(row, w.name)
                    texts[(lines.name, index, w.name)] = _text(w, value, names.get((lines.target, w.name, value)))
    return texts


def _text(widget: Widget, value: Any, link: str | None = None) -> str:
    if widget.kind == "selection" and value is not None:
        return widget.choice_label(value)
    return shown(value, widget.kind, link)


def new_draft(env: Any, spec: FormSpec) -> Draft:
    """The draft of a new record: the model's column defaults, the user's company when the model
    requires one (a shared record stays shared), no lines."""
    draft = Draft(values=defaults(env, spec.model, spec.fields))
    company = spec.widget("company_id")
    if company is not None and company.editable and company.required and env.company_id is not None:
        draft.values["company_id"] = str(env.company_id)
        draft.labels["company_id"] = env.sudo()["loom.company"].get(env.company_id).display_name()
    for lines in spec.lines:
        draft.lines[lines.name], draft.removed[lines.name] = [], []
    return draft


def new_line(env: Any, lines: LinesSpec) -> Line:
    """A line added to the form, with the line model's column defaults."""
    return Line(None, defaults(env, lines.target, lines.columns))


def defaults(env: Any, model: str, widgets: tuple[Widget, ...]) -> dict[str, str]:
    """The scalar column defaults of ``model``'s editable ``widgets`` as input text."""
    columns = env.registry[model].__table__.columns
    found = {}
    for widget in widgets:
        column = columns.get(widget.name)
        default = column.default if column is not None else None
        if widget.editable and default is not None and default.is_scalar:
            found[widget.name] = as_text(widget, default.arg)
    return found


def default_texts(env: Any, spec: FormSpec) -> dict[Any, str]:
    """The read-only header values of a new record: its column defaults as text."""
    columns = env.registry[spec.model].__table__.columns
    texts = {}
    for widget in spec.fields:
        column = columns.get(widget.name)
        if not widget.editable and column is not None and column.default is not None and column.default.is_scalar:
            texts[widget.name] = _text(widget, column.default.arg)
    return texts


def recompute(env: Any, spec: FormSpec, converted: Converted, changed: str | None) -> tuple[dict[str, Any], str]:
    """The on-change protocol over the form's valid values (nothing saved): the recomputed values,
    and the error's text when a rule refused the draft."""
    if changed is None:
        return {}, ""
    values = {k: v for k, v in converted.values.items() if v is not None and k not in converted.errors}
    complete: dict[str, list[int]] = {}
    for lines in spec.lines:
        if lines.editable:
            required = {n for n, f in env.registry.fields(lines.target).items() if f.required and n != lines.inverse}
            typed = [{k: v for k, v in line.items() if v is not None and (lines.name, index, k) not in converted.errors}
                     for index, line in enumerate(converted.lines[lines.name])]
            complete[lines.name] = [index for index, line in enumerate(typed) if required <= set(line)]
            values[lines.name] = [typed[index] for index in complete[lines.name]]
    try:
        result = env[spec.model].onchange(values, changed)
    except UserError as exc:
        return {}, exc.message(current_lang())
    for name, indexes in complete.items():  # lines missing a required value stay as typed
        if isinstance(result.get(name), list):
            aligned: list[dict[str, Any]] = [{} for _line in converted.lines[name]]
            for index, row in zip(indexes, result[name], strict=True):
                aligned[index] = row
            result[name] = aligned
    return result, ""


@dataclass(frozen=True)
class Update:
    """One widget the on-change protocol changed: ``name`` is its input's name, ``text`` its new
    value as text (read-only fields) or as input text (editable ones)."""

    widget: Widget
    name: str
    text: str


def updates(spec: FormSpec, converted: Converted, result: dict[str, Any], trigger: str) -> list[Update]:
    """The widgets to swap after an on-change: every read-only value recomputed and every editable
    value a rule changed, except the input the user is typing in (``trigger``)."""
    found = []
    for widget in spec.fields:
        if widget.name in result:
            found += _update(widget, widget.name, result[widget.name], converted.values.get(widget.name), trigger)
    for lines in spec.lines:
        rows = result.get(lines.name)
        typed = converted.lines.get(lines.name, [])
        if not isinstance(rows, list) or len(rows) != len(typed):
            continue
        for index, (row, line) in enumerate(zip(rows, typed, strict=True)):
            for widget in lines.columns:
                if widget.name in row:
                    found += _update(widget, f"{lines.name}-{index}-{widget.name}", row[widget.name],
                                     line.get(widget.name), trigger)
    return found


def _update(widget: Widget, name: str, value: Any, typed: Any, trigger: str) -> list[Update]:
    if not widget.editable:
        return [Update(widget, name, _text(widget, value))]
    if name == trigger or value == typed or widget.input == "many2one":
        return []
    return [Update(widget, name, as_text(widget, value))]


def line_texts(spec: FormSpec, result: dict[str, Any]) -> dict[Any, str]:
    """Read-only line values recomputed by the on-change protocol, keyed (one-to-many, index, field)."""
    texts: dict[Any, str] = {}
    for lines in spec.lines:
        rows = result.get(lines.name)
        for index, row in enumerate(rows if isinstance(rows, list) else []):
            for widget in lines.columns:
                if not widget.editable and widget.name in row:
                    texts[(lines.name, index, widget.name)] = _text(widget, row[widget.name])
    return texts


def error_texts(errors: dict[Any, LoomError]) -> dict[Any, str]:
    """Each error's message in the reader's language, keyed where it shows."""
    lang = current_lang()
    return {key: error.message(lang) for key, error in errors.items()}
