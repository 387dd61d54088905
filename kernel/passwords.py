"""Password hashing with argon2id.

Production parameters follow OWASP's password storage guidance (argon2id, at least 19 MiB,
t = 2, p = 1; we use 64 MiB, t = 3, p = 1). ``LOOM_PASSWORD_PROFILE=test`` selects cheap
parameters, for test suites only; a test checks the production profile.
"""

from __future__ import annotations

import os
from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from loom.kernel.errors import ValidationError

PROFILES = {
    "production": {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 1},
    "test": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
}
MIN_LENGTH = 8
MAX_LENGTH = 256


@cache
def hasher(profile: str | None = None) -> PasswordHasher:
    """The argon2id hasher of ``profile`` (default: ``LOOM_PASSWORD_PROFILE`` or production)."""
    name = profile or os.environ.get("LOOM_PASSWORD_PROFILE", "production")
    return PasswordHasher(type=Type.ID, hash_len=32, salt_len=16, **PROFILES[name])


def check_password(password: str) -> str:
    """``password`` if it is acceptable (its length); ``ValidationError`` naming the field otherwise."""
    if not isinstance(password, str) or not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise ValidationError("kernel.password_length", field="password", minimum=MIN_LENGTH, maximum=MAX_LENGTH)
    return password


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` after :func:`check_password`."""
    return hasher().hash(check_password(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (False for a missing or malformed hash)."""
    if not stored_hash or not isinstance(password, str):
        return False
    try:
        return hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
