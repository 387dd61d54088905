"""An integrator logs in for a token, uses it as a Bearer token, and loses access when it is revoked."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from api_bench import PASSWORD, error

from loom_test_support import ROOTS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from loom_cli_support import Loom  # noqa: E402 - the CLI helpers live beside the CLI tests
from sqlalchemy import select


def test_a_login_and_password_give_a_token_that_opens_the_api(bench):
    answer = bench.post("/api/v1/auth/token", who=None, json={"login": "clerk", "password": PASSWORD, "name": "erp"})
    assert answer.status_code == 201
    token = answer.get_json()["token"]
    assert len(token) >= 43  # 256 bits in URL-safe base64
    listed = bench.app.test_client().get("/api/v1/alpha.order", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200


def test_an_unknown_login_and_a_wrong_password_get_the_same_401(bench):
    unknown = bench.post("/api/v1/auth/token", who=None, json={"login": "mallory", "password": PASSWORD})
    wrong = bench.post("/api/v1/auth/token", who=None, json={"login": "clerk", "password": "not-the-password"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_data() == wrong.get_data()
    assert error(wrong)["code"] == "unauthenticated"


def test_a_login_name_that_failed_five_times_waits_even_with_the_right_password(bench):
    from loom.kernel.users import create_user

    bench.unit(lambda env: create_user(env, "guessed", "Guessed", PASSWORD))
    for _ in range(5):
        assert bench.post("/api/v1/auth/token", who=None, json={"login": "guessed", "password": "nope"}
                          ).status_code == 401
    throttled = bench.post("/api/v1/auth/token", who=None, json={"login": "guessed", "password": PASSWORD})
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    assert error(throttled)["code"] == "throttled" and error(throttled)["field"] == "login"


def test_a_token_made_by_logging_in_is_audited_as_its_user(bench):
    bench.post("/api/v1/auth/token", who=None, json={"login": "clerk", "password": PASSWORD, "name": "audited"})
    made = bench.unit(lambda env: [(a.actor_login, a.details) for a in env["loom.audit_log"].search(
        [["action", "=", "token.create"]])])
    assert ("clerk", {"user": "clerk", "name": "audited"}) in made


def test_the_api_needs_a_bearer_token_and_ignores_cookies(bench):
    client = bench.app.test_client()
    client.set_cookie("session", "anything")
    assert client.get("/api/v1/alpha.order").status_code == 401
    assert client.get("/api/v1/alpha.order", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert client.get("/api/v1/alpha.order", headers={"Authorization": f"Basic {bench.tokens['clerk']}"}
                      ).status_code == 401


def test_only_the_sha256_of_a_token_is_stored(bench):
    text = bench.tokens["clerk"]
    rows = bench.unit(lambda env: [(t.token_hash, t.name) for t in env.session.scalars(
        select(env.registry["loom.api_token"]))])
    assert (hashlib.sha256(text.encode()).hexdigest(), "bench") in rows
    assert all(text not in token_hash for token_hash, _ in rows)


def test_a_revoked_token_gets_401_and_both_steps_are_audited(bench):
    from loom.kernel.api.tokens import create_token, revoke_token
    from loom.kernel.users import find_user

    def make(env):
        row, text = create_token(env, find_user(env, "clerk"), "short-lived")
        return row.id, text

    token_id, text = bench.unit(make)
    headers = {"Authorization": f"Bearer {text}"}
    assert bench.app.test_client().get("/api/v1/alpha.order", headers=headers).status_code == 200
    bench.unit(lambda env: revoke_token(env, token_id))
    assert bench.app.test_client().get("/api/v1/alpha.order", headers=headers).status_code == 401
    audit = bench.unit(lambda env: [(a.action, a.record_id) for a in env["loom.audit_log"].search(
        [["model", "=", "loom.api_token"]])])
    assert ("token.create", token_id) in audit and ("token.revoke", token_id) in audit


def test_the_token_command_creates_lists_and_revokes(bench):
    loom, env = Loom(bench.shop.url), {"LOOM_MODULE_PATH": ROOTS[0]}
    text = loom.ok("token", "create", "clerk", "--name", "cli-made", env=env).strip()
    listed = loom.ok("token", "list", "--json", env=env)
    mine = [row for row in json.loads(listed) if row["name"] == "cli-made"]
    assert mine and mine[0]["user"] == "clerk" and not mine[0]["revoked"]
    assert text not in listed
    loom.ok("token", "revoke", str(mine[0]["id"]), env=env)
    answer = bench.app.test_client().get("/api/v1/alpha.order", headers={"Authorization": f"Bearer {text}"})
    assert answer.status_code == 401
    refused = loom.main("token", "revoke", "999999", env=env)
    assert refused.code != 0 and "999999" in refused.err
