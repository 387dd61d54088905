"""``loom import``: rows of a CSV or XLSX file saved as records, all or nothing.

The whole import runs inside one savepoint of the caller's transaction. Rows are read in chunks:
each chunk's cells are converted (every bad cell reported, naming row and column), its many-to-one
names looked up in one query per column, and its good rows saved through the data loader's
:func:`~loom.kernel.data_loader.save_rows` (the same validation, external ids and conversion as
module data files) in a savepoint of their own. When a chunk fails, its rows are retried one by
one in savepoints, so each bad row is found and reported and the import goes on to the end. If
any row was bad, or for a dry run, the outer savepoint is rolled back: a bad file writes 0 rows.
Permissions are the environment's user's. A full disk ends the import with ``storage_full``.
A real import is written to the security audit log (action ``import``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loom.kernel import access, external_ids
from loom.kernel.data_loader import KnownIds, LoadReport, save_rows
from loom.kernel.errors import LoomError, ValidationError
from loom.kernel.storage_full import as_storage_full
from loom.kernel.transfer.cells import as_text, cell_value
from loom.kernel.transfer.columns import Column, parse_header
from loom.kernel.transfer.links import IMPORT_MODULE, LinkResolver, Pending
from loom.kernel.transfer.report import ImportFailedError, ImportReport
from loom.kernel.transfer.tables import Table, read_table
from loom.kernel.transfer.xlsx_reader import Formula

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

CHUNK = 500
_XMLID_LIMITS = (64, 200)  # lengths of loom.external_id's module and name


def import_file(env: Environment, model: str, path: Path | str, *, dry_run: bool = False) -> ImportReport:
    """Import the CSV or XLSX file at ``path`` into ``model``; ``ImportFailedError`` when any row is bad."""
    path = Path(path)
    return import_table(env, model, read_table(path), file=path.name, dry_run=dry_run)


def import_table(env: Environment, model: str, table: Table, *, file: str, dry_run: bool = False) -> ImportReport:
    """Import ``table`` into ``model`` (see the module's docstring); returns the report."""
    if model not in env:
        raise ValidationError("kernel.import_model_unknown", field="model", model=model)
    if not any(table.header):
        raise ValidationError("kernel.import_file_empty", field="file", file=file)
    report = ImportReport(model=model, file=file, dry_run=dry_run, lang=env.lang)
    columns, problems = parse_header(env[model], table.header)
    for header, error in problems:
        report.add(1, header, error)
    if report.errors:
        raise ImportFailedError(report)
    savepoint = env.session.begin_nested()
    try:
        _Import(env, model, columns, report).run(table.rows)
    except Exception as exc:
        savepoint.rollback()
        full = as_storage_full(exc)
        if full is not None:
            raise full from exc
        raise
    if report.errors or dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    if report.errors:
        raise ImportFailedError(report)
    if not dry_run:
        _audit(env, report)
    return report


def _audit(env: Environment, report: ImportReport) -> None:
    from loom.kernel.audit import audit_event

    audit_event(env, "import", model=report.model, details={
        "rows": report.rows, "created": report.created, "updated": report.updated, "file": report.file})


class _Import:
    """The state of one import: columns, known external ids, link lookups, ids seen in the file."""

    def __init__(self, env: Environment, model: str, columns: list[Column], report: ImportReport) -> None:
        self.env, self.model, self.report = env, model, report
        self.columns = columns
        self.id_column = next((c for c in columns if c.info is None), None)
        self.headers = {c.info.name: c.header for c in columns if c.info is not None}
        self.known = KnownIds(env)
        self.links = LinkResolver(env, self.known)
        self.seen: dict[tuple[str, str], int] = {}
        self.unsaved: set[tuple[str, str]] = set()  # external ids of rows converted, not saved yet
        self.checked: set[str] = set()

    def run(self, rows: Iterator[tuple[int, list[Any]]]) -> None:
        """Convert and save every row, chunk by chunk."""
        for chunk in _chunks(rows, CHUNK):
            self.report.rows += len(chunk)
            for column in self.columns:
                if column.is_link:
                    self.links.prepare(column, [_cell(cells, column) for _, cells in chunk])
            good = [item for item in (self._convert(number, cells) for number, cells in chunk) if item]
            self._save_in_rounds(good)
            self.unsaved.clear()

    def _convert(self, number: int, cells: list[Any]) -> tuple[int, str | None, dict[str, Any]] | None:
        ok = True
        if len(cells) > len(self.columns) and any(c not in (None, "") for c in cells[len(self.columns):]):
            self.report.add(number, "", ValidationError("kernel.import_row_too_long", field=None,
                                                        cells=len(cells), columns=len(self.columns)))
            ok = False
        xmlid = None
        if self.id_column is not None:
            try:
                xmlid = self._external_id(number, _cell(cells, self.id_column))
            except LoomError as exc:
                self.report.add(number, self.id_column.header, exc)
                ok = False
        existing = self.known.get(xmlid, IMPORT_MODULE) if xmlid else None
        updating = existing is not None and existing[0] == self.model
        values: dict[str, Any] = {}
        for column in self.columns:
            if column.info is None:
                continue
            try:
                value = self._value(column, _cell(cells, column))
            except LoomError as exc:
                self.report.add(number, column.header, exc)
                ok = False
                continue
            if value is not None or updating:
                values[column.info.name] = value
        return (number, xmlid, values) if ok else None

    def _value(self, column: Column, cell: Any) -> Any:
        if column.is_link:
            pending = self.unsaved if column.info.target == self.model else frozenset()
            return self.links.resolve(column, cell, pending)
        return cell_value(column.info, cell)

    def _external_id(self, number: int, cell: Any) -> str | None:
        if isinstance(cell, Formula):
            raise ValidationError("kernel.import_formula_refused", field="id", formula=cell.text[:60])
        text = str(as_text(cell)).strip() if cell is not None else ""
        if not text:
            return None
        key = external_ids.split(text, IMPORT_MODULE)
        if any(ch.isspace() for ch in text) or len(key[0]) > _XMLID_LIMITS[0] or len(key[1]) > _XMLID_LIMITS[1]:
            raise ValidationError("kernel.import_xmlid_invalid", field="id", value=text[:80])
        first = self.seen.setdefault(key, number)
        if first != number:
            raise ValidationError("kernel.import_xmlid_duplicate", field="id", value=text, first=first)
        self.unsaved.add(key)
        found = self.known.get(text, IMPORT_MODULE)
        if found is not None and found[0] != self.model:
            raise ValidationError("kernel.import_xmlid_other_model", field="id", value=text, model=found[0])
        if found is None and key[0] != IMPORT_MODULE:  # a module's namespace is its data files' alone
            raise ValidationError("kernel.import_xmlid_module_namespace", field="id", value=text, module=key[0])
        return text

    def _save_in_rounds(self, rows: list[tuple[int, str | None, dict[str, Any]]]) -> None:
        """Save rows whose links are all known; then, round by round, the rows linking to those."""
        while rows:
            ready, waiting = [], []
            for number, xmlid, values in rows:
                values = {name: self.links.settle(value) for name, value in values.items()}
                blocked = any(isinstance(value, Pending) for value in values.values())
                (waiting if blocked else ready).append((number, xmlid, values))
            if not ready:  # the rows they wait for failed: report the links as missing
                for number, _xmlid, values in waiting:
                    for value in values.values():
                        if isinstance(value, Pending):
                            self.report.add(number, self.headers.get(value.field, ""), ValidationError(
                                "kernel.import_link_missing", field=value.field, value=value.text, model=self.model))
                            break
                return
            self._save(ready)
            rows = waiting

    def _save(self, rows: list[tuple[int, str | None, dict[str, Any]]]) -> None:
        if not rows:
            return
        self._check_permissions(rows)
        if not self._save_batch(rows) and len(rows) > 1:  # a one-row batch has reported its error
            for row in rows:
                self._save_batch([row])

    def _save_batch(self, rows: list[tuple[int, str | None, dict[str, Any]]]) -> bool:
        """Save ``rows`` in a savepoint; on a row error, roll it back, report it (one row) and return False."""
        mark, counts = len(self.known.added), LoadReport()
        try:
            with self.env.session.begin_nested():
                save_rows(self.env, self.model, [(xmlid, values) for _, xmlid, values in rows],
                          module=IMPORT_MODULE, known=self.known, report=counts)
        except LoomError as exc:
            self.known.forget_since(mark)
            if len(rows) == 1:
                self.report.add(rows[0][0], self.headers.get(exc.field or "", ""), exc)
            return False
        self.report.created += counts.created.get(self.model, 0)
        self.report.updated += counts.updated.get(self.model, 0)
        return True

    def _check_permissions(self, rows: Iterable[tuple[int, str | None, dict[str, Any]]]) -> None:
        """Refuse the whole import at once (not row by row) when the user may not create or write."""
        for _, xmlid, _values in rows:
            existing = self.known.get(xmlid, IMPORT_MODULE) if xmlid else None
            perm = "write" if existing is not None and existing[0] == self.model else "create"
            if perm not in self.checked:
                access.check_model(self.env, self.model, perm)
                self.checked.add(perm)


def _cell(cells: list[Any], column: Column) -> Any:
    return cells[column.index] if column.index < len(cells) else None


def _chunks(rows: Iterator[tuple[int, list[Any]]], size: int) -> Iterator[list[tuple[int, list[Any]]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk
