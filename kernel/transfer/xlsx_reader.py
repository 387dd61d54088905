"""XLSX files, read with openpyxl in read-only mode after the archive itself has been checked.

An XLSX file is a zip archive, so a small file may expand to gigabytes (a zip bomb). Before
openpyxl sees it, the archive's declared uncompressed sizes must add up to at most
:data:`MAX_UNCOMPRESSED` (100 MB), and every member is then decompressed once as a stream, counting
bytes and stopping as soon as the limit is passed (declared sizes can lie). Only the first
worksheet is read. Formula cells are refused: their cached value may be stale or absent and a
formula is not data, so the report names each one (:class:`Formula`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from loom.kernel.errors import ValidationError
from loom.kernel.transfer.tables import Table, numbered

#: Largest total uncompressed size of an XLSX archive, in bytes.
MAX_UNCOMPRESSED = 100 * 1024 * 1024
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Formula:
    """A formula cell (``=SUM(A1:A3)``), refused by the import."""

    text: str


def read_xlsx(path: Path) -> Table:
    """The header and rows of the first worksheet of the XLSX file at ``path``."""
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise ValidationError("kernel.import_file_unreadable", field="file", file=path.name,
                              problem=exc.strerror or str(exc)) from None
    check_archive(stream, path.name)
    stream.seek(0)
    rows = _rows(stream, path.name)
    header = next(rows, [])
    return numbered(header, rows)


def check_archive(stream: BinaryIO, name: str, limit: int = MAX_UNCOMPRESSED) -> None:
    """Refuse an archive that is not a zip or expands past ``limit`` bytes (declared or actual)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            if sum(info.file_size for info in members) > limit:
                raise _too_large(name, limit)
            total = 0
            for info in members:
                with archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        total += len(chunk)
                        if total > limit:
                            raise _too_large(name, limit)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise ValidationError("kernel.import_xlsx_invalid", field="file", file=name, problem=str(exc)) from None


def _too_large(name: str, limit: int) -> ValidationError:
    return ValidationError("kernel.import_xlsx_too_large", field="file", file=name, limit=limit // (1024 * 1024))


def _rows(stream: BinaryIO, name: str) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a damaged workbook
        raise ValidationError("kernel.import_xlsx_invalid", field="file", file=name, problem=str(exc)) from None
    try:
        for row in workbook.worksheets[0].iter_rows():
            yield [_value(cell) for cell in row]
    finally:
        workbook.close()
        stream.close()


def _value(cell: Any) -> Any:
    if getattr(cell, "data_type", None) == "f":
        return Formula(str(cell.value))
    return cell.value
