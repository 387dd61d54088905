"""Module work run with ``--user`` is that user's: an administrator installs and uninstalls and the audit
log names them, not ``superuser``; a user who is not an administrator is refused, and the refusal is
audited under their name too."""

from __future__ import annotations

import json

from loom_test_support import FIXTURE_MODULES

MODULES = {"LOOM_MODULE_PATH": str(FIXTURE_MODULES)}


def _audit(shop, action):
    return [(row["actor_login"], row["details"]["modules"])
            for row in json.loads(shop.ok("audit", "list", "--action", action, "--json", env=MODULES))]


def test_an_administrator_installs_and_uninstalls_under_their_own_name(shop):
    shop.ok("user", "create", "ines", "--role", "kernel.administrator", env={"LOOM_NEW_PASSWORD": "ines-secret-1"})

    installed = shop.ok("--user", "ines", "module", "install", "loomtest_beta", env=MODULES)
    removed = shop.ok("--user", "ines", "module", "uninstall", "loomtest_beta", env=MODULES)

    assert "loomtest_beta" in installed and "loomtest_beta" in removed
    assert _audit(shop, "module.install")[0] == ("ines", ["loomtest_beta"])
    assert _audit(shop, "module.uninstall")[0] == ("ines", ["loomtest_beta"])


def test_a_user_who_is_not_an_administrator_cannot_install_modules(shop):
    shop.ok("user", "create", "ugo", "--role", "kernel.user_manager", env={"LOOM_NEW_PASSWORD": "ugo-secret-1"})

    refused = shop.main("--user", "ugo", "module", "install", "loomtest_beta", env=MODULES)

    assert refused.code == 1 and len(refused.err_lines) == 1
    assert "ugo may not install, upgrade or uninstall modules" in refused.err
    modules = {row["name"]: row["installed"] for row in json.loads(shop.ok("module", "list", "--json", env=MODULES))}
    assert modules["loomtest_beta"] is False
    assert _audit(shop, "module.install.refused")[0] == ("ugo", ["loomtest_beta"])


def test_without_user_the_cli_still_acts_as_the_superuser(shop):
    shop.ok("module", "install", "loomtest_beta", env=MODULES)
    shop.ok("module", "uninstall", "loomtest_beta", env=MODULES)
    assert _audit(shop, "module.install")[0] == ("superuser", ["loomtest_beta"])
    assert _audit(shop, "module.uninstall")[0] == ("superuser", ["loomtest_beta"])
