"""Staff create and edit records in the generic form: contacts entered inline with their company,
errors shown next to their field with nothing saved, permissions as on every channel, a stale edit
shown as a conflict, hostile names inert, no state change from a GET and CSRF on every POST."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def clerk(make_user, log_in):
    """A masters user (may create and write partners, not delete them), logged in."""
    return log_in(make_user("base.user")).client


def token(client) -> str:
    """The CSRF token the logged-in session carries."""
    with client.session_transaction() as session:
        return session["csrf"]


def partner(run, partner_id):
    """The partner as stored, with its contacts in order."""
    def read(env):
        record = env["base.partner"].get(partner_id)
        return {"name": record.name, "version": record.version, "email": record.email,
                "contacts": [(c.name, c.email, c.phone, c.type) for c in record.child_ids]}

    return run(read)


def partner_ids_named(run, name):
    return run(lambda env: [p.id for p in env["base.partner"].search([["name", "=", name]], active_test=False)])


def company_form(client, name, contacts, **extra):
    """The fields a browser posts for a company partner with ``contacts`` (name, email, phone) entered inline."""
    data = {"csrf_token": token(client), "name": name, "is_company": "1", "type": "contact", "lang": "en",
            "country_code": "CN", **extra}
    for index, (contact, email, phone) in enumerate(contacts):
        data.update({f"child_ids-{index}-name": contact, f"child_ids-{index}-email": email,
                     f"child_ids-{index}-phone": phone, f"child_ids-{index}-type": "contact"})
    return data


def test_a_clerk_creates_a_company_with_two_contacts_entered_inline(clerk, run):
    page = clerk.get("/m/base.partner/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="name"' in html and 'id="child_ids-add"' in html and ">Add a line<" in html
    assert 'id="form-save"' in html and ">Save<" in html
    assert 'name="company_id" value=""' in html  # partners are shared unless the clerk picks a company
    added = clerk.post("/m/base.partner/lines?field=child_ids&action=add", data=company_form(clerk, "Acme", []),
                       headers={"X-CSRFToken": token(clerk)}).get_data(as_text=True)
    assert 'name="child_ids-0-name"' in added and 'name="child_ids-0-email"' in added

    response = clerk.post("/m/base.partner/new", data=company_form(clerk, "Hangzhou Silk Works", [
        ("Wang Fang", "wang.fang@silk.example", "+86 571 1111 2222"), ("Li Lei", "li.lei@silk.example", "")]))

    assert response.status_code == 303
    created = int(response.headers["Location"].rsplit("/", 1)[1])
    assert response.headers["Location"] == f"/m/base.partner/{created}"
    assert partner(run, created)["contacts"] == [
        ("Wang Fang", "wang.fang@silk.example", "+86 571 1111 2222", "contact"),
        ("Li Lei", "li.lei@silk.example", None, "contact")]


def test_a_bad_email_on_a_contact_is_shown_next_to_it_and_nothing_is_saved(clerk, run):
    response = clerk.post("/m/base.partner/new", data=company_form(clerk, "Ningbo Tea Garden", [
        ("Zhao Min", "zhao.min@tea.example", ""), ("Qian Yu", "not-an-address", "")]))

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(r'<p class="field-error" id="field-child_ids-1-email-error" role="alert">([^<]*)</p>', html)
    assert error and "not-an-address is not an e-mail address." in error.group(1)
    assert 'value="Ningbo Tea Garden"' in html and 'value="zhao.min@tea.example"' in html  # the input is kept
    assert 'value="not-an-address"' in html and 'aria-invalid="true"' in html
    assert partner_ids_named(run, "Ningbo Tea Garden") == [] and partner_ids_named(run, "Zhao Min") == []


def test_a_bad_header_value_is_shown_next_to_its_field(clerk, run):
    response = clerk.post("/m/base.partner/new", data=company_form(clerk, "Suzhou Embroidery", [],
                                                                   email="suzhou at example", country_code="cn"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="field-email-error" role="alert">suzhou at example is not an e-mail address', html)
    assert partner_ids_named(run, "Suzhou Embroidery") == []


def test_values_of_the_wrong_kind_are_all_named_at_once(make_user, log_in, run):
    manager = log_in(make_user("base.manager")).client
    response = manager.post("/m/base.partner/new", data=company_form(manager, "", [], parent_id="abc"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="field-name-error"' in html and 'id="field-parent_id-error"' in html


def test_editing_changes_the_header_and_the_lines_in_one_save(make_user, log_in, run):
    manager = log_in(make_user("base.manager")).client  # may remove contacts (delete partners)
    created = run(lambda env: env["base.partner"].create({
        "name": "Xiamen Ceramics", "is_company": True,
        "child_ids": [{"name": "Old Contact", "email": "old@ceramics.example"},
                      {"name": "Kept Contact", "email": "kept@ceramics.example"}]}).id)
    page = manager.get(f"/m/base.partner/{created}/edit").get_data(as_text=True)
    assert 'value="Old Contact"' in page and 'name="child_ids-1-id"' in page
    before = partner(run, created)
    ids = run(lambda env: [c.id for c in env["base.partner"].get(created).child_ids])
    removed = manager.post(f"/m/base.partner/lines?id={created}&field=child_ids&action=remove&index=0",
                         data={**company_form(manager, "Xiamen Ceramics", [
                             ("Old Contact", "old@ceramics.example", ""),
                             ("Kept Contact", "kept@ceramics.example", "")]),
                             "child_ids-0-id": str(ids[0]), "child_ids-1-id": str(ids[1])},
                         headers={"X-CSRFToken": token(manager)}).get_data(as_text=True)
    assert f'name="child_ids-removed" value="{ids[0]}"' in removed and 'value="Old Contact"' not in removed

    data = company_form(manager, "Xiamen Ceramics Ltd", [("Kept Contact", "kept@ceramics.example", "0592 123"),
                                                       ("New Contact", "new@ceramics.example", "")],
                        version=str(before["version"]))
    data.update({"child_ids-0-id": str(ids[1]), "child_ids-removed": str(ids[0])})
    response = manager.post(f"/m/base.partner/{created}/edit", data=data)

    assert response.status_code == 303 and response.headers["Location"] == f"/m/base.partner/{created}"
    after = partner(run, created)
    assert after["name"] == "Xiamen Ceramics Ltd"
    assert after["contacts"] == [("Kept Contact", "kept@ceramics.example", "0592 123", "contact"),
                                 ("New Contact", "new@ceramics.example", None, "contact")]


def test_a_stale_edit_shows_the_conflict_and_overwrites_nothing(clerk, run):
    created = run(lambda env: env["base.partner"].create({"name": "Wuxi Tools", "city": "Wuxi"}).id)
    read_version = partner(run, created)["version"]
    run(lambda env: env["base.partner"].write([env["base.partner"].get(created)], {"name": "Wuxi Tools Group"}))

    data = company_form(clerk, "Wuxi Tools Co.", [], version=str(read_version), is_company="")
    response = clerk.post(f"/m/base.partner/{created}/edit", data=data)

    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'id="form-conflict"' in html and "<dd>Wuxi Tools Group</dd>" in html  # the current value
    assert 'value="Wuxi Tools Co."' in html  # the user's input is kept
    assert partner(run, created)["name"] == "Wuxi Tools Group"
    current = partner(run, created)["version"]
    assert f'name="version" value="{current}"' in html  # saving again is a deliberate overwrite


def test_a_user_without_write_permission_gets_403_on_the_edit_page_and_its_post(make_user, log_in, run):
    created = run(lambda env: env["base.partner"].create({"name": "Read Only Partner"}).id)
    auditor = log_in(make_user("kernel.auditor")).client  # may read the audit log, not partners
    assert auditor.get(f"/m/base.partner/{created}/edit").status_code == 403
    assert auditor.post(f"/m/base.partner/{created}/edit", data={"csrf_token": token(auditor), "version": "1",
                                                                  "name": "Taken over"}).status_code == 403
    assert auditor.get("/m/base.partner/new").status_code == 403
    assert auditor.post("/m/base.partner/new", data={"csrf_token": token(auditor), "name": "x"}).status_code == 403
    assert partner(run, created)["name"] == "Read Only Partner"


def test_script_in_a_name_is_shown_inert_in_the_form(clerk, run):
    payload = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    created = run(lambda env: env["base.partner"].create({
        "name": payload, "is_company": True, "child_ids": [{"name": payload}]}).id)
    html = clerk.get(f"/m/base.partner/{created}/edit").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;' in html


def test_the_list_offers_new_and_the_detail_edit_only_to_who_may(clerk, make_user, log_in, run):
    created = run(lambda env: env["base.partner"].create({"name": "Button Partner"}).id)
    assert 'href="/m/base.partner/new"' in clerk.get("/m/base.partner").get_data(as_text=True)
    assert f'href="/m/base.partner/{created}/edit"' in clerk.get(f"/m/base.partner/{created}").get_data(as_text=True)
    auditor = log_in(make_user("kernel.auditor")).client
    log = auditor.get("/m/loom.audit_log").get_data(as_text=True)
    assert "/m/loom.audit_log/new" not in log


@pytest.mark.parametrize("path", ["/m/base.partner/new", "/m/base.partner/{id}/edit", "/m/base.partner/onchange",
                                  "/m/base.partner/lines?field=child_ids&action=add"])
def test_every_post_needs_the_csrf_token_in_the_form_or_htmx_header(clerk, run, path):
    created = run(lambda env: env["base.partner"].create({"name": "Guarded Partner"}))
    path = path.format(id=created.id)
    data = {"name": "No Token Ltd", "version": str(created.version)}
    assert clerk.post(path, data=data).status_code == 403
    assert clerk.post(path, data={**data, "csrf_token": "forged"}).status_code == 403
    assert partner_ids_named(run, "No Token Ltd") == [] and partner(run, created.id)["name"] == "Guarded Partner"
    assert clerk.post(path, data={**data, "name": ""}, headers={"X-CSRFToken": token(clerk)}).status_code in (200, 422)


def test_no_form_get_changes_the_database(clerk, run, shop):
    from sqlalchemy import MetaData, select

    from loom.kernel.db import run_unit_of_work

    created = run(lambda env: env["base.partner"].create({"name": "Quiet Partner", "child_ids": [{"name": "Q"}]}).id)

    def snapshot():
        def rows(session):
            metadata = MetaData()
            metadata.reflect(session.connection())
            return {name: sorted(map(repr, session.execute(select(table)).all()))
                    for name, table in metadata.tables.items()}

        return run_unit_of_work(shop.engine, rows, write=False)

    before = snapshot()
    for path in ("/m/base.partner/new", f"/m/base.partner/{created}/edit",
                 "/m/base.partner/autocomplete?field=parent_id&q=Q",
                 "/m/base.partner/new?name=Injected&child_ids-0-name=x", "/m/base.partner/onchange?name=x"):
        clerk.get(path)
    assert snapshot() == before


@pytest.mark.parametrize("tampered", [{"child_ids-" + "9" * 5000 + "-name": "x"}, {"child_ids-removed": "9" * 5000},
                                      {"child_ids-0-name": "x", "child_ids-0-id": "9" * 5000},
                                      {"child_ids-0-name": "x", "child_ids-0-id": "٣"}])
def test_tampered_line_numbers_are_refused_or_ignored_never_a_500(clerk, run, tampered):
    data = {**company_form(clerk, "Tampered Lines Ltd", []), **tampered}
    assert clerk.post("/m/base.partner/new", data=data).status_code in (303, 422)
    edit = clerk.post("/m/base.partner/1/edit", data={**data, "version": "9" * 5000})
    assert edit.status_code == 400
    assert clerk.post("/m/base.partner/lines?field=child_ids&action=remove&index=" + "9" * 5000, data=data,
                      headers={"X-CSRFToken": token(clerk)}).status_code == 400
