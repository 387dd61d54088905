"""Stories of an administrator setting Loom up from the command line.

A new shop creates its database with ``loom init``, looks at the modules it could switch on, tries
an install as a dry run, keeps the schema current and backs it up. Every refusal is one line
starting with ``Error:`` and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from loom_cli_support import ADMIN_PASSWORD, Loom, module_rows, password_hash, scalar

from loom.kernel.passwords import verify_password

# -- init ------------------------------------------------------------------------------------------


def test_init_refuses_a_short_password_takes_a_good_one_from_the_environment_and_refuses_a_second_run(loom):
    short = loom.main("init", env={"LOOM_ADMIN_PASSWORD": "short"})

    assert (short.code, short.err_lines) == (1, ["Error: A password must have 8 to 256 characters"])
    assert not module_rows(loom.url)  # refused before anything was installed

    out = loom.ok("init", env={"LOOM_ADMIN_PASSWORD": ADMIN_PASSWORD})

    assert "Installed 2 modules: kernel, base" in out
    assert "Administrator: admin (password from LOOM_ADMIN_PASSWORD)" in out
    assert ADMIN_PASSWORD not in out
    assert verify_password(password_hash(loom.url, "admin"), ADMIN_PASSWORD)
    assert set(module_rows(loom.url)) == {"kernel", "base"}

    again = loom.main("init", env={"LOOM_ADMIN_PASSWORD": ADMIN_PASSWORD})

    assert again.code == 1
    assert len(again.err_lines) == 1
    assert again.err.startswith("Error: ") and "already initialized" in again.err


def test_init_generates_a_password_and_prints_it_once(loom):
    out = loom.ok("init", "--admin-login", "boss")

    printed = re.search(r"Administrator: boss  password: (\S+)  \(shown once", out)
    assert printed, out
    assert out.count(printed[1]) == 1
    assert verify_password(password_hash(loom.url, "boss"), printed[1])


def test_quickstart_installs_every_shipped_module_with_demo_data(loom):
    out = loom.ok("quickstart", "--no-serve", env={"LOOM_ADMIN_PASSWORD": ADMIN_PASSWORD})

    shipped = {row["name"] for row in json.loads(loom.ok("module", "list", "--json"))}
    assert "(with demo data)" in out
    assert set(module_rows(loom.url)) == {"kernel", *shipped}
    assert scalar(loom.url, "SELECT count(*) FROM base_partner") > 0  # demo partners
    assert loom.ok("user", "list", "--user", "admin").startswith("admin")  # the administrator can log in


# -- looking at modules ----------------------------------------------------------------------------


def test_module_list_shows_base_installed_as_text_and_json(shop):
    text = shop.ok("module", "list")
    rows = {row["name"]: row for row in json.loads(shop.ok("module", "list", "--json"))}

    assert re.search(r"^base\s+0\.1\.0\s+installed\s+Business masters", text, re.M), text
    assert rows["base"]["installed"] is True
    assert rows["base"]["depends"] == [] and rows["base"]["bridge"] is False


def test_module_list_on_a_new_database_shows_nothing_installed(empty):
    rows = json.loads(empty.ok("module", "list", "--json"))

    assert "base" in {row["name"] for row in rows}
    assert not any(row["installed"] for row in rows)


def test_module_info_shows_the_manifest_and_names_an_unknown_module(shop):
    info = json.loads(shop.ok("module", "info", "base", "--json"))
    text = shop.ok("module", "info", "base")

    assert info["name"] == "base" and info["depends"] == []
    assert "data/security.toml" in info["data"] and info["distribution"] is None
    assert "version: 0.1.0" in text

    unknown = shop.main("module", "info", "ledgerz")
    assert unknown.code == 1
    assert unknown.err_lines == [unknown.err.strip()]
    assert "Unknown module ledgerz" in unknown.err and "available modules: " in unknown.err
    assert "{" not in unknown.err  # every placeholder of the message is filled


def test_module_graph_as_a_tree_and_as_dot(shop):
    tree = shop.ok("module", "graph")
    dot = shop.ok("module", "graph", "--dot", "base")

    assert tree.splitlines()[0].startswith("base 0.1.0")
    assert dot.startswith("digraph loom_modules {") and '"base"' in dot and dot.rstrip().endswith("}")


# -- installing, upgrading, uninstalling -----------------------------------------------------------


def test_an_install_dry_run_on_a_new_database_prints_the_plan_and_creates_nothing(empty):
    plan = json.loads(empty.ok("module", "install", "base", "--dry-run", "--json"))
    text = empty.ok("module", "install", "base", "--dry-run")

    assert plan["dry_run"] is True and plan["modules"] == ["kernel", "base"]
    assert text.strip() == "Would install: kernel, base"
    assert not module_rows(empty.url)


def test_an_install_dry_run_on_an_initialized_database_leaves_the_module_table_unchanged(shop):
    before = module_rows(shop.url)

    out = shop.ok("module", "install", "base", "--dry-run")

    assert out.strip() == "Install: nothing to do."
    assert module_rows(shop.url) == before


def test_installing_an_unknown_module_is_one_line_naming_it(shop):
    before = module_rows(shop.url)

    run = shop.process("module", "install", "ledgerz")

    assert run.code == 1
    assert "Traceback" not in run.err
    assert len(run.err_lines) == 1, run.err
    assert run.err.startswith("Error: Unknown module ledgerz")
    assert module_rows(shop.url) == before


def test_base_can_never_be_uninstalled(shop):
    run = shop.main("module", "uninstall", "base", "--cascade", "--purge")

    assert run.code == 1
    assert run.err_lines == ["Error: Module base cannot be uninstalled: the kernel and base are always installed"]
    assert set(module_rows(shop.url)) == {"kernel", "base"}


def test_uninstalling_a_module_that_is_not_installed_is_refused(shop):
    run = shop.main("module", "uninstall", "ledgerz", "--dry-run")

    assert (run.code, run.err_lines) == (1, ["Error: Module ledgerz is not installed"])


def test_upgrade_dry_run_lists_every_installed_module_in_order(shop):
    text = shop.ok("module", "upgrade", "--dry-run")
    plan = json.loads(shop.ok("module", "upgrade", "--dry-run", "--json"))

    assert text.strip() == "Would upgrade: kernel, base"
    assert plan == {"action": "upgrade", "modules": ["kernel", "base"], "dry_run": True,
                    "business_rows": {}, "backup": None, "loaded": {}}


def test_upgrade_reloads_data_and_keeps_the_schema_matching(shop):
    plan = json.loads(shop.ok("module", "upgrade", "base", "--json"))

    assert plan["modules"] == ["base"] and plan["dry_run"] is False
    assert plan["loaded"]["base"]["created"] == {}  # data files already loaded: updated, not duplicated
    assert plan["loaded"]["base"]["updated"]["base.currency"] > 0
    assert "Schema matches" in shop.ok("db", "check")


def test_new_revision_of_an_unknown_module_is_one_line(shop):
    run = shop.main("module", "revision", "ledgerz", "-m", "nothing")

    assert run.code == 1 and len(run.err_lines) == 1
    assert run.err.startswith("Error: Unknown module ledgerz") and "{" not in run.err


# -- the database ----------------------------------------------------------------------------------


def test_db_check_says_the_schema_matches_and_db_upgrade_runs_every_module(shop):
    assert shop.ok("db", "check").strip() == "Schema matches the models of every installed module."
    assert shop.ok("db", "upgrade", "--dry-run").strip() == "Would upgrade: kernel, base"
    assert shop.ok("db", "upgrade").strip() == "Upgraded: kernel, base"
    assert shop.ok("db", "check").strip() == "Schema matches the models of every installed module."


def test_db_commands_on_a_database_never_initialized_say_so_in_one_line(empty):
    for command in (("db", "check"), ("db", "upgrade"), ("db", "backup"), ("user", "list")):
        run = empty.main(*command)
        assert run.code == 1, command
        assert run.err_lines == [run.err.strip()], command
        assert "run `loom init`" in run.err, command


def test_db_backup_writes_a_copy(shop, backend, tmp_path: Path):
    if backend == "postgresql" and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    target = tmp_path / "backups" / "nightly"  # not created yet: the command creates it

    out = shop.ok("db", "backup", "--dir", str(target))

    written = Path(out.strip().removeprefix("Backup written to ").split(" (")[0])
    assert written.parent == target and written.suffix == ".loombackup"
    snapshot = written / ("database.sqlite" if backend == "sqlite" else "database.dump")
    assert snapshot.stat().st_size > 0 and (written / "manifest.json").exists()


# -- hooks -----------------------------------------------------------------------------------------


def test_hooks_lists_every_spec_with_its_signature_and_implementations(shop):
    text = shop.ok("hooks")
    rows = {row["hook"]: row for row in json.loads(shop.ok("hooks", "--json"))}

    unquoted = text.replace("'", "")  # annotations may print as strings ('Any')
    assert "on_module_installed  [kernel]  on_module_installed(env: Any, module: str) -> None" in unquoted
    assert re.search(r"on_module_installed .*\n\s+-> base\n", text), text
    assert rows["on_module_installed"]["owner"] == "kernel"
    assert rows["on_module_installed"]["implementations"] == ["base"]
    assert {"on_registry_ready", "on_module_uninstalling", "register_settings", "register_checks"} <= set(rows)


# -- usage errors ----------------------------------------------------------------------------------


def test_an_unknown_command_is_a_usage_error(shop):
    run = shop.main("frobnicate")

    assert run.code == 2
    assert "No such command 'frobnicate'" in run.err and "Traceback" not in run.err


def test_an_unreachable_database_is_one_line_not_a_traceback(tmp_path: Path):
    run = Loom(f"sqlite:///{tmp_path}/missing/folder/shop.db").process("user", "list")

    assert run.code == 2
    assert "Traceback" not in run.err and len(run.err_lines) == 1
    assert run.err.startswith("Error: OperationalError: ") and "LOOM_DEBUG=1" in run.err
