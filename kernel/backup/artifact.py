"""A backup artifact: one folder holding the database snapshot, the filestore and a manifest.

Layout of ``<database>-<UTC stamp>.loombackup/``::

    manifest.json      format, backend, when, installed modules, alembic revisions,
                       per-table row counts and content hashes, per-file filestore hashes
    database.sqlite    the SQLite snapshot (online backup API), or
    database.dump      the PostgreSQL snapshot (pg_dump custom format)
    filestore/         a copy of the filestore (absent when the database has none)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from loom.kernel.errors import UserError

FORMAT = 1
MANIFEST = "manifest.json"
SUFFIX = ".loombackup"
DATABASE_FILES = {"sqlite": "database.sqlite", "postgresql": "database.dump"}
FILESTORE = "filestore"


@dataclass
class Manifest:
    """What an artifact holds and the figures a restore verifies against."""

    backend: str
    created_at: str
    modules: dict[str, str]
    alembic: list[str]
    tables: dict[str, dict[str, Any]]
    files: dict[str, str] = field(default_factory=dict)
    format: int = FORMAT

    def write(self, folder: Path) -> None:
        """Write ``manifest.json`` into ``folder``."""
        (folder / MANIFEST).write_text(json.dumps(asdict(self), indent=1, sort_keys=True), "utf-8")

    @property
    def rows(self) -> int:
        """Rows in every table together."""
        return sum(table["rows"] for table in self.tables.values())


def read_manifest(folder: Path) -> Manifest:
    """The manifest of the artifact ``folder``; a clear error when it is not a Loom backup."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text("utf-8"))
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError) as exc:
        raise UserError("kernel.backup_artifact_invalid", field="artifact", artifact=str(folder),
                        problem=str(exc)[:200]) from None
    if manifest.format != FORMAT or manifest.backend not in DATABASE_FILES:
        raise UserError("kernel.backup_artifact_invalid", field="artifact", artifact=str(folder),
                        problem=f"format {manifest.format}, backend {manifest.backend}")
    if not (folder / DATABASE_FILES[manifest.backend]).is_file():
        raise UserError("kernel.backup_artifact_invalid", field="artifact", artifact=str(folder),
                        problem=f"{DATABASE_FILES[manifest.backend]} is missing")
    return manifest


def database_file(folder: Path, manifest: Manifest) -> Path:
    """The snapshot file inside the artifact."""
    return folder / DATABASE_FILES[manifest.backend]
