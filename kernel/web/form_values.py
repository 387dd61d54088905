"""What a generic form holds: the widgets of a model's fields (from its metadata and the user's
permissions), the form's state as the user typed it (a :class:`Draft`), and its conversion to the
values ``env[model].create``/``write`` and ``onchange`` take.

Text from the browser is only shaped here (empty → None, digits → int, a ticked box → True); the
kernel's own conversion (:func:`loom.kernel.values.convert`, which the JSON API relies on too)
checks every value and names the field in its error.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from loom.kernel import access
from loom.kernel.errors import LoomError, ValidationError
from loom.kernel.values import convert
from loom.kernel.web.display import field_label, reader_tz, selection_label
from loom.kernel.web.locale_format import time_zone

#: Field kinds a form shows, with the HTML input each is edited with.
INPUTS = {"string": "text", "text": "textarea", "integer": "number", "decimal": "decimal", "boolean": "checkbox",
          "selection": "select", "date": "date", "datetime": "datetime-local", "many2one": "many2one"}
#: Fields no form shows: the kernel keeps them.
HIDDEN = frozenset({"id", "version"})
#: Line columns when the parent model names none (``__form_lines__``).
DEFAULT_LINE_COLUMNS = 6
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")


@dataclass(frozen=True)
class Widget:
    """One field of a form: how it is edited (``input``, one of :data:`INPUTS`' values) and whether it may be."""

    name: str
    label: str
    kind: str
    input: str
    editable: bool
    required: bool
    choices: tuple[str, ...] = ()
    optional: bool = True
    choice_labels: tuple[str, ...] = ()

    def read_only(self) -> Widget:
        """This widget shown but not edited."""
        return replace(self, editable=False)

    def choice_label(self, value: Any) -> str:
        """The label of selection value ``value`` in the reader's language (the value itself if unknown)."""
        if value in self.choices and len(self.choice_labels) == len(self.choices):
            return self.choice_labels[self.choices.index(value)]
        return str(value)


@dataclass(frozen=True)
class LinesSpec:
    """A one-to-many edited inline: its line model, the columns shown, whether the order is stored
    (``sequence``), and what the user may do to the lines: add (``may_add``), remove
    (``may_remove``), change existing ones (``may_write``); ``editable`` when any of them."""

    name: str
    label: str
    target: str
    inverse: str
    columns: tuple[Widget, ...]
    editable: bool
    sequence: bool
    may_add: bool = False
    may_remove: bool = False
    may_write: bool = False

    @property
    def movable(self) -> bool:
        """Whether the form offers Up and Down: the order is stored and the user may change it."""
        return self.sequence and (self.may_write or self.may_add)

    def line_editable(self, line: Line) -> bool:
        """Whether ``line``'s inputs may be changed: a new line when the user may add lines, an
        existing one when they may write lines."""
        return self.may_add if line.id is None else self.may_write


@dataclass(frozen=True)
class FormSpec:
    """The widgets of ``model``'s form for one user, creating or editing."""

    model: str
    fields: tuple[Widget, ...]
    lines: tuple[LinesSpec, ...]

    def widget(self, name: str) -> Widget | None:
        """The header widget of field ``name``."""
        return next((w for w in self.fields if w.name == name), None)


@dataclass
class Line:
    """One line as typed: its id when it exists, its text per column and its links' names."""

    id: int | None
    values: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class Draft:
    """The form as the user typed it: header text, links' names, lines, removed line ids, version."""

    values: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    lines: dict[str, list[Line]] = field(default_factory=dict)
    removed: dict[str, list[int]] = field(default_factory=dict)
    version: str = ""


def form_spec(env: Any, model: str, *, creating: bool) -> FormSpec:
    """The form of ``model`` for ``env``'s user: readable fields only, editable when the user may
    create (``creating``) or write the model, the field is not read-only or computed and, for a
    link, the user may read the records it links to."""
    fields = env.registry.fields(model)
    may_save = access.may(env, model, "create" if creating else "write")
    widgets = tuple(_widget(env, model, info, may_save) for name, info in fields.items()
                    if info.kind in INPUTS and name not in HIDDEN and access.field_readable(env, model, name))
    declared = getattr(env.registry[model], "__form_lines__", {})
    lines = tuple(_lines(env, model, info, declared.get(name), may_save) for name, info in fields.items()
                  if info.kind == "one2many" and access.field_readable(env, model, name)
                  and access.may(env, info.target, "read"))
    return FormSpec(model, widgets, lines)


def _widget(env: Any, model: str, info: Any, may_save: bool) -> Widget:
    column = env.registry[model].__table__.columns.get(info.name)
    linkable = info.kind != "many2one" or access.may(env, info.target, "read")  # else nothing to pick from
    return Widget(info.name, field_label(info.name, info, model, env.lang), info.kind, INPUTS[info.kind],
                  may_save and not info.readonly and linkable, info.required, info.selection,
                  optional=column is None or bool(column.nullable),
                  choice_labels=tuple(selection_label(model, info.name, info, v, env.lang) for v in info.selection))


def _lines(env: Any, model: str, info: Any, declared: tuple[str, ...] | None, may_save: bool) -> LinesSpec:
    inverse = env.registry.inverse_of(model, info.name)
    line_fields = env.registry.fields(info.target)
    may_add, may_write, may_remove = (may_save and access.may(env, info.target, perm)
                                      for perm in ("create", "write", "delete"))
    may_lines = may_add or may_write
    usable = [n for n, f in line_fields.items() if f.kind in INPUTS and n not in HIDDEN | {inverse, "sequence"}
              and access.field_readable(env, info.target, n)]
    if declared:
        names = [n for n in declared if n in usable]
    else:
        rec_name = env.registry[info.target].__rec_name__
        first = [rec_name] if rec_name in usable else []
        rest = [n for n in usable if n != rec_name and n not in ("active", "company_id")]
        names = (first + rest)[:DEFAULT_LINE_COLUMNS]
    columns = tuple(_widget(env, info.target, line_fields[n], may_lines) for n in names)
    sequence = "sequence" in line_fields and line_fields["sequence"].kind == "integer"
    return LinesSpec(info.name, field_label(info.name, info, model, env.lang), info.target, inverse, columns,
                     may_lines or may_remove, sequence, may_add, may_remove, may_write)


def draft_of_form(spec: FormSpec, form: Any) -> Draft:
    """The :class:`Draft` a POSTed ``form`` carries (fields named ``name``, lines ``child_ids-0-name``,
    a line's id ``child_ids-0-id``, removed lines ``child_ids-removed``, ``version``); a field the
    form does not carry is left out (not emptied)."""
    draft = Draft(version=form.get("version", ""))
    for widget in spec.fields:
        if widget.editable:
            _read_input(widget, form, widget.name, draft.values, draft.labels)
    for lines in spec.lines:
        prefix = f"{lines.name}-"
        found = {whole_number(key[len(prefix):].split("-", 1)[0], digits=6) for key in form if key.startswith(prefix)}
        draft.lines[lines.name] = [_read_line(lines, form, f"{prefix}{i}-") for i in sorted(found - {None})]
        removed = map(whole_number, form.getlist(f"{lines.name}-removed"))
        draft.removed[lines.name] = [line_id for line_id in removed if line_id is not None]
    return draft


def whole_number(text: str, *, digits: int = 18) -> int | None:
    """``text`` as a whole number of at most ``digits`` ASCII digits, else None."""
    return int(text) if 0 < len(text) <= digits and text.isascii() and text.isdigit() else None


def _read_line(lines: LinesSpec, form: Any, prefix: str) -> Line:
    line_id = form.get(f"{prefix}id", "")
    line = Line(whole_number(line_id))
    for widget in lines.columns:
        if widget.editable and lines.line_editable(line):
            _read_input(widget, form, prefix + widget.name, line.values, line.labels, key=widget.name)
    return line


def _read_input(widget: Widget, form: Any, name: str, values: dict[str, str], labels: dict[str, str],
                key: str | None = None) -> None:
    key = key or widget.name
    if name not in form:  # a field the form did not send keeps its value
        return
    if widget.input == "checkbox":  # a hidden "" precedes the box, so an unticked box is sent too
        values[key] = "1" if "1" in form.getlist(name) else ""
        return
    values[key] = form.get(name, "")
    if widget.input == "many2one":
        labels[key] = form.get(f"{name}-label", "")


def draft_of_record(spec: FormSpec, record: Any, names: dict[tuple[str, str, int], str]) -> Draft:
    """The :class:`Draft` showing ``record`` as stored; ``names`` are the linked records' names
    keyed by (model, field, id)."""
    draft = Draft(version=str(record.version))
    for widget in spec.fields:
        draft.values[widget.name] = as_text(widget, getattr(record, widget.name))
        _label(spec.model, widget, getattr(record, widget.name), names, draft.labels)
    for lines in spec.lines:
        draft.lines[lines.name] = []
        for line_record in getattr(record, lines.name):
            line = Line(line_record.id)
            for widget in lines.columns:
                value = getattr(line_record, widget.name)
                line.values[widget.name] = as_text(widget, value)
                _label(lines.target, widget, value, names, line.labels)
            draft.lines[lines.name].append(line)
        draft.removed[lines.name] = []
    return draft


def _label(model: str, widget: Widget, value: Any, names: dict, labels: dict[str, str]) -> None:
    if widget.input == "many2one" and value is not None:
        labels[widget.name] = names.get((model, widget.name, value), f"#{value}")


def as_text(widget: Widget, value: Any) -> str:
    """A stored value as the text its input shows."""
    if value is None or value is False:
        return ""
    if widget.input == "checkbox":
        return "1"
    if widget.input == "datetime-local":  # stored in UTC, typed in the reader's time zone, to the second
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        shape = "%Y-%m-%dT%H:%M:%S" if moment.second else "%Y-%m-%dT%H:%M"
        return moment.astimezone(time_zone(reader_tz())).strftime(shape)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def shaped(widget: Widget, text: str) -> Any:
    """The value the kernel converts for ``widget`` from the text typed: ``None`` for nothing typed,
    ``int`` for whole numbers and links, ``bool`` for a box; other text as typed."""
    if widget.input == "checkbox":
        return bool(text)
    if text.strip() == "":
        return None
    if widget.kind in ("integer", "many2one") and _INTEGER.fullmatch(text.strip()):
        return int(text.strip())
    if widget.input == "datetime-local":
        return _in_reader_zone(widget.name, text.strip())
    return text


def _in_reader_zone(name: str, text: str) -> str:
    """A moment typed without a zone (``2026-12-05T09:00``) as the reader's local time, in UTC;
    text that is no such moment is left for the kernel's check to name. A moment whose UTC time
    falls outside the calendar (``0001-01-01T00:00`` east of Greenwich) is refused on field ``name``."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=time_zone(reader_tz()))
    try:
        return moment.astimezone(dt.UTC).isoformat()
    except OverflowError:
        raise ValidationError("kernel.web_form_datetime_out_of_range", field=name, value=text[:40]) from None


@dataclass
class Converted:
    """A draft as the kernel's values, and every field's conversion error: header errors by field
    name, line errors by (one-to-many, line index, field)."""

    values: dict[str, Any]
    lines: dict[str, list[dict[str, Any]]]
    errors: dict[Any, LoomError]


def convert_draft(env: Any, spec: FormSpec, draft: Draft) -> Converted:
    """Shape and check every editable value of ``draft`` with the kernel's conversion, collecting
    the errors of all fields at once (nothing is read or written)."""
    fields = env.registry.fields(spec.model)
    result = Converted({}, {}, {})
    for widget in spec.fields:
        if widget.editable and widget.name in draft.values:
            _convert(fields[widget.name], widget, draft.values[widget.name], result.values, result.errors, widget.name)
    for lines in spec.lines:
        line_fields = env.registry.fields(lines.target)
        converted = []
        for index, line in enumerate(draft.lines.get(lines.name, [])):
            values: dict[str, Any] = {}
            for widget in lines.columns:
                if widget.editable and widget.name in line.values:
                    _convert(line_fields[widget.name], widget, line.values[widget.name], values, result.errors,
                             (lines.name, index, widget.name))
            converted.append(values)
        result.lines[lines.name] = converted
    return result


def _convert(info: Any, widget: Widget, text: str, values: dict[str, Any], errors: dict, key: Any) -> None:
    value: Any = text
    try:
        value = shaped(widget, text)
        value = convert(info, value)
    except LoomError as exc:
        errors[key] = exc
    values[widget.name] = value
