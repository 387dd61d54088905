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
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loom.kernel import external_ids
from loom.kernel.errors import LoomError, ValidationError

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
    for model, rows in document.items():
        if not isinstance(rows, list):
            raise ValidationError("kernel.data_file_invalid", file=str(path), problem=f"{model} is not a list")
        load_rows(env, model, rows, module=module, noupdate=noupdate, report=report, source=str(path))
    return report


def load_rows(env: Environment, model: str, rows: Iterable[dict[str, Any]], *, module: str,
              noupdate: bool = False, report: LoadReport | None = None, source: str = "") -> list[Any]:
    """Create or update one record per row (``id`` is its external id); returns the records."""
    report = report or LoadReport()
    records = []
    for index, row in enumerate(rows, start=1):
        try:
            records.append(_load_row(env, model, dict(row), module, noupdate, report))
        except LoomError as exc:
            exc.add_note(f"while loading {source or model} row {index}")
            exc.params.setdefault("row", index)
            raise
    return records


def _load_row(env: Environment, model: str, row: dict[str, Any], module: str, noupdate: bool,
              report: LoadReport) -> Any:
    xmlid = row.pop("id", None)
    values = {name: _resolve(env, value, module) for name, value in row.items()}
    existing = external_ids.lookup(env, xmlid, module) if xmlid else None
    if existing is not None and existing.model == model:
        record = env[model].get(existing.res_id)
        if not existing.noupdate:
            env[model].write([record], values)
            report.count(report.updated, model)
        return record
    record = env[model].create(values)
    report.count(report.created, model)
    if xmlid:
        external_ids.bind(env, xmlid, record, noupdate=noupdate, default_module=module)
    return record


def _resolve(env: Environment, value: Any, module: str) -> Any:
    if isinstance(value, dict) and set(value) == {"ref"}:
        return external_ids.ref(env, value["ref"], module).id
    if isinstance(value, dict) and set(value) == {"refs"}:
        return [external_ids.ref(env, name, module).id for name in value["refs"]]
    if isinstance(value, list) and value and all(isinstance(v, dict) and "ref" not in v for v in value):
        return [{k: _resolve(env, v, module) for k, v in line.items()} for line in value]
    return value
