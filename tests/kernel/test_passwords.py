"""Password storage (RELIABILITY W1): argon2id with OWASP parameters in production."""

from __future__ import annotations

import pytest
from argon2 import Type, extract_parameters

from loom.kernel import passwords
from loom.kernel.errors import ValidationError


def test_production_parameters_meet_owasp():
    hasher = passwords.hasher("production")
    params = extract_parameters(hasher.hash("correct horse battery"))
    assert params.type is Type.ID
    assert params.memory_cost >= 19 * 1024
    assert params.time_cost >= 2
    assert params.parallelism == 1
    assert params.salt_len >= 16


def test_a_password_verifies_and_a_wrong_one_does_not():
    stored = passwords.hash_password("correct horse")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "correct horse")
    assert not passwords.verify_password(stored, "correct horsE")
    assert not passwords.verify_password(None, "correct horse")
    assert not passwords.verify_password("not a hash", "correct horse")


@pytest.mark.parametrize("bad", ["short", "", "x" * 257, None])
def test_unusable_passwords_are_refused(bad):
    with pytest.raises(ValidationError) as caught:
        passwords.hash_password(bad)
    assert caught.value.field == "password"
