"""User administration used by every channel: create users, set passwords, grant roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from loom.kernel.audit import audit_event
from loom.kernel.errors import AccessError, ValidationError
from loom.kernel.passwords import hash_password

if TYPE_CHECKING:
    from loom.kernel.environment import Environment


def create_user(env: Environment, login: str, name: str, password: str, *, roles: Iterable[str] = (),
                company_ids: Iterable[int] = (), lang: str = "en") -> Any:
    """Create a user with ``roles`` (role codes); the active company is the creator's."""
    role_ids = [role_by_code(env, code).id for code in roles]
    companies = list(company_ids) or [env.company_id]
    values = {"login": login, "name": name, "lang": lang, "company_id": companies[0],
              "company_ids": companies, "role_ids": role_ids}
    user = env["loom.user"].create(values)
    _store_hash(env, user, password)
    return user


def set_password(env: Environment, user: Any, password: str) -> None:
    """Replace ``user``'s password (the caller needs write access on users)."""
    env["loom.user"].browse([user.id], perm="write")
    check_role_changes(env, user)  # not the password of someone holding more power
    _store_hash(env, user, password)


def _store_hash(env: Environment, user: Any, password: str) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = dt.datetime.now(dt.UTC)
    env.session.flush()


def change_roles(env: Environment, user: Any, codes: Iterable[str], *, grant: bool) -> None:
    """Give (``grant``) or take the roles ``codes`` to or from ``user``; audited as ``role.grant`` or
    ``role.revoke`` with the user's role codes before and after."""
    targets = {role_by_code(env, code).id for code in codes}
    before = sorted(role.code for role in user.role_ids)
    current = {role.id for role in user.role_ids}
    env["loom.user"].write([user], {"role_ids": sorted(current | targets if grant else current - targets)})
    audit_event(env, "role.grant" if grant else "role.revoke", model="loom.user", record_id=user.id,
                before={"roles": before}, after={"roles": sorted(role.code for role in user.role_ids)})


def check_role_changes(env: Environment, user: Any) -> None:
    """Refuse a change to ``user`` by someone with less power (A8): a role given or taken must be one
    the acting user holds (a user manager cannot make anyone an administrator), and another user
    holding a role the acting user lacks (an administrator) is theirs to change only with that role
    (no taking over the administrator's account). Administrators and the superuser may change anyone."""
    if env.su or env.grants.all_access:
        return
    from sqlalchemy import inspect

    user.role_ids  # noqa: B018 - loaded, so the history below knows the roles held before
    history = inspect(user).attrs.role_ids.history
    for role in [*history.added, *history.deleted]:
        if role.id not in env.grants.role_ids:
            raise AccessError("kernel.role_grant_not_held", field="role_ids", user=env.login, role=role.code)
    if user.id is not None and user.id != env.uid:
        held_before = [*history.unchanged, *history.deleted]
        beyond = sorted(role.code for role in held_before if role.id not in env.grants.role_ids)
        if beyond:
            raise AccessError("kernel.user_beyond_reach", user=env.login, target=user.login, roles=", ".join(beyond))
    check_company_changes(env, user)


def check_company_changes(env: Environment, user: Any) -> None:
    """Refuse a change to ``user``'s companies beyond the acting user's reach: nobody changes their own
    allowed companies (like their own roles), and a company given, as allowed or as active, must be
    one the acting user may work in. Administrators and the superuser may give any company."""
    if env.su or env.grants.all_access:
        return
    from sqlalchemy import inspect

    user.company_ids  # noqa: B018 - loaded, so the history below knows the companies allowed before
    state = inspect(user).attrs
    allowed, active = state.company_ids.history, state.company_id.history
    if user.id is not None and user.id == env.uid and (allowed.added or allowed.deleted):
        raise AccessError("kernel.own_companies_unchangeable", field="company_ids", user=env.login)
    held_before = {company.id for company in [*allowed.unchanged, *allowed.deleted]}
    held_before |= {_company_id(value) for value in [*active.unchanged, *active.deleted] if value is not None}
    mine = held_before if user.id == env.uid else env.company_ids
    for field, values in (("company_ids", allowed.added), ("company_id", active.added)):
        for company in (_company_id(value) for value in values if value is not None):
            if company not in held_before and company not in mine:
                raise AccessError("kernel.company_grant_not_held", field=field, user=env.login, company=company)


def _company_id(value: Any) -> int:
    """The id of a company given as a record or as an id."""
    return value if isinstance(value, int) else value.id


def role_by_code(env: Environment, code: str) -> Any:
    """The role with ``code`` (``kernel.administrator``); a clear error naming it if unknown."""
    found = env["loom.role"].search([["code", "=", code]])
    if not found:
        raise ValidationError("kernel.role_unknown", field="role", role=code)
    return found[0]


def find_user(env: Environment, login: str) -> Any:
    """The active user with ``login``; a clear error naming it if unknown."""
    found = env["loom.user"].search([["login", "=", login]])
    if not found:
        raise ValidationError("kernel.user_unknown", field="login", login=login)
    return found[0]
