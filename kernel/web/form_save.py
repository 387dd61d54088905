"""Saving a form: the header and its lines in one ``env[model].create`` or ``write`` (the kernel's
own line operations, as the JSON API sends them), all or nothing.

A refused save raises :class:`FormRejected` with each error keyed where the form shows it: a
header field's name, or ``(one-to-many, line index, field)`` for a line (field ``None`` when the
error names no column of the line). The kernel's error does not say which line it came from, so on
a refusal the lines are tried one by one in a savepoint that is rolled back to find it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from loom.kernel.errors import LoomError, StaleRecordError, UserError
from loom.kernel.web.form_values import Converted, Draft, FormSpec, LinesSpec


class FormRejected(Exception):
    """The form was not saved: ``errors`` maps where each error shows to the error."""

    def __init__(self, errors: dict[Any, LoomError]) -> None:
        super().__init__("form rejected")
        self.errors = errors


def save_form(env: Any, spec: FormSpec, draft: Draft, converted: Converted, record_id: int | None = None,
              version: int | None = None) -> int:
    """Create (``record_id`` None) or write the record with its lines; answers its id.

    ``version`` is the version the form was read at: a stale one raises ``StaleRecordError``."""
    if converted.errors:
        raise FormRejected(converted.errors)
    records = env[spec.model]
    savepoint = env.session.begin_nested()
    try:
        if record_id is None:
            record = records.create({**converted.values, **{
                lines.name: _sequenced(lines, converted.lines[lines.name]) for lines in spec.lines if lines.editable}})
        else:
            record = records.get(record_id, perm="write")
            records.write([record], {**converted.values, **{
                lines.name: _operations(lines, draft, converted, getattr(record, lines.name))
                for lines in spec.lines if lines.editable}}, expected_version=version)
    except StaleRecordError:
        savepoint.rollback()
        raise
    except UserError as exc:
        savepoint.rollback()
        raise FormRejected(dict([_locate(env, spec, draft, converted, record_id, exc)])) from exc
    savepoint.commit()
    return record.id


def _sequenced(lines: LinesSpec, values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Line values in form order, numbered in ``sequence`` when the line model has one."""
    if not lines.sequence:
        return [dict(v) for v in values]
    return [{**v, "sequence": (index + 1) * 10} for index, v in enumerate(values)]


def _operations(lines: LinesSpec, draft: Draft, converted: Converted, stored_lines: Any) -> dict[str, list]:
    """The kernel's line operations for an edit: new lines created, kept ones updated only where a
    value differs from ``stored_lines`` (the lines as read), removed ones deleted. An untouched line
    is left alone: saving the header then needs no right on the lines and costs the same for 2 or
    200 lines."""
    typed = draft.lines[lines.name]
    stored = {line.id: line for line in stored_lines}
    numbered = _renumbered(lines, typed, converted.lines[lines.name], stored)
    return {"create": [v for line, v in zip(typed, numbered, strict=True) if line.id is None],
            "update": [{"id": line.id, **v} for line, v in zip(typed, numbered, strict=True)
                       if line.id is not None and _changed(stored.get(line.id), v)],
            "delete": list(draft.removed.get(lines.name, []))}


def _renumbered(lines: LinesSpec, typed: list, values: list[dict[str, Any]], stored: dict[int, Any]) -> list[dict]:
    """Line values of an edit, numbered in ``sequence``: the stored numbers are kept while the kept
    lines stay in their order and new lines come after them (numbered on from the last); any
    other order renumbers every line by its place in the form."""
    if not lines.sequence:
        return [dict(v) for v in values]
    kept = [getattr(stored.get(line.id), "sequence", None) for line in typed if line.id is not None]
    new_last = all(line.id is None for line in typed[len(kept):])
    if None in kept or not new_last or any(a >= b for a, b in zip(kept, kept[1:], strict=False)):
        return _sequenced(lines, values)
    last = kept[-1] if kept else 0
    return [dict(v) if line.id is not None else {**v, "sequence": last + (index + 1 - len(kept)) * 10}
            for index, (line, v) in enumerate(zip(typed, values, strict=True))]


def _changed(stored: Any, values: dict[str, Any]) -> bool:
    """Whether ``values`` differ from line ``stored`` as read (an unknown line counts as changed)."""
    return stored is None or any(not _same(getattr(stored, name), value) for name, value in values.items())


def _same(stored: Any, typed: Any) -> bool:
    if isinstance(stored, dt.datetime) and isinstance(typed, dt.datetime):  # a naive stored moment is UTC
        return _aware(stored) == _aware(typed)
    return stored == typed


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _locate(env: Any, spec: FormSpec, draft: Draft, converted: Converted, record_id: int | None,
            error: UserError) -> tuple[Any, LoomError]:
    """Where ``error`` shows: the header first, then each line on its own, in a savepoint rolled back."""
    header = (error.field if spec.widget(error.field or "") else None, error)
    if not any(converted.lines.get(lines.name) for lines in spec.lines if lines.editable):
        return header
    records = env[spec.model]
    savepoint = env.session.begin_nested()
    try:
        try:
            if record_id is None:
                record = records.create(converted.values)
            else:
                record = records.get(record_id, perm="write")
                records.write([record], converted.values)
        except UserError as found:
            return (found.field if spec.widget(found.field or "") else None, found)
        for lines in spec.lines:
            if lines.editable:
                found_line = _first_bad_line(env, lines, draft, converted, record)
                if found_line is not None:
                    return found_line
        return header
    finally:
        savepoint.rollback()


def _first_bad_line(env: Any, lines: LinesSpec, draft: Draft, converted: Converted,
                    record: Any) -> tuple[Any, LoomError] | None:
    handle = env[lines.target]
    existing = {line.id: line for line in getattr(record, lines.name)}
    columns = {widget.name for widget in lines.columns}
    for index, (line, values) in enumerate(zip(draft.lines[lines.name], converted.lines[lines.name], strict=True)):
        try:
            if line.id is None:
                handle.create({**values, lines.inverse: record.id})
            elif line.id in existing and _changed(existing[line.id], values):
                handle.write([existing[line.id]], values)
        except UserError as found:
            return (lines.name, index, found.field if found.field in columns else None), found
    return None
