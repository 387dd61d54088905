"""CSV files as users save them: UTF-8 with or without a BOM, or GB18030; ``,`` or ``;``.

The bytes are decoded as UTF-8 strictly (a BOM is dropped) and, failing that, as GB18030 (what
Excel writes on Chinese Windows); anything else is refused naming the file. The separator is the
one of ``,`` and ``;`` that occurs more often in the header line outside quotes. CRLF line ends
and newlines inside quoted cells are read as the ``csv`` module reads them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from loom.kernel.errors import ValidationError
from loom.kernel.transfer.tables import Table, numbered

ENCODINGS = ("utf-8-sig", "gb18030")
SEPARATORS = (",", ";")
#: Largest CSV file read (bytes): the whole file is decoded in memory.
MAX_CSV_BYTES = 200 * 1024 * 1024


def read_csv(path: Path) -> Table:
    """The header and rows of the CSV file at ``path``."""
    text = decode(_read_bytes(path), path.name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator(text))
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise ValidationError("kernel.import_csv_malformed", field="file", file=path.name, row=1,
                              problem=str(exc)) from None
    return numbered(header, _checked(reader, path.name))


def _read_bytes(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise ValidationError("kernel.import_file_too_large", field="file", file=path.name,
                                  limit=MAX_CSV_BYTES)
        return path.read_bytes()
    except OSError as exc:
        raise ValidationError("kernel.import_file_unreadable", field="file", file=path.name,
                              problem=exc.strerror or str(exc)) from None


def decode(data: bytes, name: str) -> str:
    """``data`` as text: UTF-8 (BOM dropped) strictly, else GB18030; else a ``ValidationError``."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("kernel.import_encoding_unknown", field="file", file=name)


def separator(text: str) -> str:
    """``;`` when the header line holds more semicolons than commas outside quotes, else ``,``."""
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            break
        elif char in counts and not quoted:
            counts[char] += 1
    return ";" if counts[";"] > counts[","] else ","


def _checked(reader, name: str):
    try:
        yield from reader
    except csv.Error as exc:
        raise ValidationError("kernel.import_csv_malformed", field="file", file=name, row=reader.line_num,
                              problem=str(exc)) from None
