"""Through the web shell too, a user manager gives nobody a role they do not hold (A8): a user's form
has no role field to post, and a role list slipped into the form changes nothing."""

from __future__ import annotations


def _roles(run, login):
    return run(lambda env: sorted(r.code for r in env["loom.user"].search([["login", "=", login]])[0].role_ids))


def test_a_user_manager_cannot_post_roles_through_a_users_form(run, make_user, log_in, csrf):
    manager = log_in(make_user("kernel.user_manager")).client
    target = make_user()
    user_id, version, admin = run(lambda env: (
        *(lambda u: (u.id, u.version))(env["loom.user"].search([["login", "=", target]])[0]),
        env["loom.role"].search([["code", "=", "kernel.administrator"]])[0].id))

    form = manager.get(f"/m/loom.user/{user_id}/edit")
    assert form.status_code == 200 and 'name="role_ids"' not in form.get_data(as_text=True)
    answer = manager.post(f"/m/loom.user/{user_id}/edit", data={
        "csrf_token": csrf(manager), "version": str(version), "name": "Renamed", "role_ids": str(admin)})

    assert answer.status_code == 303, answer.status_code  # the form saved what it has: the name
    assert run(lambda env: env["loom.user"].search([["login", "=", target]])[0].name) == "Renamed"
    assert _roles(run, target) == []
