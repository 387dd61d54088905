"""Importing records from CSV and XLSX files: all or nothing, idempotent, every bad row named.

Stories (RELIABILITY.md B4): the bookkeeper loads a year of exchange rates; a file with a bad
currency, an impossible date, a repeated external id and a rate of ``abc`` writes nothing and the
report names each of those rows and columns, in a dry run too; the same good file loaded twice
changes nothing the second time; files saved by Excel in every usual way read the same; a clerk
imports only what their role allows.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import sys
from decimal import Decimal

import pytest
from click.testing import CliRunner

from loom.cli.main import cli, main
from loom.kernel.db import create_engine, run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.errors import AccessError, ValidationError
from loom.kernel.installer import ModuleManager
from loom.kernel.transfer import MAX_ERRORS, ImportFailedError, import_file
from loom.kernel.users import create_user, find_user
from loom_test_support import ROOTS, Installed, count_rows, size

CURRENCIES = ("USD", "EUR", "HKD", "JPY")


@pytest.fixture(scope="module")
def shop(database_factory):
    """A database with base installed (no demo data), shared by this file's stories."""
    url = database_factory()
    engine = create_engine(url)
    manager = ModuleManager(engine, roots=ROOTS)
    manager.install(["base"])
    run_unit_of_work(engine, lambda s: create_user(Environment(manager.registry(manager.installed()), s, su=True),
                                                   "bob", "Bob", "correct horse", roles=["base.user"]))
    yield Installed(url, engine, manager)
    engine.dispose()


def work(shop: Installed, fn, login: str | None = None):
    """Run ``fn(env)`` in one committed unit of work, as ``login`` or the superuser."""
    def unit(session):
        env = Environment(shop.registry, session, su=True)
        if login:
            env = Environment(shop.registry, session, uid=find_user(env, login).id)
        return fn(env)

    return run_unit_of_work(shop.engine, unit)


_YEARS = iter(range(1900, 2100, 10))


def rate_rows(count: int, prefix: str) -> list[list[str]]:
    """``count`` good rate rows: one currency per row in turn, one day after another, from a decade
    no other story of this file uses (rates are unique per currency, company and date)."""
    start = dt.date(next(_YEARS), 1, 1)
    return [[f"{prefix}_{i}", CURRENCIES[i % 4], (start + dt.timedelta(days=i // 4)).isoformat(),
             f"{7 + (i % 97) / 100:.4f}"] for i in range(count)]


def write_csv(path, rows, header=("id", "currency_id", "date", "rate")):
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def rates_checksum(shop: Installed) -> str:
    """A digest of every stored rate (currency, company, date, rate)."""
    with shop.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT currency_id, company_id, date, rate FROM base_currency_rate "
                                    "ORDER BY currency_id, date").all()
    return hashlib.sha256(repr([tuple(str(v) for v in row) for row in rows]).encode()).hexdigest()


def test_a_file_with_bad_rows_writes_nothing_and_names_every_bad_row_and_column(shop, tmp_path):
    rows = rate_rows(size(400, 10_000), "bad")
    last = len(rows) - 1
    rows[10][1] = "XYZ"                      # a currency that does not exist
    rows[100][2] = "2026-02-30"              # no such day
    rows[200][0] = rows[3][0]                # an external id used above
    rows[last][3] = "abc"                    # not a number
    path = write_csv(tmp_path / "rates.csv", rows)
    before = count_rows(shop.engine, "base_currency_rate")
    expected = {(12, "currency_id"), (102, "date"), (202, "id"), (last + 2, "rate")}
    reports = []
    for dry_run in (True, False):
        with pytest.raises(ImportFailedError) as caught:
            work(shop, lambda env, dry_run=dry_run: import_file(env, "base.currency.rate", path, dry_run=dry_run))
        reports.append(caught.value.report)
        assert {(e.row, e.column) for e in caught.value.report.errors} == expected
    assert count_rows(shop.engine, "base_currency_rate") == before
    dry, real = reports
    assert [str(e) for e in dry.errors] == [str(e) for e in real.errors]
    assert "row 102, column date" in str(real.errors[1]) and "2026-02-30" in str(real.errors[1])


def test_the_cli_prints_the_same_report_for_a_dry_run_and_a_refused_import(shop, tmp_path):
    rows = rate_rows(20, "cli_bad")
    rows[4][3] = "abc"
    rows[7][1] = "XYZ"
    path = write_csv(tmp_path / "rates.csv", rows)
    runner = CliRunner()
    dry = runner.invoke(cli, ["-d", shop.url, "import", "base.currency.rate", str(path), "--dry-run"])
    real = runner.invoke(cli, ["-d", shop.url, "import", "base.currency.rate", str(path)])
    assert dry.exit_code == real.exit_code == 1
    assert dry.stderr == real.stderr
    assert "row 6, column rate" in real.stderr and "row 9, column currency_id" in real.stderr
    assert "2 errors, nothing written" in real.stderr
    with shop.engine.connect() as conn:  # the refused import is audited (the dry run is not)
        refusals = conn.exec_driver_sql("SELECT details FROM loom_audit_log WHERE action = 'import.failed'").all()
    assert len(refusals) == 1 and "rates.csv" in str(refusals[0][0])
    assert "cli_bad" not in _external_names(shop)


def test_a_refused_import_exits_1_from_the_loom_command_too(shop, tmp_path, monkeypatch, capsys):
    rows = rate_rows(3, "exit_code")
    rows[2][3] = "abc"
    path = write_csv(tmp_path / "rates.csv", rows)
    monkeypatch.setattr(sys, "argv", ["loom", "-d", shop.url, "import", "base.currency.rate", str(path), "--dry-run"])
    with pytest.raises(SystemExit) as done:
        main()  # the console entry point a shell script calls, not click's test runner
    assert done.value.code == 1 and "nothing written" in capsys.readouterr().err


def _external_names(shop: Installed) -> str:
    with shop.engine.connect() as conn:
        return " ".join(r[0] for r in conn.exec_driver_sql("SELECT name FROM loom_external_id"))


def test_a_good_file_imported_twice_inserts_nothing_the_second_time(shop, tmp_path):
    path = write_csv(tmp_path / "rates.csv", rate_rows(size(300, 10_000), "twice"))
    before = count_rows(shop.engine, "base_currency_rate")
    first = work(shop, lambda env: import_file(env, "base.currency.rate", path))
    after_first, checksum = count_rows(shop.engine, "base_currency_rate"), rates_checksum(shop)
    second = work(shop, lambda env: import_file(env, "base.currency.rate", path))
    assert (first.created, first.updated) == (size(300, 10_000), 0)
    assert (second.created, second.updated) == (0, size(300, 10_000))
    assert after_first == before + size(300, 10_000) == count_rows(shop.engine, "base_currency_rate")
    assert rates_checksum(shop) == checksum


def test_a_second_import_with_changed_values_updates_the_records(shop, tmp_path):
    rows = rate_rows(8, "change")
    work(shop, lambda env: import_file(env, "base.currency.rate", write_csv(tmp_path / "a.csv", rows)))
    rows[5][3] = "8.8888"
    report = work(shop, lambda env: import_file(env, "base.currency.rate", write_csv(tmp_path / "b.csv", rows)))
    assert (report.created, report.updated) == (0, 8)
    domain = [["date", "=", rows[5][2]], ["currency_id.code", "=", rows[5][1]]]
    rate = work(shop, lambda env: env["base.currency.rate"].search(domain)[0].rate)
    assert rate == Decimal("8.8888")


def test_a_dry_run_of_a_good_file_reports_what_it_would_do_and_writes_nothing(shop, tmp_path):
    path = write_csv(tmp_path / "rates.csv", rate_rows(12, "dry"))
    before = count_rows(shop.engine, "base_currency_rate")
    report = work(shop, lambda env: import_file(env, "base.currency.rate", path, dry_run=True))
    assert (report.rows, report.created, report.errors) == (12, 12, [])
    assert count_rows(shop.engine, "base_currency_rate") == before


PARTNERS = [["cp_1", "上海明辉电子有限公司", "true", "第一行\n第二行"], ["cp_2", "Zhang San; Li Si", "false", ""],
            ["cp_3", "北京\"嘉禾\"贸易", "true", "a, b"]]


def _csv_text(rows, separator):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(["id", "name", "is_company", "comment"])
    writer.writerows(rows)
    return buffer.getvalue()


@pytest.mark.parametrize("variant", ["utf-8", "utf-8 BOM", "GB18030", "semicolons", "LF line ends"])
def test_files_saved_the_usual_ways_import_the_same(shop, tmp_path, variant):
    rows = [[f"{variant}_{xmlid}".replace(" ", "_"), *rest] for xmlid, *rest in PARTNERS]
    text = _csv_text(rows, ";" if variant == "semicolons" else ",")
    if variant == "LF line ends":
        text = text.replace("\r\n", "\n")
    encoding = {"utf-8 BOM": "utf-8-sig", "GB18030": "gb18030"}.get(variant, "utf-8")
    path = tmp_path / "partners.csv"
    path.write_bytes(text.encode(encoding))
    report = work(shop, lambda env: import_file(env, "base.partner", path))
    assert report.created == 3
    stored = work(shop, lambda env: [(p.name, p.is_company, p.comment) for p in env["base.partner"].browse(
        [_ref(env, row[0]) for row in rows])])
    assert stored == [("上海明辉电子有限公司", True, "第一行\n第二行"), ("Zhang San; Li Si", False, None),
                      ("北京\"嘉禾\"贸易", True, "a, b")]


def _ref(env, name):
    from loom.kernel import external_ids

    return external_ids.ref(env, name, "__import__").id


def test_a_file_in_another_encoding_is_refused_naming_the_file(shop, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"name\n\xff\xfe\xfa\n")
    with pytest.raises(Exception) as caught:
        work(shop, lambda env: import_file(env, "base.partner", path))
    assert "latin.csv" in str(caught.value)


def test_links_by_external_id_or_by_a_unique_name(shop, tmp_path):
    path = write_csv(tmp_path / "links.csv", [["lk_1", "Parent Co", "", ""], ["lk_2", "Child A", "lk_1", ""],
                                               ["lk_3", "Child B", "", "lk_1"], ["lk_4", "Child C", "Parent Co", ""]],
                     header=("id", "name", "parent_id", "parent_id/id"))
    with pytest.raises(ImportFailedError) as caught:  # two columns fill parent_id
        work(shop, lambda env: import_file(env, "base.partner", path))
    assert [(e.row, e.column) for e in caught.value.report.errors] == [(1, "parent_id/id")]
    path = write_csv(tmp_path / "links.csv", [["lk_1", "Parent Co", ""], ["lk_2", "Child A", "lk_1"]],
                     header=("id", "name", "parent_id"))
    work(shop, lambda env: import_file(env, "base.partner", path))
    path = write_csv(tmp_path / "more.csv", [["lk_3", "Child B", "__import__.lk_1"], ["lk_4", "Child C", "Parent Co"],
                                             ["lk_5", "Child D", "Child A"]], header=("id", "name", "parent_id"))
    work(shop, lambda env: import_file(env, "base.partner", path))
    parents = work(shop, lambda env: {p.name: p.parent.name if p.parent else None for p in env["base.partner"].search(
        [["name", "in", ["Child A", "Child B", "Child C", "Child D"]]])})
    assert parents == {"Child A": "Parent Co", "Child B": "Parent Co", "Child C": "Parent Co", "Child D": "Child A"}


def test_a_name_shared_by_two_records_is_refused_as_ambiguous(shop, tmp_path):
    work(shop, lambda env: env["base.partner"].create([{"name": "Twin"}, {"name": "Twin"}]))
    path = write_csv(tmp_path / "twins.csv", [["Child of a twin", "Twin"]], header=("name", "parent_id"))
    with pytest.raises(ImportFailedError) as caught:
        work(shop, lambda env: import_file(env, "base.partner", path))
    error = caught.value.report.errors[0]
    assert (error.row, error.column) == (2, "parent_id") and "2 base.partner records" in error.message


def test_unknown_and_read_only_columns_are_refused_before_any_row(shop, tmp_path):
    path = write_csv(tmp_path / "cols.csv", [["x", "1", "y"]], header=("name", "version", "colour"))
    with pytest.raises(ImportFailedError) as caught:
        work(shop, lambda env: import_file(env, "base.partner", path))
    assert [(e.row, e.column) for e in caught.value.report.errors] == [(1, "version"), (1, "colour")]


def test_the_report_keeps_a_thousand_errors_and_counts_the_rest(shop, tmp_path):
    rows = rate_rows(MAX_ERRORS + 5, "cap")
    for row in rows:
        row[3] = "abc"
    path = write_csv(tmp_path / "cap.csv", rows)
    with pytest.raises(ImportFailedError) as caught:
        work(shop, lambda env: import_file(env, "base.currency.rate", path))
    report = caught.value.report
    assert (len(report.errors), report.more_errors, report.error_count) == (MAX_ERRORS, 5, MAX_ERRORS + 5)
    assert report.lines()[-2] == "... and 5 more errors"


def test_the_acting_users_permissions_apply(shop, tmp_path):
    rates = write_csv(tmp_path / "rates.csv", rate_rows(3, "bob"))
    with pytest.raises(AccessError):
        work(shop, lambda env: import_file(env, "base.currency.rate", rates), login="bob")
    partners = write_csv(tmp_path / "p.csv", [["bob_p1", "Bob's customer"]], header=("id", "name"))
    runner = CliRunner()
    refused = runner.invoke(cli, ["-d", shop.url, "--user", "bob", "import", "base.currency.rate", str(rates)])
    assert refused.exit_code != 0 and isinstance(refused.exception, AccessError)
    done = runner.invoke(cli, ["-d", shop.url, "import", "base.partner", str(partners), "--user", "bob"])
    assert done.exit_code == 0, done.output
    assert "created 1" in done.output


def test_an_import_is_written_to_the_audit_log(shop, tmp_path):
    path = write_csv(tmp_path / "audited.csv", rate_rows(4, "audit"))
    work(shop, lambda env: import_file(env, "base.currency.rate", path))
    with shop.engine.connect() as conn:
        details = conn.exec_driver_sql("SELECT details FROM loom_audit_log WHERE action = 'import' "
                                       "ORDER BY seq DESC").scalars().first()
    details = json.loads(details) if isinstance(details, str) else details
    assert details == {"rows": 4, "created": 4, "updated": 0, "file": "audited.csv"}


def test_an_import_interrupted_half_way_leaves_nothing(shop, tmp_path, monkeypatch):
    from loom.kernel.transfer import importer

    path = write_csv(tmp_path / "rates.csv", rate_rows(importer.CHUNK * 4, "killed"))
    saved = []
    real_save = importer.save_rows

    def save_then_die(*args, **kwargs):
        saved.append(real_save(*args, **kwargs))
        if len(saved) == 2:  # half of the file is in the database's transaction
            raise KeyboardInterrupt
        return saved[-1]

    monkeypatch.setattr(importer, "save_rows", save_then_die)
    before = count_rows(shop.engine, "base_currency_rate")
    with pytest.raises(KeyboardInterrupt):
        work(shop, lambda env: import_file(env, "base.currency.rate", path))
    assert len(saved) == 2 and count_rows(shop.engine, "base_currency_rate") == before
    assert "killed_" not in _external_names(shop)


def test_an_empty_file_is_refused_naming_it(shop, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"\xef\xbb\xbf")
    with pytest.raises(ValidationError) as caught:
        work(shop, lambda env: import_file(env, "base.partner", path))
    assert caught.value.message_id == "kernel.import_file_empty" and "empty.csv" in str(caught.value)


def test_a_file_of_one_bad_row_reports_it_once(shop, tmp_path):
    path = write_csv(tmp_path / "one.csv", [["lonely_partner", ""]], header=("id", "name"))
    with pytest.raises(ImportFailedError) as caught:
        work(shop, lambda env: import_file(env, "base.partner", path))
    assert caught.value.report.error_count == 1
    assert [(e.row, e.column) for e in caught.value.report.errors] == [(2, "name")]
