"""Assign client values to a record: conversion, links, lines, companies and computed fields.

One-to-many values are lines: on create a list of dicts; on write a dict
``{"create": [...], "update": [{"id": .., ...}], "delete": [ids]}``. Many-to-many values are a
list of ids (the new set). A many-to-one must point at a record the user may read, and a record
of one company may only link to records of the same company or shared ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loom.kernel.errors import MissingError, ValidationError
from loom.kernel.fields import FieldInfo

if TYPE_CHECKING:
    from loom.kernel.records import Records


def assign_values(records: Records, record: Any, vals: dict[str, Any], *, creating: bool) -> None:
    """Convert and set ``vals`` on ``record``, then recompute its stored computed fields.

    The model's own ``validate`` runs afterwards, from :class:`~loom.kernel.records.Records`."""
    lines: list[tuple[FieldInfo, Any]] = []
    for name, value in vals.items():
        info = records.field(name, write=True)
        if info.kind == "one2many":
            lines.append((info, value))
        elif info.kind == "many2many":
            setattr(record, name, _many2many(records, info, value))
        elif info.kind == "many2one":
            _set_many2one(records, record, info, value)
        else:
            setattr(record, name, records_convert(records, info, value))
    _check_company_links(records, record, vals)
    for info, value in lines:
        _set_lines(records, record, info, value, creating=creating)
    recompute(records, record, set(vals), creating=creating)


def records_convert(records: Records, info: FieldInfo, value: Any) -> Any:
    """Convert a scalar value for ``info``."""
    from loom.kernel.values import convert

    return convert(info, value)


def _set_many2one(records: Records, record: Any, info: FieldInfo, value: Any) -> None:
    target_id = records_convert(records, info, value)
    target = None
    if target_id is not None and records.env.su:  # no rules to apply: the identity map may answer
        target = records.env.session.get(records.env.registry[info.target], target_id)
        if target is None:
            raise ValidationError("kernel.link_missing", field=info.name, model=info.target, id=target_id)
    elif target_id is not None:
        try:
            target = records.env[info.target].get(target_id)
        except MissingError:
            raise ValidationError("kernel.link_missing", field=info.name, model=info.target,
                                  id=target_id) from None
    setattr(record, info.name, target_id)
    setattr(record, info.relationship, target)


def _many2many(records: Records, info: FieldInfo, value: Any) -> list[Any]:
    if not isinstance(value, list) or any(isinstance(i, bool) or not isinstance(i, int) for i in value):
        raise ValidationError("kernel.value_not_id_list", field=info.name)
    try:
        return records.env[info.target].browse(value)
    except MissingError:
        raise ValidationError("kernel.link_missing", field=info.name, model=info.target,
                              id=value) from None


def _set_lines(records: Records, record: Any, info: FieldInfo, value: Any, *, creating: bool) -> None:
    target = records.env[info.target]
    inverse = records.env.registry.inverse_of(records.model, info.name)
    ops = {"create": value} if isinstance(value, list) else value
    if not isinstance(ops, dict) or set(ops) - {"create", "update", "delete"} \
            or any(not isinstance(items, list) for items in ops.values()):
        raise ValidationError("kernel.lines_malformed", field=info.name)
    collection = getattr(record, info.name)
    for line_vals in ops.get("create", []):
        if not isinstance(line_vals, dict) or inverse in line_vals:
            raise ValidationError("kernel.lines_malformed", field=info.name)
        line = target.new_line(line_vals, inverse)
        collection.append(line)
    if creating and (ops.get("update") or ops.get("delete")):
        raise ValidationError("kernel.lines_malformed", field=info.name)
    by_id = {line.id: line for line in records.visible_lines(record, info.name, perm="write")} if not creating else {}
    for line_vals in ops.get("update", []):
        line_id = line_vals.get("id") if isinstance(line_vals, dict) else None
        line = by_id.get(line_id) if _is_id(line_id) else None
        if line is None:
            raise ValidationError("kernel.line_missing", field=info.name)
        target.write([line], {k: v for k, v in line_vals.items() if k != "id"})
    for line_id in ops.get("delete", []):
        if not _is_id(line_id) or line_id not in by_id:
            raise ValidationError("kernel.line_missing", field=info.name)
        collection.remove(by_id[line_id])


def _check_company_links(records: Records, record: Any, vals: dict[str, Any]) -> None:
    fields = records.fields
    if "company_id" not in fields:
        return
    company = record.company_id
    if company is not None and not records.env.su and company not in records.env.company_ids:
        raise ValidationError("kernel.company_not_allowed", field="company_id", company=company)
    for name, info in fields.items():
        if info.kind != "many2one" or name == "company_id":
            continue
        target = getattr(record, info.relationship)
        target_company = getattr(target, "company_id", None) if target is not None else None
        if target_company is not None and target_company != company:
            raise ValidationError("kernel.cross_company_link", field=name, model=info.target,
                                  record=target.id, company=target_company)


def recompute(records: Records, record: Any, changed: set[str], *, creating: bool) -> None:
    """Run the compute method of every stored computed field whose dependencies changed."""
    for info in records.fields.values():
        spec = info.extra.get("compute")
        if spec is None:
            continue
        roots = {path.split(".")[0] for path in spec["depends"]}
        if creating or roots & changed:
            getattr(record, spec["method"] or f"_compute_{info.name}")()


def parents_of(records: Records, lines: list[Any]) -> list[tuple[Records, Any, str]]:
    """(parent handle, parent, one-to-many) of every parent whose stored computed fields follow ``lines``."""
    found = []
    for parent_model, inverse, one2many in records.env.registry.computed_parents(records.model):
        parents = {getattr(line, inverse) for line in lines} - {None}
        if parents:
            handle = records.env.sudo()[parent_model]
            found += [(handle, parent, one2many) for parent in handle.browse(sorted(parents))]
    return found


def recompute_parents(records: Records, lines: list[Any], parents: list[tuple[Records, Any, str]] | None = None,
                      *, reload: bool = False) -> None:
    """Recompute the stored computed fields of the parents of ``lines`` that depend on them
    (``parents`` when they were found before the lines changed); ``reload`` re-reads the parents'
    lines first (after lines were created or deleted on their own)."""
    for handle, parent, one2many in parents if parents is not None else parents_of(records, lines):
        if reload:
            records.env.session.expire(parent, [one2many])
        recompute(handle, parent, {one2many}, creating=False)


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
