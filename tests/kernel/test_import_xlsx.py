"""Importing XLSX workbooks: typed cells, formulas refused, zip bombs stopped before they expand.

Stories (RELIABILITY.md B4 and B6): the buyer saves the partner list from Excel and imports it;
a workbook holding formulas is refused naming each formula cell; a 1 MB "workbook" that would
expand past 100 MB is refused before openpyxl ever opens it.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook

from loom.kernel import external_ids
from loom.kernel.errors import ValidationError
from loom.kernel.transfer import ImportFailedError, import_file
from loom.kernel.transfer.xlsx_reader import MAX_UNCOMPRESSED, check_archive
from loom_test_support import size


def workbook(path, rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_workbook_imports_with_its_numbers_dates_and_links(base_env, tmp_path):
    path = workbook(tmp_path / "rates.xlsx", [
        ["id", "currency_id", "date", "rate"],
        ["x_usd", "USD", dt.datetime(2031, 3, 1), 7.25],
        ["x_eur", "base.eur", "2031-03-01", "7.8612"],
        [],
        ["x_hkd", "HKD", dt.date(2031, 3, 1), 1],
    ])
    report = import_file(base_env, "base.currency.rate", path)
    assert (report.rows, report.created) == (3, 3)
    rates = {r.currency.code: (r.date, r.rate) for r in base_env["base.currency.rate"].search(
        [["date", "=", "2031-03-01"]])}
    assert rates == {"USD": (dt.date(2031, 3, 1), Decimal("7.25")), "EUR": (dt.date(2031, 3, 1), Decimal("7.8612")),
                     "HKD": (dt.date(2031, 3, 1), Decimal(1))}


def test_numbers_typed_in_excel_read_as_the_text_people_typed(base_env, tmp_path):
    path = workbook(tmp_path / "numbers.xlsx", [["id", "name", "phone", "parent_id"],
                                                [1001, "Numbered Co", 13800138000, None],
                                                [1002, "Its contact", 13900139000.0, 1001]])
    import_file(base_env, "base.partner", path)
    contact = external_ids.ref(base_env, "__import__.1002")
    assert (contact.phone, contact.parent.name) == ("13900139000", "Numbered Co")


def test_formula_cells_are_refused_naming_each_one(base_env, tmp_path):
    path = workbook(tmp_path / "formulas.xlsx", [
        ["name", "comment"],
        ["Plain Co", "fine"],
        ["=CONCAT(\"A\",\"B\")", "fine"],
        ["Other Co", "=1+1"],
    ])
    before = base_env["base.partner"].count()
    with pytest.raises(ImportFailedError) as caught:
        import_file(base_env, "base.partner", path)
    assert [(e.row, e.column) for e in caught.value.report.errors] == [(3, "name"), (4, "comment")]
    assert "formula" in caught.value.report.errors[0].message
    assert base_env["base.partner"].count() == before


def _bomb(path):
    """A small zip whose one member expands past the 100 MB limit (zeros compress ~1000:1)."""
    chunk = b"\0" * (1 << 20)
    with (zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
          archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member):
        for _ in range(MAX_UNCOMPRESSED // len(chunk) + 1):
            member.write(chunk)
    return path


def test_a_zip_bomb_is_refused_before_it_is_opened(base_env, tmp_path):
    path = _bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 1_000_000
    with pytest.raises(ValidationError) as caught:
        import_file(base_env, "base.partner", path)
    assert caught.value.message_id == "kernel.import_xlsx_too_large"
    assert "bomb.xlsx" in str(caught.value) and "100 MB" in str(caught.value)


def test_the_limit_counts_every_member_together(tmp_path):
    path = tmp_path / "small.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.xml", b"<" * 5000)
        archive.writestr("b.xml", b">" * 5000)
    with path.open("rb") as stream:
        check_archive(stream, "small.zip", limit=10_000)
        with pytest.raises(ValidationError) as caught:
            check_archive(stream, "small.zip", limit=9_999)
    assert caught.value.message_id == "kernel.import_xlsx_too_large"


def test_a_file_that_is_not_a_workbook_is_refused_naming_it(base_env, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("name\nnot a zip\n")
    with pytest.raises(ValidationError) as caught:
        import_file(base_env, "base.partner", path)
    assert caught.value.message_id == "kernel.import_xlsx_invalid" and "fake.xlsx" in str(caught.value)


def test_a_long_workbook_imports_every_row(base_env, tmp_path):
    rows = size(2_000, 1_048_575)  # the full profile fills every row Excel allows
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["id", "name", "is_customer"])
    for i in range(rows):
        sheet.append([f"long_{i}", f"Customer {i}", i % 2 == 0])
    book.save(tmp_path / "long.xlsx")
    report = import_file(base_env, "base.partner", tmp_path / "long.xlsx", dry_run=True)
    assert (report.rows, report.created, report.errors) == (rows, rows, [])
