"""Stories of people and settings from the command line: users, roles, acting as a user, settings.

The administrator hires Bob: creates his account, resets his password, gives him a role and takes
it back. Acting as Bob (``--user bob`` or ``LOOM_USER=bob``), the CLI has exactly Bob's rights, so
without a role he is refused in one clear line. The shop then switches tax rounding to per document.
"""

from __future__ import annotations

import json
import re

from loom_cli_support import password_hash

from loom.kernel.passwords import verify_password

# -- users and roles -------------------------------------------------------------------------------


def test_the_administrator_creates_a_user_lists_users_and_changes_a_password(shop):
    created = shop.ok("user", "create", "bob", "--name", "Bob Li", env={"LOOM_NEW_PASSWORD": "bob-first-pw"})
    listed = shop.ok("user", "list")
    rows = {row["login"]: row for row in json.loads(shop.ok("user", "list", "--json"))}

    assert created.strip() == "User bob created"
    assert re.search(r"^bob\s+Bob Li\s*$", listed, re.M), listed
    assert rows["bob"] == {"login": "bob", "name": "Bob Li", "lang": "en", "roles": []}
    assert rows["admin"]["roles"] == ["kernel.administrator"]
    assert verify_password(password_hash(shop.url, "bob"), "bob-first-pw")

    changed = shop.ok("user", "passwd", "bob", env={"LOOM_NEW_PASSWORD": "bob-second-pw"})

    assert changed.strip() == "Password of bob changed"
    assert verify_password(password_hash(shop.url, "bob"), "bob-second-pw")
    assert not verify_password(password_hash(shop.url, "bob"), "bob-first-pw")


def test_a_password_is_prompted_twice_when_not_given(shop):
    result = shop("user", "create", "carol", input="carol-secret-1\ncarol-secret-1\n")

    assert result.exit_code == 0, result.output
    assert verify_password(password_hash(shop.url, "carol"), "carol-secret-1")


def test_a_user_created_with_roles_and_an_unknown_role_refused(shop):
    out = shop.ok("user", "create", "dora", "--role", "base.user", "--lang", "zh_CN",
                  env={"LOOM_NEW_PASSWORD": "dora-secret-1"})
    unknown_role = shop.main("user", "create", "eve", "--role", "sales.boss", env={"LOOM_NEW_PASSWORD": "eve-secret"})

    assert out.strip() == "User dora created with roles base.user"
    assert {r["login"]: r["lang"] for r in json.loads(shop.ok("user", "list", "--json"))}["dora"] == "zh_CN"
    assert (unknown_role.code, unknown_role.err_lines) == (1, ["Error: Unknown role sales.boss"])
    assert "eve" not in shop.ok("user", "list")


def test_a_taken_login_is_refused_in_one_line(shop):
    shop.ok("user", "create", "ivan", env={"LOOM_NEW_PASSWORD": "ivan-secret-1"})

    again = shop.main("user", "create", "ivan", env={"LOOM_NEW_PASSWORD": "ivan-secret-2"})

    assert again.code != 0 and len(again.err_lines) == 1 and again.err.startswith("Error: ")
    assert verify_password(password_hash(shop.url, "ivan"), "ivan-secret-1")  # the first account is untouched


def test_a_taken_login_is_refused_as_a_validation_error_naming_it(shop):
    shop.ok("user", "create", "jack", env={"LOOM_NEW_PASSWORD": "jack-secret-1"})

    again = shop.main("user", "create", "jack", env={"LOOM_NEW_PASSWORD": "jack-secret-2"})

    assert again.code == 1 and "IntegrityError" not in again.err and "login" in again.err


def test_roles_are_listed_granted_and_revoked(shop):
    shop.ok("user", "create", "fay", env={"LOOM_NEW_PASSWORD": "fay-secret-1"})

    listed = shop.ok("role", "list")
    codes = {row["code"]: row for row in json.loads(shop.ok("role", "list", "--json"))}
    granted = shop.ok("role", "grant", "base.manager", "fay")
    after_grant = {r["login"]: r["roles"] for r in json.loads(shop.ok("user", "list", "--json"))}
    revoked = shop.ok("role", "revoke", "base.manager", "fay")
    after_revoke = {r["login"]: r["roles"] for r in json.loads(shop.ok("user", "list", "--json"))}

    assert re.search(r"^kernel\.administrator\s+Administrator\s+\(all access\)$", listed, re.M), listed
    assert codes["kernel.administrator"]["all_access"] is True
    assert {"base.user", "base.manager", "kernel.user_manager"} <= set(codes)
    assert granted.strip() == "fay now has role base.manager"
    assert after_grant["fay"] == ["base.manager"]
    assert revoked.strip() == "fay no longer has role base.manager"
    assert after_revoke["fay"] == []


def test_granting_an_unknown_role_or_to_an_unknown_user_is_one_line(shop):
    no_role = shop.main("role", "grant", "sales.boss", "admin")
    no_user = shop.main("role", "grant", "base.user", "ghost")

    assert (no_role.code, no_role.err_lines) == (1, ["Error: Unknown role sales.boss"])
    assert no_user.code == 1 and len(no_user.err_lines) == 1 and "ghost" in no_user.err


# -- acting as a user ------------------------------------------------------------------------------


def test_a_user_without_roles_is_refused_in_one_line_however_the_user_is_named(shop):
    shop.ok("user", "create", "gus", env={"LOOM_NEW_PASSWORD": "gus-secret-1"})
    refusal = ["Error: gus may not read records of loom.user"]

    after_command = shop.main("user", "list", "--user", "gus")
    before_command = shop.main("--user", "gus", "user", "list")
    from_environment = shop.main("user", "list", env={"LOOM_USER": "gus"})
    real_process = shop.process("user", "list", "--user", "gus")

    for run in (after_command, before_command, from_environment, real_process):
        assert (run.code, run.err_lines, run.out) == (1, refusal, "")
    assert "Traceback" not in real_process.err


def test_acting_as_a_user_manager_lists_users_but_changes_no_settings(shop):
    shop.ok("user", "create", "hana", "--role", "kernel.user_manager", env={"LOOM_NEW_PASSWORD": "hana-secret-1"})

    as_hana = shop.ok("user", "list", "--user", "hana")
    settings = shop.main("settings", "set", "base.tax_rounding", "document", env={"LOOM_USER": "hana"})

    assert re.search(r"^hana\s", as_hana, re.M)
    assert settings.code == 1 and len(settings.err_lines) == 1 and "hana may not" in settings.err


def test_acting_as_an_unknown_login_names_it(shop):
    run = shop.main("--user", "ghost", "settings", "list")

    assert run.code == 1 and len(run.err_lines) == 1
    assert "ghost" in run.err


# -- settings --------------------------------------------------------------------------------------


def test_the_shop_switches_tax_rounding_to_per_document(shop):
    listed = shop.ok("settings", "list")
    rows = {row["key"]: row for row in json.loads(shop.ok("settings", "list", "--json"))}

    assert re.search(r"^base\.tax_rounding\s+line\s+Tax rounding", listed, re.M), listed
    assert rows["base.tax_rounding"]["type"] == "choice"
    assert shop.ok("settings", "get", "base.tax_rounding").strip() == "line"

    assert shop.ok("settings", "set", "base.tax_rounding", "document").strip() == "base.tax_rounding = document"
    assert shop.ok("settings", "get", "base.tax_rounding").strip() == "document"

    bad = shop.main("settings", "set", "base.tax_rounding", "weekly")
    assert bad.code == 1
    assert bad.err_lines == ["Error: weekly is not a valid choice for setting base.tax_rounding"]
    assert shop.ok("settings", "get", "base.tax_rounding").strip() == "document"  # unchanged by the refusal


def test_an_undeclared_setting_is_one_line_naming_it(shop):
    run = shop.main("settings", "get", "sales.credit_grace_days")

    assert run.code == 1
    assert run.err_lines == ["Error: No installed module declares setting sales.credit_grace_days"]
