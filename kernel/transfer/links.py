"""Many-to-one cells resolved to record ids, many cells per query.

A cell names the target record by external id (``base.partner_x``; a bare name belongs to
``__import__``) or, in a plain column, by its name when exactly one record the user may read
carries it. A column headed ``field/id`` takes external ids only. Names are looked up once per
chunk of rows with one query per column, and remembered for the rest of the file. A cell naming
the external id of a row above it in the same file waits until that row is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from loom.kernel import external_ids
from loom.kernel.data_loader import KnownIds
from loom.kernel.errors import ValidationError
from loom.kernel.transfer.cells import as_text
from loom.kernel.transfer.columns import Column
from loom.kernel.transfer.xlsx_reader import Formula

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

#: The module of external ids written without one in an import file.
IMPORT_MODULE = "__import__"


@dataclass(frozen=True)
class Pending:
    """A link to a row of the same file not saved yet (its external id), resolved once it is."""

    field: str
    key: tuple[str, str]
    text: str


class LinkResolver:
    """Resolves the cells of many-to-one columns, remembering names already looked up."""

    def __init__(self, env: Environment, known: KnownIds) -> None:
        self.env = env
        self.known = known
        self.by_name: dict[tuple[str, str], list[int]] = {}

    def prepare(self, column: Column, cells: list[Any]) -> None:
        """Look up, in one query, the names among ``cells`` that are not external ids of the target."""
        if column.by_external_id:
            return
        target = column.info.target
        wanted = {str(as_text(c)).strip() for c in cells if _given(c) and self._external(column, c) is None}
        wanted -= {name for model, name in self.by_name if model == target}
        if not wanted:
            return
        records = self.env[target]
        rec_name = records.cls.__rec_name__
        if rec_name not in records.fields:  # a model without a naming field is linked by external id only
            return
        found: dict[str, list[int]] = {name: [] for name in wanted}
        names = sorted(wanted)
        for start in range(0, len(names), 500):
            stmt = records.select([[rec_name, "in", names[start:start + 500]]]).with_only_columns(
                records.cls.id, getattr(records.cls, rec_name))
            for record_id, name in self.env.session.execute(stmt):
                found[name].append(record_id)
        self.by_name.update({(target, name): ids for name, ids in found.items()})

    def resolve(self, column: Column, cell: Any, pending: set[tuple[str, str]] = frozenset()) -> int | Pending | None:
        """The id of the record ``cell`` names; ``ValidationError`` naming the field when none or several.

        An external id in ``pending`` (rows of this file not saved yet, of the target model) gives a
        :class:`Pending` to resolve with :meth:`settle` once that row is saved."""
        info = column.info
        if isinstance(cell, Formula):
            raise ValidationError("kernel.import_formula_refused", field=info.name, formula=cell.text[:60])
        if not _given(cell):
            return None
        found = self._external(column, cell)
        if found is not None:
            return found
        text = str(as_text(cell)).strip()
        key = external_ids.split(text, IMPORT_MODULE)
        if key in pending:
            return Pending(info.name, key, text)
        if column.by_external_id:
            raise ValidationError("kernel.import_link_xmlid_missing", field=info.name, value=text,
                                  model=info.target)
        ids = self.by_name.get((info.target, text), [])
        if len(ids) > 1:
            raise ValidationError("kernel.import_link_ambiguous", field=info.name, value=text,
                                  model=info.target, count=len(ids))
        if not ids:
            raise ValidationError("kernel.import_link_missing", field=info.name, value=text, model=info.target)
        return ids[0]

    def settle(self, value: Any) -> Any:
        """The id behind a :class:`Pending` value once its row is saved (else the value unchanged)."""
        if isinstance(value, Pending):
            found = self.known.rows.get(value.key)
            return found[1] if found is not None else value
        return value

    def _external(self, column: Column, cell: Any) -> int | None:
        text = str(as_text(cell)).strip()
        if not text or any(ch.isspace() for ch in text):
            return None
        found = self.known.get(text, IMPORT_MODULE)
        if found is None or found[0] != column.info.target:
            return None
        return found[1]


def _given(cell: Any) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())

