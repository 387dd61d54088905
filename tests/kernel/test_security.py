"""Security through the environment: deny by default, roles, record rules, companies, fields.

Stories: a new employee with no role sees nothing; the user manager manages users but not
numbering; a password hash is never shown, filtered, sorted or written by anyone; a user of the
Shanghai company never sees or touches the Beijing company's records, whatever the client sends.
"""

from __future__ import annotations

import pytest

from loom.kernel.environment import Environment
from loom.kernel.errors import (
    AccessError,
    FieldForbiddenError,
    MissingError,
    StaleRecordError,
    UnknownFieldError,
    UserError,
    ValidationError,
)
from loom.kernel.users import create_user


def as_user(env: Environment, login: str, roles=(), company_ids=()) -> Environment:
    """A new user with ``roles`` and the environment acting as them (same transaction)."""
    user = create_user(env, login, login.title(), "correct horse", roles=roles, company_ids=company_ids)
    return Environment(env.registry, env.session, uid=user.id)


def test_a_user_without_roles_can_read_nothing(base_env):
    clerk = as_user(base_env, "newcomer")
    with pytest.raises(AccessError) as caught:
        clerk["loom.role"].search()
    assert caught.value.code == "access_denied"
    assert "loom.role" in str(caught.value)


def test_the_user_manager_manages_users_but_not_numbering(base_env):
    manager = as_user(base_env, "hr", roles=["kernel.user_manager"])
    assert [u.login for u in manager["loom.user"].search([["login", "=", "hr"]])] == ["hr"]
    with pytest.raises(AccessError):
        manager["loom.sequence"].search()
    with pytest.raises(AccessError):
        manager["loom.user"].delete(manager["loom.user"].search([["login", "=", "hr"]]))


@pytest.mark.parametrize("attempt", ["read", "filter", "sort", "group", "write"])
def test_a_password_hash_is_out_of_every_channels_reach(base_env, attempt):
    admin = as_user(base_env, "boss", roles=["kernel.administrator"])
    users = admin["loom.user"]
    me = users.search([["login", "=", "boss"]])
    with pytest.raises((FieldForbiddenError, UnknownFieldError)) as caught:
        if attempt == "read":
            users.read(me, ["password_hash"])
        elif attempt == "filter":
            users.search([["password_hash", "like", "$argon2"]])
        elif attempt == "sort":
            users.search(order="password_hash")
        elif attempt == "group":
            from loom.kernel.domain import compile_group

            compile_group(["password_hash"], "loom.user", admin.registry, users.readable)
        else:
            users.write(me, {"password_hash": "x"})
    assert caught.value.field == "password_hash"
    assert "password_hash" not in users.read(me)[0]


def test_global_rules_and_while_role_rules_or(base_env):
    company = base_env["loom.company"]
    company.create([{"name": "Visible", "code": "VIS"}, {"name": "Secret", "code": "SECRET"},
                    {"name": "Archive", "code": "ARCH"}])
    role = base_env["loom.role"].create({"code": "test.viewer", "name": "Viewer"})
    base_env["loom.access"].create({"role_id": role.id, "model": "loom.company", "perm_read": True})
    base_env["loom.rule"].create([
        {"name": "no secrets", "model": "loom.company", "domain": [["code", "!=", "SECRET"]]},
        {"name": "viewer: visible", "model": "loom.company", "role_id": role.id, "domain": [["code", "=", "VIS"]]},
        {"name": "viewer: archive", "model": "loom.company", "role_id": role.id,
         "domain": [["code", "=", "ARCH"]]},
    ])
    viewer = as_user(base_env, "viewer", roles=["test.viewer"])
    codes = sorted(c.code for c in viewer["loom.company"].search())
    assert codes == ["ARCH", "VIS"]
    secret = company.search([["code", "=", "SECRET"]])[0]
    with pytest.raises(MissingError):
        viewer["loom.company"].get(secret.id)


@pytest.fixture
def two_companies(base_env):
    """Shanghai (the user's) and Beijing, each with a numbering sequence."""
    companies = base_env["loom.company"].create([{"name": "Shanghai", "code": "SH"}, {"name": "Beijing", "code": "BJ"}])
    for company in companies:
        base_env["loom.sequence"].create({"company_id": company.id, "code": "test.doc", "name": "Docs",
                                          "kind": "standard", "pattern": "D{seq:03}"})
    shanghai_user = as_user(base_env, "sh_admin", roles=["kernel.administrator"], company_ids=[companies[0].id])
    return shanghai_user, companies


def test_company_records_are_isolated(two_companies):
    env, (shanghai, beijing) = two_companies
    seqs = env["loom.sequence"].search([["code", "=", "test.doc"]])
    assert [s.company_id for s in seqs] == [shanghai.id]


def test_nothing_a_client_sends_widens_access(two_companies):
    env, (shanghai, beijing) = two_companies
    sequences = env["loom.sequence"]
    assert sequences.search([["company_id", "=", beijing.id]]) == []
    assert sequences.search(["or", ["company_id", "=", beijing.id], ["company_id", "is_null", True]]) == []
    with pytest.raises(AccessError):
        env.with_company(beijing.id)
    with pytest.raises(ValidationError) as caught:
        sequences.create({"company_id": beijing.id, "code": "x", "name": "x", "kind": "legal", "pattern": "{seq}"})
    assert caught.value.field == "company_id"
    mine = sequences.search([["code", "=", "test.doc"]])
    with pytest.raises(ValidationError):
        sequences.write(mine, {"company_id": beijing.id})
    assert env.session.get(type(mine[0]), mine[0].id).company_id == shanghai.id


def test_new_records_belong_to_the_active_company(two_companies):
    env, (shanghai, _beijing) = two_companies
    created = env["loom.sequence"].create({"code": "t2", "name": "T2", "kind": "legal", "pattern": "{seq}"})
    assert created.company_id == shanghai.id


def test_a_stale_edit_is_refused_with_the_current_values(base_env):
    company = base_env["loom.company"].create({"name": "Acme", "code": "ACME"})
    seen_version = company.version
    base_env["loom.company"].write([company], {"name": "Acme Ltd"}, expected_version=seen_version)
    with pytest.raises(StaleRecordError) as caught:
        base_env["loom.company"].write([company], {"name": "Acme Inc"}, expected_version=seen_version)
    assert caught.value.http_status == 409
    assert caught.value.params["current"]["name"] == "Acme Ltd"
    assert company.version == seen_version + 1


def test_deleting_a_referenced_record_names_what_refers_to_it(base_env):
    company = base_env["loom.company"].create({"name": "Used", "code": "USED"})
    create_user(base_env, "worker", "Worker", "correct horse", company_ids=[company.id])
    with pytest.raises(UserError) as caught:
        base_env["loom.company"].delete([company])
    assert caught.value.params["referrer"] == "loom.user"


@pytest.mark.parametrize("values, field", [
    ({"name": "x" * 201, "code": "LONG"}, "name"),
    ({"name": 12, "code": "NUM"}, "name"),
    ({"name": "Nul\x00", "code": "NUL"}, "name"),
    ({"code": "NONAME"}, "name"),
    ({"name": "Unknown", "code": "UNK", "colour": "red"}, "colour"),
    ({"name": "Versioned", "code": "VER", "version": 7}, "version"),
])
def test_bad_values_are_refused_naming_the_field_and_nothing_is_written(base_env, values, field):
    before = base_env["loom.company"].count()
    with pytest.raises(ValidationError) as caught:
        base_env["loom.company"].create(values)
    assert caught.value.field == field
    base_env.session.rollback()
    assert base_env["loom.company"].count() == before


class TestFieldsRestrictedToRoles:
    """A7: a ticket's internal note is for support staff only."""

    @pytest.fixture
    def ticket(self, test_modules_env):
        partner = test_modules_env["base.partner"].create({"name": "Noted Customer"})
        return test_modules_env["beta.ticket"].create({"subject": "Broken chair", "partner_id": partner.id,
                                                       "internal_note": "customer is litigious"})

    def test_the_timeline_shows_note_changes_to_support_staff_only(self, test_modules_env, ticket):
        from loom.kernel.timeline import timeline

        support = as_user(test_modules_env, "sue", roles=["loomtest_beta.support"])
        support["beta.ticket"].write([ticket], {"subject": "Broken chair leg", "internal_note": "fraud risk"})
        agent = as_user(test_modules_env, "al", roles=["loomtest_beta.agent"])

        def changes(env):
            return [e["changes"] for e in timeline(env, "beta.ticket", ticket.id) if e["kind"] == "change"]

        assert set(changes(support)[0]) == {"subject", "internal_note"}
        assert changes(agent) == [{"subject": ["Broken chair", "Broken chair leg"]}]

    def test_support_staff_read_filter_and_write_the_note(self, test_modules_env, ticket):
        support = as_user(test_modules_env, "sue", roles=["loomtest_beta.support"])
        tickets = support["beta.ticket"]
        assert tickets.read([ticket])[0]["internal_note"] == "customer is litigious"
        assert tickets.search([["internal_note", "ilike", "LITIGIOUS"]]) == [ticket]
        tickets.write([ticket], {"internal_note": "settled"})

    @pytest.mark.parametrize("attempt", ["filter", "sort", "write", "create", "read"])
    def test_agents_never_see_or_touch_it(self, test_modules_env, ticket, attempt):
        agent = as_user(test_modules_env, "al", roles=["loomtest_beta.agent"])
        tickets = agent["beta.ticket"]
        assert "internal_note" not in tickets.read([ticket])[0]
        with pytest.raises(FieldForbiddenError) as caught:
            if attempt == "filter":
                tickets.search([["internal_note", "like", "x"]])
            elif attempt == "sort":
                tickets.search(order="internal_note desc")
            elif attempt == "write":
                tickets.write([ticket], {"internal_note": "x"})
            elif attempt == "create":
                tickets.create({"subject": "s", "partner_id": ticket.partner_id, "internal_note": "x"})
            else:
                tickets.read([ticket], ["subject", "internal_note"])
        assert caught.value.field == "internal_note"


def test_a_value_taken_under_a_unique_rule_is_refused_naming_the_field(base_env):
    base_env["loom.company"].create({"name": "First", "code": "TWIN"})
    with pytest.raises(ValidationError) as caught:
        base_env["loom.company"].create({"name": "Second", "code": "TWIN"})
    assert caught.value.message_id == "kernel.value_not_unique"
    assert caught.value.field == "code"


def _company(item, name: str) -> int:
    from loom.kernel.db import run_unit_of_work

    return run_unit_of_work(item.engine, lambda s: Environment(item.registry, s, su=True)[
        "loom.company"].create({"name": name, "code": name.upper()[:20]}).id)


def test_two_people_saving_the_same_form_the_second_is_told_to_reload(installed):
    """C6 in small: both open the form at version 1; the first save wins, the second gets 409."""
    from loom.kernel.db import run_unit_of_work

    item = installed("base")
    company_id = _company(item, "Form Ltd")

    def save(name: str, seen_version: int):
        def unit(session):
            companies = Environment(item.registry, session, su=True)["loom.company"]
            companies.write([companies.get(company_id)], {"name": name}, expected_version=seen_version)
        return run_unit_of_work(item.engine, unit)

    seen = run_unit_of_work(item.engine, lambda s: Environment(item.registry, s, su=True)[
        "loom.company"].get(company_id).version)
    save("Form Ltd (Alice)", seen)
    with pytest.raises(StaleRecordError) as caught:
        save("Form Ltd (Bob)", seen)
    assert caught.value.http_status == 409 and caught.value.params["current"]["name"] == "Form Ltd (Alice)"


def test_two_writers_racing_on_one_record_the_loser_is_told_to_reload(installed, backend):
    """Under PostgreSQL's read committed, the loser's UPDATE finds a newer version: 409, no overwrite."""
    if backend == "sqlite":
        pytest.skip("SQLite serializes writers: the second one reads only after the first committed")
    from sqlalchemy.orm import Session

    item = installed("base")
    company_id = _company(item, "Race Ltd")
    first, second = Session(item.engine), Session(item.engine)
    try:
        alice = Environment(item.registry, first, su=True)["loom.company"]
        bob = Environment(item.registry, second, su=True)["loom.company"]
        alice_copy, bob_copy = alice.get(company_id), bob.get(company_id)
        alice.write([alice_copy], {"name": "Race Ltd (Alice)"})
        first.commit()
        with pytest.raises(StaleRecordError) as caught:
            bob.write([bob_copy], {"name": "Race Ltd (Bob)"})
        assert caught.value.message_id == "kernel.stale_record_concurrent"
        second.rollback()
        assert bob.get(company_id).name == "Race Ltd (Alice)"
    finally:
        first.close()
        second.close()


def test_a_record_rule_that_cannot_work_is_refused_when_saved_not_by_every_later_query(base_env):
    with pytest.raises(ValidationError) as bad_operator:
        base_env["loom.rule"].create({"name": "Not Shanghai", "model": "base.partner",
                                      "domain": [["city", "not ilike", "Shanghai"]]})
    assert bad_operator.value.field == "domain" and "not ilike" in str(bad_operator.value)
    with pytest.raises(ValidationError) as unknown_model:
        base_env["loom.rule"].create({"name": "Ghost", "model": "base.ghost", "domain": []})
    assert unknown_model.value.field == "model"
    placeholders = base_env["loom.rule"].create({"name": "Our companies' partners", "model": "base.partner",
                                                 "domain": [["company_id", "in", "$companies"]]})
    assert placeholders.id  # placeholders are checked with stand-ins for a user and a company
