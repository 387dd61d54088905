"""API tokens: 256 random bits from :mod:`secrets`, shown once, stored only as their SHA-256.

Creating and revoking a token is written to the security audit log in the same transaction
(``token.create``, ``token.revoke``). :func:`token_user` is what every API request calls: it
finds the user of a presented token by its hash (one indexed lookup, no timing leak from a
string comparison) and refuses an unknown, revoked or inactive one with the same 401. Logging in
for a token (``POST /api/v1/auth/token``) goes through the web shell's login check
(:func:`loom.kernel.web.login.attempt_login`): one throttle per login name for both channels.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from loom.kernel import access
from loom.kernel.api.errors import AuthenticationError
from loom.kernel.audit import audit_event
from loom.kernel.errors import MissingError, ValidationError

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

TOKEN = "loom.api_token"
#: A token's ``last_used_at`` is refreshed at most this often (reads stay reads).
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)
#: The length of a token's name.
NAME_SIZE = 100


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which ``token`` is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(env: Environment, user: Any, name: str = "api") -> tuple[Any, str]:
    """Make a token for ``user``: returns ``(row, token)``; the token text is never stored."""
    access.check_model(env, TOKEN, "create")
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_SIZE:
        raise ValidationError("kernel.api_token_name_invalid", field="name", limit=NAME_SIZE)
    token = secrets.token_urlsafe(32)  # 256 random bits
    row = env.registry[TOKEN](user_id=user.id, name=name.strip(), token_hash=token_hash(token),
                              created_at=dt.datetime.now(dt.UTC))
    env.session.add(row)
    env.session.flush()
    audit_event(env, "token.create", model=TOKEN, record_id=row.id,
                details={"user": user.login, "name": row.name})
    return row, token


def revoke_token(env: Environment, token_id: int) -> Any:
    """Revoke token ``token_id`` (it stays listed, unusable); revoking twice changes nothing."""
    access.check_model(env, TOKEN, "write")
    row = env.session.get(env.registry[TOKEN], token_id)
    if row is None:
        raise MissingError("kernel.api_token_missing", field="id", id=token_id)
    if row.revoked_at is None:
        row.revoked_at = dt.datetime.now(dt.UTC)
        env.session.flush()
        audit_event(env, "token.revoke", model=TOKEN, record_id=row.id,
                    details={"user": row.user.login, "name": row.name})
    return row


def list_tokens(env: Environment) -> list[Any]:
    """Every token, oldest first."""
    access.check_model(env, TOKEN, "read")
    cls = env.registry[TOKEN]
    return list(env.session.scalars(select(cls).order_by(cls.id)))


def token_user(env: Environment, token: str | None) -> int:
    """The id of the active user holding the unrevoked ``token`` (401 otherwise)."""
    if not token:
        raise AuthenticationError("kernel.api_unauthenticated")
    cls, user = env.registry[TOKEN], env.registry["loom.user"]
    found = env.session.execute(
        select(cls.id, cls.user_id, cls.last_used_at).join(user, user.id == cls.user_id)
        .where(cls.token_hash == token_hash(token), cls.revoked_at.is_(None), user.active.is_(True))).first()
    if found is None:
        raise AuthenticationError("kernel.api_unauthenticated")
    now = dt.datetime.now(dt.UTC)
    last = found.last_used_at
    if last is None or _aware(last) < now - LAST_USED_RESOLUTION:
        env.session.execute(update(cls).where(cls.id == found.id).values(last_used_at=now))
    return found.user_id


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
