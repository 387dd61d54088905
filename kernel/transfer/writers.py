"""Export files written row by row, with cells that a spreadsheet would run made harmless.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``). In CSV such a
cell is written with a leading ``'`` (the spreadsheet shows the text, the quote marks it as text);
in XLSX every text cell is written as a string cell (XlsxWriter's ``write_string``), which no
spreadsheet evaluates, so the value is kept as it is. Numbers are written as numbers, dates as
dates; datetimes are UTC.

CSV files are UTF-8 with a BOM (so Excel reads Chinese correctly) and CRLF line ends.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any, BinaryIO

#: First characters that make a spreadsheet cell a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TEXT_LIMIT = 32767
_FLOAT_DIGITS = 15


def neutralize(text: str) -> str:
    """``text`` prefixed with ``'`` when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class CsvSink:
    """Rows written to a binary stream as UTF-8 CSV (BOM, CRLF), formula-looking text neutralized."""

    def __init__(self, out: BinaryIO) -> None:
        self.text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
        self.writer = csv.writer(self.text)

    def header(self, names: list[str]) -> None:
        """Write the header row."""
        self.writer.writerow(names)

    def row(self, values: list[Any]) -> None:
        """Write one row of Python values."""
        self.writer.writerow([_csv_cell(value) for value in values])

    def close(self) -> None:
        """Flush; the caller's stream stays open."""
        self.text.flush()
        self.text.detach()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return neutralize(value)
    return neutralize(json.dumps(value, ensure_ascii=False))


class XlsxSink:
    """Rows written to an XLSX workbook in constant memory, every text cell typed as a string."""

    def __init__(self, out: BinaryIO | str) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                              "strings_to_urls": False, "strings_to_numbers": False})
        self.sheet = self.book.add_worksheet()
        self.date_format = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime_format = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.line = 0

    def header(self, names: list[str]) -> None:
        """Write the header row."""
        self.row(names)

    def row(self, values: list[Any]) -> None:
        """Write one row of Python values."""
        for column, value in enumerate(values):
            self._cell(self.line, column, value)
        self.line += 1

    def _cell(self, line: int, column: int, value: Any) -> None:
        sheet = self.sheet
        if value is None:
            return
        if isinstance(value, bool):
            sheet.write_boolean(line, column, value)
        elif isinstance(value, int) and abs(value) < 2**53:
            sheet.write_number(line, column, value)
        elif isinstance(value, Decimal) and len(value.as_tuple().digits) <= _FLOAT_DIGITS:
            sheet.write_number(line, column, float(value))
        elif isinstance(value, dt.datetime):
            utc = value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
            sheet.write_datetime(line, column, utc, self.datetime_format)
        elif isinstance(value, dt.date):
            sheet.write_datetime(line, column, dt.datetime.combine(value, dt.time()), self.date_format)
        else:
            text = value if isinstance(value, str) else _csv_cell(value)
            sheet.write_string(line, column, text[:XLSX_TEXT_LIMIT])

    def close(self) -> None:
        """Write the workbook out."""
        self.book.close()
