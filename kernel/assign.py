"""Assign client values to a record: conversion, links, lines, companies and computed fields.

One-to-many values are lines: on create a list of dicts; on write a dict
``{"create": [...], "update": [{"id": .., ...}], "delete": [ids]}``. Many-to-many values are a
list of ids (the new set). A many-to-one must point at a record the user may read, and a record
of one company may only link to records of the same company or shared ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm.attributes import flag_modified

from loom.kernel.errors import MissingError, ValidationError
from loom.kernel.fields import FieldInfo

if TYPE_CHECKING:
    from loom.kernel.records import Records


def assign_values(records: Records, record: Any, vals: dict[str, Any], *, creating: bool) -> dict[str, list[int]]:
    """Convert and set ``vals`` on ``record``, then recompute its stored computed fields; returns the
    ids by model of the lines deleted (and what goes with them), to announce once they are gone.

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
    deleted: dict[str, list[int]] = {}
    for info, value in lines:
        for model, ids in _set_lines(records, record, info, value, creating=creating).items():
            deleted.setdefault(model, []).extend(ids)
    recompute(records, record, set(vals), creating=creating)
    return deleted


def records_convert(records: Records, info: FieldInfo, value: Any) -> Any:
    """Convert a scalar value for ``info``."""
    from loom.kernel.values import convert

    return convert(info, value)


def _set_many2one(records: Records, record: Any, info: FieldInfo, value: Any) -> None:
    target_id = records_convert(records, info, value)
    target = None
    own_company = info.target == "loom.company" and target_id in records.env.company_ids
    if target_id is not None and (records.env.su or own_company):  # the identity map may answer: no
        # rules to apply, or one of the user's own companies (theirs to use without reading loom.company)
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


def _set_lines(records: Records, record: Any, info: FieldInfo, value: Any, *,
               creating: bool) -> dict[str, list[int]]:
    """Apply line operations ``value``: lines created, updated and deleted under the line model's own
    permissions and rules; returns the ids by model a delete removes. A write that changes lines
    changes the parent: its ``version`` moves on, so a stale edit of the same lines is refused."""
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
    doomed = []
    for line_id in dict.fromkeys(ops.get("delete", [])):
        if not _is_id(line_id) or line_id not in by_id:
            raise ValidationError("kernel.line_missing", field=info.name)
        doomed.append(by_id[line_id])
    deleted = target.deletable(doomed) if doomed else {}
    for line in doomed:
        collection.remove(line)
    if not creating and any(ops.values()):
        flag_modified(record, "id")  # no column of the parent may change: its version must all the same
    return deleted


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
