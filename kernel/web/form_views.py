"""The generic form of any model: ``/m/<model>/new`` and ``/m/<model>/<id>/edit`` (GET shows it, POST
saves it through ``env[model].create``/``write``), its one-to-many lines edited inline
(``/m/<model>/lines``), values recomputed as the user types (``/m/<model>/onchange``) and
autocomplete on many-to-one fields (``/m/<model>/autocomplete``).

Every view runs as the user in one unit of work, so permissions, record rules, companies and field
restrictions are the kernel's; the partial views change nothing (a POST only to carry the form)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, request

from loom.kernel import access
from loom.kernel.errors import StaleRecordError
from loom.kernel.web.autocomplete import link_target, matches
from loom.kernel.web.display import known_model, record_name, shown
from loom.kernel.web.form_page import (
    default_texts,
    error_texts,
    line_texts,
    link_names,
    new_draft,
    new_line,
    recompute,
    stored_texts,
    updates,
)
from loom.kernel.web.form_save import FormRejected, save_form
from loom.kernel.web.form_values import (
    FormSpec,
    convert_draft,
    draft_of_form,
    draft_of_record,
    form_spec,
    whole_number,
)
from loom.kernel.web.state import loom_state

form_views = Blueprint("forms", __name__, url_prefix="/m")
#: Line actions of ``/m/<model>/lines``.
LINE_ACTIONS = ("add", "remove", "up", "down")


@form_views.get("/<model>/new")
def new_form(model: str) -> str:
    """An empty form for a new record of ``model`` (403 unless the user may create it)."""

    def read(env: Any) -> dict[str, Any]:
        known_model(env, model)
        access.check_model(env, model, "create")
        env[model].check_not_managed("create")
        spec = form_spec(env, model, creating=True)
        return _context(spec, new_draft(env, spec), default_texts(env, spec))

    return render_template("form.html", **_run(read))


@form_views.post("/<model>/new")
def create_from_form(model: str) -> Any:
    """Create the record from the form and go to its page; a refusal shows the form again (422)."""

    def work(env: Any) -> int:
        known_model(env, model)
        access.check_model(env, model, "create")
        spec = form_spec(env, model, creating=True)
        draft = draft_of_form(spec, request.form)
        return save_form(env, spec, draft, convert_draft(env, spec, draft))

    try:
        record_id = _run(work, write=True)
    except FormRejected as rejected:
        return _form_again(model, None, rejected.errors, 422)
    return redirect(f"/m/{model}/{record_id}", 303)


@form_views.get("/<model>/<int:record_id>/edit")
def edit_form(model: str, record_id: int) -> str:
    """The form of one record (403 unless the user may write the model, 404 outside their rules)."""

    def read(env: Any) -> dict[str, Any]:
        known_model(env, model)
        record = env[model].only_visible_lines(env[model].get(record_id, perm="write"))  # hides lines out of reach
        env[model].check_not_managed("write")
        spec = form_spec(env, model, creating=False)
        names = link_names(env, spec, record)
        return _context(spec, draft_of_record(spec, record, names), stored_texts(spec, record, names),
                        record_id=record_id, title=record_name(record, env.lang))

    return render_template("form.html", **_run(read))


@form_views.post("/<model>/<int:record_id>/edit")
def write_from_form(model: str, record_id: int) -> Any:
    """Save the form over the record read at the form's ``version``: a stale version shows the
    current values beside the user's (409) and overwrites nothing."""
    version = request.form.get("version", "")
    read_at = whole_number(version)
    if read_at is None:
        abort(400)

    def work(env: Any) -> int:
        known_model(env, model)
        env[model].get(record_id, perm="write")
        spec = form_spec(env, model, creating=False)
        draft = draft_of_form(spec, request.form)
        return save_form(env, spec, draft, convert_draft(env, spec, draft), record_id, read_at)

    try:
        _run(work, write=True)
    except FormRejected as rejected:
        return _form_again(model, record_id, rejected.errors, 422)
    except StaleRecordError:
        return _form_again(model, record_id, {}, 409, conflict=True)
    return redirect(f"/m/{model}/{record_id}", 303)


def _form_again(model: str, record_id: int | None, errors: dict, status: int, *, conflict: bool = False) -> Any:
    """The form as the user sent it, with ``errors`` beside their fields; with ``conflict``, the
    record's current values and version (saving again is then a deliberate overwrite)."""

    def read(env: Any) -> dict[str, Any]:
        spec = form_spec(env, model, creating=record_id is None)
        draft = draft_of_form(spec, request.form)
        converted = convert_draft(env, spec, draft)
        result, _problem = recompute(env, spec, converted, _first_editable(spec))
        texts: dict[Any, str] = default_texts(env, spec) if record_id is None else {}
        title, current = None, []
        if record_id is not None:
            record = env[model].only_visible_lines(env[model].get(record_id, perm="write"))  # hides lines out of reach
            names = link_names(env, spec, record)
            texts, title = stored_texts(spec, record, names), record_name(record, env.lang)
            if conflict:
                stored = draft_of_record(spec, record, names)
                current = [(w.label, stored.labels.get(w.name) or stored.values.get(w.name, ""))
                           for w in spec.fields if w.editable and stored.values.get(w.name) != draft.values.get(w.name)]
                draft.version = stored.version
        texts.update({w.name: shown(result[w.name], w.kind) for w in spec.fields
                      if not w.editable and w.name in result})
        texts.update(line_texts(spec, result))
        return _context(spec, draft, texts, errors=error_texts(errors), record_id=record_id, title=title,
                        conflict=current if conflict else None)

    return render_template("form.html", **_run(read)), status


@form_views.post("/<model>/onchange")
def onchange(model: str) -> str:
    """Recompute the form's defaults and totals as the user types (nothing saved): the answer swaps
    the changed widgets in (htmx out-of-band swaps) and says why when a rule refused the draft."""
    record_id = _record_id()
    trigger = request.headers.get("HX-Trigger-Name") or request.form.get("changed", "")

    def read(env: Any) -> dict[str, Any]:
        known_model(env, model)
        spec = form_spec(env, model, creating=record_id is None)
        draft = draft_of_form(spec, request.form)
        converted = convert_draft(env, spec, draft)
        result, problem = recompute(env, spec, converted, _changed_field(spec, trigger))
        return {"model": model, "updates": updates(spec, converted, result, trigger), "problem": problem,
                "onchange_url": _context(spec, draft, {}, record_id=record_id)["onchange_url"]}

    return render_template("_form_onchange.html", **_run(read))


@form_views.post("/<model>/lines")
def edit_lines(model: str) -> str:
    """Add, remove or move a line of one-to-many ``field`` (``action``, line ``index``): the lines
    section again, renumbered, with the totals recomputed (nothing saved)."""
    field, action, index = request.args.get("field", ""), request.args.get("action", ""), request.args.get("index", "0")
    position = whole_number(index, digits=6)
    if action not in LINE_ACTIONS or position is None:
        abort(400)
    record_id = _record_id()

    def read(env: Any) -> dict[str, Any]:
        known_model(env, model)
        spec = form_spec(env, model, creating=record_id is None)
        lines = next((item for item in spec.lines if item.name == field and item.editable), None)
        if lines is None:
            abort(400)
        draft = draft_of_form(spec, request.form)
        if not _allowed(lines, draft.lines[lines.name], action, position):
            abort(400)
        _apply(draft, lines.name, action, position, lambda: new_line(env, lines))
        converted = convert_draft(env, spec, draft)
        result, problem = recompute(env, spec, converted, lines.name)
        header = [u for u in updates(spec, converted, result, "") if u.name in {w.name for w in spec.fields}]
        return {**_context(spec, draft, line_texts(spec, result), record_id=record_id), "lines": lines,
                "updates": header, "problem": problem}

    return render_template("_form_lines_answer.html", **_run(read))


def _allowed(lines: Any, rows: list[Any], action: str, index: int) -> bool:
    """Whether the form offers ``action`` on line ``index``: Add with create permission on the
    lines, Up and Down when their order is stored, Remove of a saved line with delete permission."""
    if action == "add":
        return lines.may_add
    if action in ("up", "down"):
        return lines.movable
    return lines.may_remove or (index < len(rows) and rows[index].id is None)


def _apply(draft: Any, field: str, action: str, index: int, make: Any) -> None:
    rows = draft.lines[field]
    if action == "add":
        rows.append(make())
    elif index >= len(rows):
        abort(400)
    elif action == "remove":
        removed = rows.pop(index)
        if removed.id is not None:
            draft.removed[field].append(removed.id)
    elif action == "up" and index > 0:
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif action == "down" and index + 1 < len(rows):
        rows[index + 1], rows[index] = rows[index], rows[index + 1]


@form_views.get("/<model>/autocomplete")
def autocomplete(model: str) -> str:
    """At most 8 records the user may read for many-to-one ``field`` of ``model``, whose name
    contains ``q`` (or the text of the field's input, ``<input name>-label``)."""
    field = request.args.get("field", "")
    text = request.args.get("q")
    if text is None:
        text = next((value for key, value in request.args.items() if key.endswith("-label")), "")
    column = field.rsplit("-", 1)[-1]

    def read(env: Any) -> dict[str, Any]:
        known_model(env, model)
        target_model = _line_model(env, model, field)
        return {"options": matches(env, link_target(env, target_model, column), text), "field": field}

    return render_template("_autocomplete.html", **_run(read))


def _line_model(env: Any, model: str, field: str) -> str:
    """The model a form input belongs to: ``model`` for ``partner_id``, the line model for ``lines-0-product_id``."""
    parts = field.split("-")
    if len(parts) == 3 and parts[1].isdigit():
        info = env[model].field(parts[0])
        if info.kind == "one2many":
            return info.target
    return model


def form_offered(env: Any, model: str, perm: str) -> bool:
    """Whether a page offers the generic form of ``model`` for ``perm`` (``create``: the New button,
    ``write``: Edit): the user holds the permission and the rows are not kept by the kernel alone."""
    return not env[model].managed and access.may(env, model, perm)


def _context(spec: FormSpec, draft: Any, texts: dict, *, errors: dict | None = None, record_id: int | None = None,
             title: str | None = None, conflict: list | None = None) -> dict[str, Any]:
    suffix = f"?id={record_id}" if record_id is not None else ""
    errors = errors or {}
    return {"model": spec.model, "spec": spec, "draft": draft, "texts": texts, "errors": errors,
            "form_error": errors.get(None), "record_id": record_id, "title": title, "conflict": conflict,
            "action": f"/m/{spec.model}/{record_id}/edit" if record_id is not None else f"/m/{spec.model}/new",
            "onchange_url": f"/m/{spec.model}/onchange{suffix}",
            "lines_url": f"/m/{spec.model}/lines{suffix}{'&' if suffix else '?'}"}


def _changed_field(spec: FormSpec, trigger: str) -> str | None:
    """The field an input belongs to: itself for a header field, the one-to-many for a line's."""
    head = trigger.split("-", 1)[0]
    if spec.widget(trigger) is not None or any(lines.name == head for lines in spec.lines):
        return head
    return _first_editable(spec)


def _first_editable(spec: FormSpec) -> str | None:
    return next((w.name for w in spec.fields if w.editable), None)


def _record_id() -> int | None:
    value = request.args.get("id")
    if value is None:
        return None
    record_id = whole_number(value)
    if record_id is None:
        abort(400)
    return record_id


def _run(work: Any, *, write: bool = False) -> Any:
    return loom_state(current_app).run(g.account.uid, work, write=write)

