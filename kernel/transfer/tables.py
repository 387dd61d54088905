"""A file to import, read as a header and numbered rows of cells, whatever its format.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2 (a CSV
record with a quoted newline still counts as one row). Blank rows are skipped. CSV cells are text;
XLSX cells are text, numbers, booleans or dates as the workbook stores them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loom.kernel.errors import ValidationError

FORMATS = ("csv", "xlsx")


@dataclass
class Table:
    """The header (stripped column names) and the rows ``(row number, cells)`` of one file."""

    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]


def file_format(path: Path) -> str:
    """``csv`` or ``xlsx`` from the file's extension; anything else is refused naming the file."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in ("csv", "txt"):
        return "csv"
    if suffix == "xlsx":
        return "xlsx"
    raise ValidationError("kernel.import_format_unknown", field="file", file=Path(path).name,
                          formats=", ".join(FORMATS))


def read_table(path: Path) -> Table:
    """The header and rows of the CSV or XLSX file at ``path``."""
    if file_format(path) == "xlsx":
        from loom.kernel.transfer.xlsx_reader import read_xlsx

        return read_xlsx(Path(path))
    from loom.kernel.transfer.csv_reader import read_csv

    return read_csv(Path(path))


def numbered(header: list[Any], rows: Iterator[list[Any]]) -> Table:
    """A :class:`Table` of ``header`` and the rows after it, numbered from 2, blank rows skipped."""
    names = [str(cell).strip() if cell is not None else "" for cell in header]

    def body() -> Iterator[tuple[int, list[Any]]]:
        for number, cells in enumerate(rows, start=2):
            if any(cell not in (None, "") for cell in cells):
                yield number, list(cells)

    return Table(names, body())
