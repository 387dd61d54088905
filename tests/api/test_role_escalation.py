"""A user manager manages people, not power (A8): they give and take only roles they hold themselves,
so nobody becomes an administrator through them; an administrator may give any role."""

from __future__ import annotations

import pytest
from api_bench import PASSWORD, error


@pytest.fixture(scope="module")
def staff(bench):
    """Uma, a user manager with a token, plain users Sam, Ava and Pia, and the role ids by code."""
    from loom.kernel.api.tokens import create_token
    from loom.kernel.users import create_user

    def make(env):
        uma = create_user(env, "uma", "Uma", PASSWORD, roles=["kernel.user_manager"])
        for login in ("sam", "ava", "pia"):  # each story changes its own person
            create_user(env, login, login.title(), PASSWORD)
        bench.tokens["uma"] = create_token(env, uma, "people")[1]
        return {role.code: role.id for role in env["loom.role"].search()}

    return bench.unit(make)


def _user(bench, login):
    found = bench.get("/api/v1/loom.user", query_string={"filter": f'[["login", "=", "{login}"]]',
                                                       "fields": "id,version,role_ids"}).get_json()["records"]
    return found[0] if found else None


def _roles(bench, login):
    return bench.unit(lambda env: sorted(r.code for r in env["loom.user"].search([["login", "=", login]])[0].role_ids))


def test_a_user_manager_cannot_make_someone_an_administrator(bench, staff):
    sam = _user(bench, "sam")
    answer = bench.patch(f"/api/v1/loom.user/{sam['id']}", who="uma", json={
        "version": sam["version"], "role_ids": [staff["kernel.administrator"]]})
    assert answer.status_code == 403
    assert error(answer)["code"] == "access_denied" and error(answer)["field"] == "role_ids"
    assert "kernel.administrator" in error(answer)["message"]
    assert _roles(bench, "sam") == []


def test_a_user_manager_cannot_create_an_administrator(bench, staff):
    answer = bench.post("/api/v1/loom.user", who="uma", json={
        "login": "mallory", "name": "Mallory", "company_id": 1, "role_ids": [staff["kernel.administrator"]]})
    assert answer.status_code == 403 and error(answer)["field"] == "role_ids"
    assert _user(bench, "mallory") is None


def test_a_user_manager_cannot_take_the_administrators_role_away(bench, staff):
    ada = _user(bench, "ada")
    answer = bench.patch(f"/api/v1/loom.user/{ada['id']}", who="uma", json={"version": ada["version"], "role_ids": []})
    assert answer.status_code == 403 and error(answer)["field"] == "role_ids"
    assert _roles(bench, "ada") == ["kernel.administrator"]


def test_a_user_manager_gives_a_role_they_hold(bench, staff):
    sam = _user(bench, "sam")
    answer = bench.patch(f"/api/v1/loom.user/{sam['id']}", who="uma", json={
        "version": sam["version"], "role_ids": [staff["kernel.user_manager"]]})
    assert answer.status_code == 200, answer.get_json()
    assert _roles(bench, "sam") == ["kernel.user_manager"]
    sam = _user(bench, "sam")
    back = bench.patch(f"/api/v1/loom.user/{sam['id']}", who="uma", json={"version": sam["version"], "role_ids": []})
    assert back.status_code == 200 and _roles(bench, "sam") == []


def test_an_administrator_may_give_any_role(bench, staff):
    ava = _user(bench, "ava")
    answer = bench.patch(f"/api/v1/loom.user/{ava['id']}", json={
        "version": ava["version"], "role_ids": [staff["kernel.administrator"]]})
    assert answer.status_code == 200, answer.get_json()
    assert _roles(bench, "ava") == ["kernel.administrator"]


def test_a_user_manager_cannot_take_over_the_administrators_account(bench, staff):
    from loom.kernel.errors import AccessError
    from loom.kernel.users import find_user, set_password

    ada = _user(bench, "ada")
    renamed = bench.patch(f"/api/v1/loom.user/{ada['id']}", who="uma", json={"version": ada["version"],
                                                                           "name": "Not Ada", "active": False})
    assert renamed.status_code == 403 and "kernel.administrator" in error(renamed)["message"]

    def reset(env):
        from loom.kernel.environment import Environment

        uma = Environment(env.registry, env.session, uid=find_user(env, "uma").id)
        try:
            set_password(uma, find_user(uma.sudo(), "ada"), "taken-over-password")
        except AccessError as refused:
            return refused.message_id
        return "changed"

    assert bench.unit(reset) == "kernel.user_beyond_reach"
    assert bench.get("/api/v1/base.partner", who="ada").status_code == 200  # still active, still hers
    pia = _user(bench, "pia")
    fine = bench.patch(f"/api/v1/loom.user/{pia['id']}", who="uma", json={"version": pia["version"], "name": "Pia Li"})
    assert fine.status_code == 200, fine.get_json()  # a plain user is within a user manager's reach
