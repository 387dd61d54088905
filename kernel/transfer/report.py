"""What an import did, or why it wrote nothing: every bad row and column, up to a cap.

Errors are collected for the whole file (an import never stops at the first bad row); the report
keeps the first :data:`MAX_ERRORS` and counts the rest. A report with errors comes back inside
:class:`ImportFailedError`; nothing of the file was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from loom.kernel.errors import LoomError, ValidationError

#: Errors kept in a report; the rest are counted in ``more_errors``.
MAX_ERRORS = 1000


@dataclass(frozen=True)
class RowError:
    """One problem: the row (the header is row 1), the column header ('' for the whole row), the message."""

    row: int
    column: str
    code: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    """Rows read, records created and updated, and the errors of one import (or dry run)."""

    model: str
    file: str
    dry_run: bool = False
    lang: str = "en"
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    more_errors: int = 0

    def add(self, row: int, column: str, error: LoomError) -> None:
        """Record ``error`` for ``row`` and ``column`` (counted only, past the cap)."""
        if len(self.errors) >= MAX_ERRORS:
            self.more_errors += 1
            return
        self.errors.append(RowError(row, column, error.code, error.message(self.lang)))

    @property
    def error_count(self) -> int:
        """Every error found, kept or counted."""
        return len(self.errors) + self.more_errors

    def lines(self) -> list[str]:
        """The report as lines of text (errors first, then the totals)."""
        lines = [str(error) for error in self.errors]
        if self.more_errors:
            lines.append(f"... and {self.more_errors} more errors")
        if self.error_count:
            lines.append(f"{self.file}: {self.rows} rows, {self.error_count} errors, nothing written")
        elif self.dry_run:
            lines.append(f"{self.file}: {self.rows} rows, would create {self.created}, would update {self.updated}"
                         " (dry run, nothing written)")
        else:
            lines.append(f"{self.file}: {self.rows} rows, created {self.created}, updated {self.updated}")
        return lines

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {"model": self.model, "file": self.file, "dry_run": self.dry_run, "rows": self.rows,
                "created": self.created, "updated": self.updated, "error_count": self.error_count,
                "errors": [error.__dict__ for error in self.errors], "more_errors": self.more_errors}


class ImportFailedError(ValidationError):
    """The file has bad rows, so nothing was written; ``report`` names every bad row and column."""

    code = "import_failed"

    def __init__(self, report: ImportReport) -> None:
        super().__init__("kernel.import_failed", field=None, file=report.file, count=report.error_count)
        self.report = report
