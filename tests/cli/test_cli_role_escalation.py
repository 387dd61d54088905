"""From the command line too, a user manager gives only roles they hold (A8); the administrator any."""

from __future__ import annotations

import json


def _roles(shop, login):
    return {row["login"]: row["roles"] for row in json.loads(shop.ok("user", "list", "--json"))}[login]


def test_a_user_manager_cannot_grant_administrator_from_the_cli(shop):
    shop.ok("user", "create", "iris", "--role", "kernel.user_manager", env={"LOOM_NEW_PASSWORD": "iris-secret-1"})
    shop.ok("user", "create", "jon", env={"LOOM_NEW_PASSWORD": "jon-secret-1"})

    refused = shop.main("role", "grant", "kernel.administrator", "jon", "--user", "iris")
    made = shop.main("user", "create", "kim", "--role", "kernel.administrator", "--user", "iris",
                     env={"LOOM_NEW_PASSWORD": "kim-secret-1"})

    assert refused.code == 1 and len(refused.err_lines) == 1
    assert "iris may only give or take roles they hold" in refused.err and "kernel.administrator" in refused.err
    assert made.code == 1 and "kernel.administrator" in made.err
    assert _roles(shop, "jon") == []
    assert "kim" not in {row["login"] for row in json.loads(shop.ok("user", "list", "--json"))}


def test_the_administrator_grants_it(shop):
    shop.ok("user", "create", "lea", env={"LOOM_NEW_PASSWORD": "lea-secret-1"})
    shop.ok("role", "grant", "kernel.administrator", "lea")
    assert _roles(shop, "lea") == ["kernel.administrator"]
