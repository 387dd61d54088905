"""The header of an import file: which column is the external id, which fields the others fill.

``id`` holds the external id (``base.partner_x``, or a bare name that belongs to ``__import__``).
Every other header names a field the user may write. A many-to-one column takes the target's
external id or its name (``partner_id``), or only its external id (``partner_id/id``). One-to-many,
many-to-many and JSON fields are not importable from a flat file.
"""

from __future__ import annotations

from dataclasses import dataclass

from loom.kernel.errors import LoomError, ValidationError
from loom.kernel.fields import FieldInfo
from loom.kernel.records import Records

#: The header of the external-id column.
ID_COLUMN = "id"
_NOT_IMPORTABLE = ("one2many", "many2many", "json")


@dataclass(frozen=True)
class Column:
    """One column: its position, header, field (None for the id column) and how links are given."""

    index: int
    header: str
    info: FieldInfo | None = None
    by_external_id: bool = False

    @property
    def is_link(self) -> bool:
        """Whether the column fills a many-to-one field."""
        return self.info is not None and self.info.kind == "many2one"


def parse_header(records: Records, header: list[str]) -> tuple[list[Column], list[tuple[str, LoomError]]]:
    """The columns of ``header`` and the problems found, as (column header, error) pairs."""
    columns: list[Column] = []
    problems: list[tuple[str, LoomError]] = []
    seen: set[str] = set()
    for index, name in enumerate(header):
        try:
            column = _column(records, index, name)
            field = column.info.name if column.info else ID_COLUMN
            if field in seen:
                raise ValidationError("kernel.import_column_duplicate", field=field, column=name)
            seen.add(field)
            columns.append(column)
        except LoomError as exc:
            problems.append((name, exc))
    return columns, problems


def _column(records: Records, index: int, name: str) -> Column:
    if not name:
        raise ValidationError("kernel.import_column_empty", field=None, position=index + 1)
    if name == ID_COLUMN:
        return Column(index, name)
    field, _, suffix = name.partition("/")
    if suffix not in ("", "id"):
        raise ValidationError("kernel.import_column_unknown", field=field, column=name)
    info = records.field(field, write=True)
    if info.kind in _NOT_IMPORTABLE:
        raise ValidationError("kernel.import_column_not_importable", field=field, kind=info.kind)
    if suffix and info.kind != "many2one":
        raise ValidationError("kernel.import_column_unknown", field=field, column=name)
    return Column(index, name, info, by_external_id=bool(suffix))
