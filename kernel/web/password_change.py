"""A user changing their own password in the web shell: the current password is checked like a
login (argon2 outside any transaction, throttled and counted per login name, W2), the new one by the
kernel's rules; success ends every session of the user (W3) and is audited with the request id and
address (W6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from loom.kernel.audit import audit_event, audit_refusal
from loom.kernel.errors import ValidationError
from loom.kernel.passwords import check_password, verify_password
from loom.kernel.users import set_password
from loom.kernel.web.sessions import next_generation, session_stamp
from loom.kernel.web.state import LoomState
from loom.kernel.web.throttle import clear_failures, count_failure, login_row, wait_seconds


@dataclass(frozen=True)
class PasswordForm:
    """What the user typed: the current password and the new one twice."""

    current: str
    new: str
    again: str


@dataclass(frozen=True)
class ChangeOutcome:
    """What a change gave: on success the new session's generation and stamp; otherwise the
    errors by form field (message id and parameters) and, when throttled, the seconds to wait."""

    changed: bool = False
    generation: int = 0
    stamp: str = ""
    errors: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    wait: int = 0


def new_password_errors(form: PasswordForm) -> dict[str, tuple[str, dict[str, Any]]]:
    """The new password's problems by field: the kernel's rules, then the two copies must match."""
    try:
        check_password(form.new)
    except ValidationError as error:
        return {"new_password": (error.message_id, error.params)}
    if form.new != form.again:
        return {"new_password_again": ("kernel.web_password_mismatch", {})}
    return {}


def change_password(state: LoomState, uid: int, form: PasswordForm, where: dict[str, Any]) -> ChangeOutcome:
    """Change user ``uid``'s own password; ``where`` (request id and IP) goes into the audit record."""
    logins, users = state.registry["loom.web_login"], state.registry["loom.user"]

    def look_up(env: Any) -> tuple[str, int, str | None]:
        login = env.user.login
        stored = env.session.scalar(select(users.password_hash).where(users.id == uid))
        return login, wait_seconds(login_row(env.session, logins, login)), stored

    login, wait, stored = state.run(uid, look_up, write=False)
    if wait:
        audit_refusal(state.engine, "password.change.throttled", actor_id=uid, model="loom.user", record_id=uid,
                      details={"retry_after": wait, **where})
        return ChangeOutcome(errors={"current_password": ("kernel.web_password_throttled", {})}, wait=wait)
    errors = new_password_errors(form)
    if not verify_password(stored, form.current):
        state.run(None, lambda env: count_failure(env.session, logins, login))
        audit_refusal(state.engine, "password.change.failed", actor_id=uid, model="loom.user", record_id=uid,
                      details=where)
        errors = {"current_password": ("kernel.web_password_current_wrong", {}), **errors}
    if errors:
        return ChangeOutcome(errors=errors)

    def store(env: Any) -> ChangeOutcome:
        user = env.user
        set_password(env.sudo(), user, form.new)  # the user's own record only
        clear_failures(env.session, logins, login)
        next_generation(env.session, logins, login)  # every session of the user ends
        audit_event(env, "password.change", model="loom.user", record_id=uid, details=where)
        env.session.expire(user, ["password_changed_at"])  # the stamp as the next request reads it
        generation = env.session.scalar(select(logins.generation).where(logins.login == login))
        return ChangeOutcome(True, generation, session_stamp(user, env.grants.role_ids))

    return state.run(uid, store)
