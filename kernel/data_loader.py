"""One loader for module data files, demo files and imports: rows keyed by external id.

A data file is TOML: one array of tables per model, in load order::

    noupdate = false                      # optional: user edits survive module upgrades

    [["loom.role"]]
    id = "administrator"                  # external id, <module>.administrator
    name = "Administrator"
    all_access = true

    [["loom.access"]]
    id = "access_user_manager_user"
    role_id = { ref = "kernel.user_manager" }    # a link by external id
    model = "loom.user"

A row whose external id exists updates that record (unless it is ``noupdate``), so loading a
file twice inserts nothing the second time. ``{ ref = "..." }`` names one record;
``{ refs = [...] }`` names several (many-to-many).

:func:`save_rows` is the part shared with ``loom import`` (:mod:`loom.kernel.transfer`): rows of
already converted values keyed by external id, existing records updated, new ones created in one
batch and named in one flush. Data files call it one row at a time (a row may refer to the row
above it); imports call it with chunks of rows.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from loom.kernel import external_ids
from loom.kernel.errors import LoomError, MissingError, ValidationError

if TYPE_CHECKING:
    from loom.kernel.environment import Environment


@dataclass
class LoadReport:
    """What a load did: records created and updated, per model."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], model: str) -> None:
        """Add one to ``bucket[model]``."""
        bucket[model] = bucket.get(model, 0) + 1


def load_file(env: Environment, module: str, path: Path, report: LoadReport | None = None) -> LoadReport:
    """Load one TOML data file of ``module``; errors name the file, the row and the field."""
    report = report or LoadReport()
    try:
        document = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError("kernel.data_file_invalid", file=str(path), problem=str(exc)) from exc
    noupdate = bool(document.pop("noupdate", False))
    known = KnownIds(env)
    for model, rows in document.items():
        if not isinstance(rows, list):
            raise ValidationError("kernel.data_file_invalid", file=str(path), problem=f"{model} is not a list")
        load_rows(env, model, rows, module=module, noupdate=noupdate, report=report, source=str(path),
                  known=known)
    return report


def load_rows(env: Environment, model: str, rows: Iterable[dict[str, Any]], *, module: str,
              noupdate: bool = False, report: LoadReport | None = None, source: str = "",
              known: KnownIds | None = None) -> list[Any]:
    """Create or update one record per row (``id`` is its external id); returns the records."""
    report = report or LoadReport()
    known = known or KnownIds(env)
    records = []
    for index, row in enumerate(rows, start=1):
        try:
            records.append(_load_row(env, model, dict(row), module, noupdate, report, known))
        except LoomError as exc:
            exc.add_note(f"while loading {source or model} row {index}")
            exc.params.setdefault("row", index)
            raise
    return records


class KnownIds:
    """The external ids of the database, read once per load (one query instead of one per row)."""

    def __init__(self, env: Environment) -> None:
        ext = env.registry["loom.external_id"]
        rows = env.session.execute(select(ext.module, ext.name, ext.model, ext.res_id, ext.noupdate))
        self.env = env
        self.rows = {(m, n): (model, res_id, noupdate) for m, n, model, res_id, noupdate in rows}
        self.added: list[tuple[str, str]] = []  # names added by this load, in order

    def get(self, xmlid: str, module: str) -> tuple[str, int, bool] | None:
        """(model, id, noupdate) of ``xmlid`` (a bare name belongs to ``module``), or None."""
        return self.rows.get(external_ids.split(xmlid, module))

    def res_id(self, xmlid: str, module: str) -> int:
        """The id of the record named ``xmlid``; ``MissingError`` naming it when unknown."""
        found = self.get(xmlid, module)
        if found is None:
            raise MissingError("kernel.external_id_missing", xmlid=xmlid)
        return found[1]

    def add(self, xmlid: str, module: str, record: Any, noupdate: bool) -> None:
        """Name ``record`` (flushed with the next statement) and remember it."""
        key = external_ids.split(xmlid, module)
        self.env.session.add(self.env.registry["loom.external_id"](
            module=key[0], name=key[1], model=record.__model__, res_id=record.id, noupdate=noupdate))
        self.rows[key] = (record.__model__, record.id, noupdate)
        self.added.append(key)

    def forget_since(self, mark: int) -> None:
        """Forget the names added after ``len(self.added)`` was ``mark`` (their savepoint rolled back)."""
        for key in self.added[mark:]:
            self.rows.pop(key, None)
        del self.added[mark:]


def save_rows(env: Environment, model: str, items: Iterable[tuple[str | None, dict[str, Any]]], *,
              module: str, known: KnownIds, report: LoadReport, noupdate: bool = False) -> list[Any]:
    """Save rows of converted values keyed by external id; returns the records in row order.

    A row whose external id names a record of ``model`` updates it (unless that name is
    ``noupdate``) where its values differ (the records are read in one query); every other row is
    created, all of them in one ``create`` call, and the new external ids are added in the same
    flush. Validation and permissions are the environment's."""
    items = list(items)
    records: list[Any] = [None] * len(items)
    new: list[int] = []
    existing: list[tuple[int, int, bool]] = []
    for index, (xmlid, _values) in enumerate(items):
        found = known.get(xmlid, module) if xmlid else None
        if found is None or found[0] != model:
            new.append(index)
        else:
            existing.append((index, found[1], found[2]))
    browsed = env[model].browse([res_id for _, res_id, _ in existing]) if existing else []
    for (index, _res_id, keep), record in zip(existing, browsed, strict=True):
        records[index] = record
        if keep:
            continue
        changed = {name: value for name, value in items[index][1].items() if not _same(record, name, value)}
        if changed:
            env[model].write([record], changed)
        report.count(report.updated, model)
    if new:
        with env.session.no_autoflush:  # rows linking to records of the same batch: flushed by create itself
            created = env[model].create([items[i][1] for i in new])
        for index, record in zip(new, created, strict=True):
            records[index] = record
            report.count(report.created, model)
            if items[index][0]:
                known.add(items[index][0], module, record, noupdate)
    return records


def _load_row(env: Environment, model: str, row: dict[str, Any], module: str, noupdate: bool,
              report: LoadReport, known: KnownIds) -> Any:
    xmlid = row.pop("id", None)
    values = {name: _resolve(known, value, module) for name, value in row.items()}
    return save_rows(env, model, [(xmlid, values)], module=module, known=known, report=report,
                     noupdate=noupdate)[0]


def _same(record: Any, name: str, value: Any) -> bool:
    """Whether ``record`` already holds ``value`` in the scalar or many-to-one field ``name``."""
    current = getattr(record, name, None)
    return not isinstance(value, (list, dict)) and not isinstance(current, list) and current == value


def _resolve(known: KnownIds, value: Any, module: str) -> Any:
    if isinstance(value, dict) and set(value) == {"ref"}:
        return known.res_id(value["ref"], module)
    if isinstance(value, dict) and set(value) == {"refs"}:
        return [known.res_id(name, module) for name in value["refs"]]
    if isinstance(value, list) and value and all(isinstance(v, dict) and "ref" not in v for v in value):
        return [{k: _resolve(known, v, module) for k, v in line.items()} for line in value]
    return value
