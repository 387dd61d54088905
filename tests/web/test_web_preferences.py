"""A user's own preferences: language and time zone, and a password change that is throttled like
a login, ends every other session, keeps this browser logged in and is audited (W2, W3, W6). The
forms write the user's own record and only the fields they are for."""

from __future__ import annotations

from sqlalchemy import select

from loom.kernel.passwords import verify_password
from loom.kernel.web.locale_format import format_datetime

PASSWORD = "correct horse battery"
NEW_PASSWORD = "porcelain kiln 1728"


def user_of(run, login):
    """The user ``login`` as stored (lang, tz, roles, companies, name)."""
    def read(env):
        user = env["loom.user"].search([["login", "=", login]])[0]
        return {"id": user.id, "name": user.name, "lang": user.lang, "tz": user.tz, "active": user.active,
                "roles": sorted(role.code for role in user.role_ids),
                "companies": sorted(company.id for company in user.company_ids)}

    return run(read)


def audit_rows(run, action, uid):
    def read(env):
        log = env.registry["loom.audit_log"]
        return env.session.scalars(select(log).where(log.action == action, log.record_id == uid)
                                   .order_by(log.seq)).all()

    return run(read)


def change_password(client, csrf, current, new=NEW_PASSWORD, again=None):
    client.get("/preferences")
    return client.post("/preferences/password", data={
        "csrf_token": csrf(client), "current_password": current, "new_password": new,
        "new_password_again": new if again is None else again})


def test_the_users_name_in_the_top_bar_leads_to_the_preferences_page(make_user, log_in):
    client = log_in(make_user()).client
    assert 'href="/preferences"' in client.get("/").get_data(as_text=True)
    page = client.get("/preferences").get_data(as_text=True)
    assert "Language and time zone" in page and "Change password" in page
    common = page.index('value="Asia/Shanghai"')
    assert common < page.index('value="Asia/Tokyo"') < page.index('value="UTC"') < page.index('value="Africa/Abidjan"')


def test_a_clerk_switches_to_chinese_and_tokyo_and_sees_times_in_tokyo_time(run, make_user, log_in, csrf):
    from loom.kernel.timeline import add_note

    login = make_user("base.user")

    def a_note_on_a_customer(env):
        partner = env["base.partner"].create({"name": "Arita Ceramics"})
        add_note(env, "base.partner", [partner.id], "Wants the blue glaze")
        note = env["loom.record_event"].search([["res_id", "=", partner.id], ["kind", "=", "note"]])[0]
        return partner.id, note.at

    partner, noted_at = run(a_note_on_a_customer)
    client = log_in(login).client
    client.get("/preferences")
    saved = client.post("/preferences", data={"csrf_token": csrf(client), "lang": "zh_CN", "tz": "Asia/Tokyo"})
    assert saved.status_code == 302 and saved.headers["Location"] == "/preferences?saved=preferences"
    assert "语言和时区已保存" in client.get(saved.headers["Location"]).get_data(as_text=True)
    assert (user_of(run, login)["lang"], user_of(run, login)["tz"]) == ("zh_CN", "Asia/Tokyo")
    page = client.get(f"/m/base.partner/{partner}").get_data(as_text=True)
    assert format_datetime(noted_at, "zh_CN", "Asia/Tokyo") in page
    assert format_datetime(noted_at, "zh_CN", "Asia/Shanghai") not in page
    assert '<option value="Asia/Tokyo" selected>' in client.get("/preferences").get_data(as_text=True)


def test_an_unknown_time_zone_is_refused_beside_the_field(run, make_user, log_in, csrf):
    login = make_user()
    client = log_in(login).client
    client.get("/preferences")
    refused = client.post("/preferences", data={"csrf_token": csrf(client), "lang": "zh_CN", "tz": "Mars/Olympus"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="field-tz-error"' in page and "Mars/Olympus" in page and "IANA" in page
    assert (user_of(run, login)["lang"], user_of(run, login)["tz"]) == ("en", "Asia/Shanghai")  # nothing saved


def test_an_unknown_language_is_refused_beside_its_field(run, make_user, log_in, csrf):
    login = make_user()
    client = log_in(login).client
    client.get("/preferences")
    refused = client.post("/preferences", data={"csrf_token": csrf(client), "lang": "fr", "tz": "UTC"})
    assert refused.status_code == 422 and 'id="field-lang-error"' in refused.get_data(as_text=True)
    assert user_of(run, login)["tz"] == "Asia/Shanghai"


def test_the_form_sets_no_other_field_and_no_other_users_record(run, make_user, log_in, csrf):
    clerk, colleague = make_user("base.user"), make_user("base.user")
    before, colleague_before = user_of(run, clerk), user_of(run, colleague)
    client = log_in(clerk).client
    client.get("/preferences")
    answer = client.post("/preferences", data={
        "csrf_token": csrf(client), "lang": "zh_CN", "tz": "Asia/Hong_Kong", "id": colleague_before["id"],
        "uid": colleague_before["id"], "login": colleague, "name": "Boss", "active": "0",
        "role_ids": "1", "roles": "kernel.administrator", "company_ids": "999", "password_hash": "x"})
    assert answer.status_code == 302
    assert user_of(run, clerk) == {**before, "lang": "zh_CN", "tz": "Asia/Hong_Kong"}
    assert user_of(run, colleague) == colleague_before
    assert log_in(clerk).status_code == 302  # the password hash was not touched either


def test_a_wrong_current_password_is_refused_and_counted_until_the_throttle_stops_it(run, make_user, log_in, csrf):
    login = make_user()
    uid = user_of(run, login)["id"]
    client = log_in(login).client
    for _ in range(5):
        wrong = change_password(client, csrf, "a wild guess")
        assert wrong.status_code == 422
        assert 'id="field-current_password-error"' in wrong.get_data(as_text=True)
    throttled = change_password(client, csrf, PASSWORD)  # even the right password waits now
    assert throttled.status_code == 429 and 55 <= int(throttled.headers["Retry-After"]) <= 60
    assert "wait a minute" in throttled.get_data(as_text=True)
    assert log_in(login).status_code == 429  # the login throttle counted them: no guessing there either
    assert len(audit_rows(run, "password.change.failed", uid)) == 5
    assert len(audit_rows(run, "password.change.throttled", uid)) == 1
    assert run(lambda env: verify_password(env["loom.user"].search([["login", "=", login]])[0].password_hash,
                                           PASSWORD))  # the password was not changed


def test_the_new_password_follows_the_kernels_rules_and_is_typed_twice(run, make_user, log_in, csrf):
    login = make_user()
    client = log_in(login).client
    short = change_password(client, csrf, PASSWORD, new="short")
    assert short.status_code == 422 and 'id="field-new_password-error"' in short.get_data(as_text=True)
    assert "8 to 256 characters" in short.get_data(as_text=True)
    differ = change_password(client, csrf, PASSWORD, again=NEW_PASSWORD + "!")
    assert differ.status_code == 422 and 'id="field-new_password_again-error"' in differ.get_data(as_text=True)
    assert log_in(login).status_code == 302  # the old password still works


def test_a_password_change_keeps_this_browser_and_logs_every_other_browser_out(run, make_user, log_in, csrf):
    login = make_user()
    uid = user_of(run, login)["id"]
    other_browser = log_in(login).client
    assert other_browser.get("/").status_code == 200
    this_browser = log_in(login).client
    this_browser.get("/preferences")
    with this_browser.session_transaction() as session:
        old_sid, old_csrf = session["sid"], session["csrf"]
    changed = change_password(this_browser, csrf, PASSWORD)
    assert changed.status_code == 302 and changed.headers["Location"] == "/preferences?saved=password"
    with this_browser.session_transaction() as session:
        assert session["sid"] != old_sid and session["csrf"] != old_csrf
    assert "You were logged out everywhere else" in this_browser.get(changed.headers["Location"]).get_data(as_text=True)
    assert this_browser.get("/").status_code == 200
    assert other_browser.get("/").status_code == 302  # sent to the login page
    assert log_in(login).status_code == 401 and log_in(login, password=NEW_PASSWORD).status_code == 302
    [row] = audit_rows(run, "password.change", uid)
    assert row.details == {"request_id": changed.headers["X-Request-Id"], "ip": "127.0.0.1"}
    assert row.actor_id == uid and NEW_PASSWORD not in str(row.details)


def test_a_password_change_is_refused_without_the_forms_csrf_token(run, make_user, log_in):
    login = make_user()
    client = log_in(login).client
    answer = client.post("/preferences/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    assert answer.status_code == 403
    assert log_in(login).status_code == 302

