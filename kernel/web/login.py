"""Checking a login attempt: throttled per login name (W2), verified with argon2 outside any
transaction, audited with the request id and address (W6). An unknown user and a wrong password
take the same path: a password is verified against a stand-in hash and the failure is counted."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import select

from loom.kernel.audit import audit_event, audit_refusal
from loom.kernel.passwords import hasher, verify_password
from loom.kernel.web.sessions import next_generation, session_stamp
from loom.kernel.web.state import LoomState
from loom.kernel.web.throttle import clear_failures, count_failure, login_row, wait_seconds


@dataclass(frozen=True)
class LoginOutcome:
    """What an attempt gave: the user id, session generation and stamp on success; otherwise the
    seconds to wait (``wait`` > 0 when throttled) or nothing (a wrong login or password)."""

    uid: int | None = None
    generation: int = 0
    stamp: str = ""
    wait: int = 0


@cache
def _stand_in_hash(profile: str) -> str:
    """A hash of a random password, verified when the login is unknown so both paths cost the same."""
    return hasher(profile).hash(secrets.token_hex(16))


def attempt_login(state: LoomState, login: str, password: str, where: dict[str, Any]) -> LoginOutcome:
    """Check ``login`` and ``password``; ``where`` (request id and IP) goes into the audit record."""
    registry = state.registry
    users, logins = registry["loom.user"], registry["loom.web_login"]

    def look_up(env: Any) -> tuple[int, int | None, str | None]:
        wait = wait_seconds(login_row(env.session, logins, login))
        found = env.session.execute(select(users.id, users.password_hash)
                                    .where(users.login == login, users.active.is_(True))).one_or_none()
        return wait, found.id if found else None, found.password_hash if found else None

    wait, uid, stored = state.run(None, look_up, write=False)
    if wait:
        audit_refusal(state.engine, "login.throttled", actor_id=uid, model="loom.user", record_id=uid,
                      details={"login": login, "retry_after": wait, **where})
        return LoginOutcome(wait=wait)
    profile = os.environ.get("LOOM_PASSWORD_PROFILE", "production")
    if not verify_password(stored or _stand_in_hash(profile), password) or uid is None:
        state.run(None, lambda env: count_failure(env.session, logins, login))
        audit_refusal(state.engine, "login.failed", actor_id=uid, model="loom.user", record_id=uid,
                      details={"login": login, **where})
        return LoginOutcome()

    def succeed(env: Any) -> LoginOutcome:
        clear_failures(env.session, logins, login)
        row = login_row(env.session, logins, login)
        audit_event(env, "login.ok", model="loom.user", record_id=uid, details=where)
        return LoginOutcome(uid, row.generation if row else 0, session_stamp(env.user, env.grants.role_ids))

    return state.run(uid, succeed)


def end_sessions(state: LoomState, uid: int, where: dict[str, Any]) -> None:
    """Log ``uid`` out everywhere: raise the session generation and audit the logout."""

    def logout(env: Any) -> None:
        next_generation(env.session, state.registry["loom.web_login"], env.user.login)
        audit_event(env, "logout", model="loom.user", record_id=uid, details=where)

    state.run(uid, logout)
