"""Who is logged in: Flask's signed cookie session, checked against the database on every request.

The cookie carries the user id, the session generation it was issued under, a stamp of the user's
password date and roles, when it was issued and when it was last used. A request is anonymous again
when the generation was raised (logout ends every session of the user), the stamp changed (a password
or role change), or the session idled 30 minutes or lived 12 hours (W3)."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask, session
from sqlalchemy import update
from sqlalchemy.orm import Session

from loom.kernel.errors import MissingError
from loom.kernel.web.menus import MenuItem, app_menu, visible_menu
from loom.kernel.web.state import loom_state
from loom.kernel.web.throttle import ensure_row, login_row

#: Seconds a session may stay unused (30 minutes).
IDLE_SECONDS = 30 * 60
#: Seconds a session may live at all (12 hours).
ABSOLUTE_SECONDS = 12 * 3600
#: How stale the cookie's last-use time may get before it is renewed (fewer Set-Cookie headers).
TOUCH_SECONDS = 60


@dataclass(frozen=True)
class Account:
    """The logged-in user as the shell shows them: name, language, roles, menu and time zone."""

    uid: int
    login: str
    name: str
    lang: str
    roles: frozenset[str]
    menu: tuple[MenuItem, ...]
    tz: str = "Asia/Shanghai"


def session_stamp(user: Any, role_ids: frozenset[int]) -> str:
    """A digest of what ends a session when it changes: the password date and the user's roles."""
    changed = user.password_changed_at.isoformat() if user.password_changed_at else ""
    return hashlib.sha256(f"{changed}|{sorted(role_ids)}".encode()).hexdigest()[:32]


def start_session(uid: int, generation: int, stamp: str) -> None:
    """Replace whatever the cookie held by a new session for ``uid`` (a fresh id and CSRF token)."""
    now = int(time.time())
    session.clear()
    session.update(uid=uid, gen=generation, stamp=stamp, sid=secrets.token_hex(16),
                   csrf=secrets.token_urlsafe(32), born=now, seen=now)


def next_generation(db: Session, model: type, login: str) -> None:
    """Raise ``login``'s session generation: every session issued before it ends."""
    ensure_row(db, model, login)
    db.execute(update(model).where(model.login == login).values(generation=model.generation + 1))


def load_account(app: Flask) -> Account | None:
    """The user of the current request's session, or None (and the session cleared) when there is
    none or it ended."""
    uid = session.get("uid")
    if uid is None:
        return None
    now = int(time.time())
    if now - session.get("born", 0) > ABSOLUTE_SECONDS or now - session.get("seen", 0) > IDLE_SECONDS:
        session.clear()
        return None
    menu = app_menu(app)
    account = loom_state(app).run(uid, lambda env: _still_valid(env, menu), write=False)
    if account is None:
        session.clear()
        return None
    if now - session["seen"] > TOUCH_SECONDS:
        session["seen"] = now
    return account


def _still_valid(env: Any, menu: tuple[MenuItem, ...]) -> Account | None:
    try:
        user = env.user
    except MissingError:
        return None
    row = login_row(env.session, env.registry["loom.web_login"], user.login)
    if (row.generation if row else 0) != session.get("gen") or \
            session_stamp(user, env.grants.role_ids) != session.get("stamp"):
        return None
    return Account(user.id, user.login, user.name, user.lang, env.grants.role_codes, visible_menu(env, menu),
                   user.tz)
