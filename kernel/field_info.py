"""Describe the fields of a composed class as :class:`~loom.kernel.fields.FieldInfo` objects.

Column options a module may put in ``mapped_column(info={...})``: ``label``, ``selection`` (a
tuple of allowed values), ``roles`` (only users with one of these roles read or write the field),
``readonly`` (clients may not write it), ``tracked`` (changes go to the record's timeline).
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, Numeric, String, Text, inspect
from sqlalchemy.sql.type_api import TypeEngine

from loom.kernel.composer import Composition
from loom.kernel.fields import FieldInfo, Many2One, One2Many

#: Fields clients never write: the kernel maintains them.
SYSTEM_FIELDS = frozenset({"id", "version"})


def describe_fields(cls: type, composition: Composition) -> dict[str, FieldInfo]:
    """Every column and relationship field of ``cls``, keyed by field name."""
    fields: dict[str, FieldInfo] = {}
    for column in inspect(cls).columns:
        fields[column.key] = _column_field(column, composition)
    for rel_name, (module, marker) in composition.relationships.items():
        if isinstance(marker, Many2One):
            column_name = rel_name + "_id"
            fields[column_name] = _with_target(fields[column_name], marker.target, rel_name)
        else:
            kind = "one2many" if isinstance(marker, One2Many) else "many2many"
            fields[rel_name] = FieldInfo(name=rel_name, kind=kind, module=module, target=marker.target,
                                         stored=False, label=marker.label, readonly=False)
    return fields


def _column_field(column, composition: Composition) -> FieldInfo:
    info = column.info
    kind, scale, size = _kind(column.type)
    if info.get("selection"):
        kind = "selection"
    return FieldInfo(
        name=column.key, kind=kind, module=composition.columns.get(column.key, composition.owner),
        required=not column.nullable and column.server_default is None and column.default is None
        and not column.primary_key,
        readonly=column.key in SYSTEM_FIELDS or bool(info.get("readonly")) or "compute" in info,
        scale=scale, size=size, selection=tuple(info.get("selection", ())),
        roles=frozenset(info.get("roles", ())), label=info.get("label"),
        extra={**{k: v for k, v in info.items() if k in ("compute", "tracked", "module")},
               **({"precision": getattr(column.type, "precision", None) or 18} if kind == "decimal" else {})},
    )


def _with_target(field: FieldInfo, target: str, relationship: str) -> FieldInfo:
    values = {k: getattr(field, k) for k in field.__dataclass_fields__}
    values.update(kind="many2one", target=target, relationship=relationship)
    return FieldInfo(**values)


def _kind(sqltype: TypeEngine) -> tuple[str, int | None, int | None]:
    scale = getattr(sqltype, "scale", None)
    if hasattr(sqltype, "loom_kind"):
        return sqltype.loom_kind, scale, None
    for base, kind in ((Boolean, "boolean"), (Integer, "integer"), (Numeric, "decimal"),
                       (DateTime, "datetime"), (Date, "date"), (Text, "text"), (JSON, "json")):
        if isinstance(sqltype, base):
            return kind, scale, None
    if isinstance(sqltype, String):
        return "string", None, sqltype.length
    return "string", None, None
