"""``loom export``: the records a user may export, streamed to CSV or XLSX.

The rows come from ``env[model].select(domain, perm="export")``, so the model's export permission,
record rules and companies apply, and a field restricted to roles is refused by name to anyone
without one of them, a superuser included (it holds no role). Only
the columns asked for are selected (by default every readable stored field except ``id``,
``version`` and computed fields), many-to-one fields as the target's name (or its id when the
user may not read the target model), and the result is read in batches (``yield_per``), never held
in memory. The header row holds field names, so an exported file imports back. Exports of more
than :data:`AUDITED_ROWS` rows are written to the security audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import aliased

from loom.kernel import access
from loom.kernel.errors import AccessError, FieldForbiddenError, ValidationError
from loom.kernel.transfer.writers import CsvSink, XlsxSink

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

FORMATS = {"csv": CsvSink, "xlsx": XlsxSink}
#: Exports of more rows than this are audited.
AUDITED_ROWS = 1000
BATCH = 1000
_NOT_EXPORTABLE = ("one2many", "many2many")
_NOT_BY_DEFAULT = ("id", "version")  # nor stored computed fields: they are derived, not data


def export_records(env: Environment, model: str, out: BinaryIO, *, format: str = "csv",  # noqa: A002 - the CLI's word
                   fields: Sequence[str] | None = None, domain: list | None = None, order: str | None = None) -> int:
    """Write the records of ``model`` matching ``domain`` to ``out``; returns how many rows were written."""
    sink_class = FORMATS.get(format)
    if sink_class is None:
        raise ValidationError("kernel.export_format_unknown", field="format", format=format,
                              formats=", ".join(FORMATS))
    records = env[model]
    names = _fields(env, model, fields)
    stmt = records.select(domain, perm="export", order=order)
    columns, joins = [], []
    for name in names:
        column, join = _column(env, records.cls, records.fields[name])
        columns.append(column)
        if join is not None:
            joins.append(join)
    stmt = stmt.with_only_columns(*columns, maintain_column_froms=False).select_from(records.cls)
    for target, onclause in joins:
        stmt = stmt.outerjoin(target, onclause)
    sink = sink_class(out)
    sink.header(names)
    count = 0
    for row in env.session.execute(stmt, execution_options={"yield_per": BATCH}):
        sink.row(list(row))
        count += 1
    sink.close()
    if count > AUDITED_ROWS:
        _audit(env, model, names, domain, format, count)
    return count


def _fields(env: Environment, model: str, fields: Sequence[str] | None) -> list[str]:
    records = env[model]
    if fields is None:
        return [name for name, info in records.fields.items()
                if info.kind not in _NOT_EXPORTABLE and name not in _NOT_BY_DEFAULT and "compute" not in info.extra
                and _role_allows(env, info)]
    for name in fields:
        info = records.field(name)
        if not _role_allows(env, info):
            raise FieldForbiddenError("kernel.field_forbidden", field=name, model=model)
        if info.kind in _NOT_EXPORTABLE:
            raise ValidationError("kernel.export_field_not_exportable", field=name, kind=info.kind)
    return list(dict.fromkeys(fields))


def _role_allows(env: Environment, info: Any) -> bool:
    """Fields restricted to roles go only to users holding one of them; a superuser holds none
    (``loom export loom.user`` never writes password hashes to a file)."""
    if not info.roles:
        return True
    return not env.su and bool(info.roles & env.grants.role_codes)


def _column(env: Environment, cls: Any, info: Any) -> tuple[Any, tuple[Any, Any] | None]:
    column = getattr(cls, info.name)
    if info.kind != "many2one":
        return column, None
    try:
        access.check_model(env, info.target, "read")
    except AccessError:
        return column, None
    target_cls = env.registry[info.target]
    rec_name = target_cls.__rec_name__
    target_field = env.registry.fields(info.target).get(rec_name)
    if target_field is None or not _role_allows(env, target_field):
        return column, None
    target = aliased(target_cls)
    on = target.id == column
    visible = access.record_filter(env, info.target, "read")
    if visible is not None:  # a linked record the user may not read exports as an empty cell
        on = on & target.id.in_(select(target_cls.id).where(visible))
    return getattr(target, rec_name).label(info.name), (target, on)


def _audit(env: Environment, model: str, names: list[str], domain: list | None, format: str, count: int) -> None:  # noqa: A002
    from loom.kernel.audit import audit_event

    audit_event(env, "export", model=model,
                details={"rows": count, "fields": names, "format": format, "domain": domain})
