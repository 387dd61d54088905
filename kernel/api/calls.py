"""One API call is one unit of work: the bearer token names the user, then the view's work runs
as that user; a ``POST`` with an ``Idempotency-Key`` header goes through :mod:`.idempotency`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, g, request

from loom.kernel.api.errors import MalformedRequestError
from loom.kernel.api.serialize import dumps
from loom.kernel.api.tokens import token_user
from loom.kernel.db import run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.errors import Warning  # noqa: A004 - errors.Warning is the design's name
from loom.kernel.web.deadline import request_deadline
from loom.kernel.web.state import loom_state

T = TypeVar("T")
#: What a view's work returns: the HTTP status and the JSON body.
Answer = tuple[int, Any]
KEY_HEADER = "Idempotency-Key"
KEY_SIZE = 200


def call(work: Callable[[Environment], Answer], *, write: bool = False, body: bytes = b"",
         acknowledged: frozenset[str] = frozenset()) -> Response:
    """Run ``work(env)`` as the token's user in one unit of work and answer its JSON.

    ``body`` is the raw request body a ``POST`` hashes for its idempotency key; ``acknowledged``
    are the warning ids the request accepts (a warning it meets answers 422 listing every one,
    see :mod:`.warnings`)."""
    key = idempotency_key() if write and request.method == "POST" else None

    def run(unit_work: Callable[[Environment], T], ids: frozenset[str]) -> T:
        return as_token_user(unit_work, write=write, acknowledged=ids)

    try:
        if key is None:
            status, answer = run(work, acknowledged)
        else:
            from loom.kernel.api.idempotency import once

            status, answer = run(lambda env: once(env, key, request_fingerprint(body), work), acknowledged)
    except Warning as first:
        from loom.kernel.api.warnings import every_warning

        raise every_warning(first, run, work, acknowledged) from None
    return json_response(status, answer)


def as_token_user(work: Callable[[Environment], T], *, write: bool = False,
                  acknowledged: frozenset[str] = frozenset()) -> T:
    """``work(env)`` in one unit of work as the user of the request's bearer token (401 without one),
    held to the request's deadline (503 ``timeout`` past it, see :mod:`loom.kernel.request_deadline`)."""
    state, token = loom_state(), bearer_token()

    def unit(session: Any) -> T:
        uid = token_user(Environment(state.registry, session, su=True), token)
        env = Environment(state.registry, session, uid=uid, acknowledged=acknowledged)
        g.loom_lang = env.lang
        return work(env)

    return run_unit_of_work(state.engine, unit, write=write, deadline=request_deadline())


def json_response(status: int, answer: Any) -> Response:
    """A JSON response (``answer`` may already be JSON text, a replayed response)."""
    text = answer if isinstance(answer, str) else dumps(answer)
    return Response(text, status=status, mimetype="application/json")


def bearer_token() -> str | None:
    """The token of ``Authorization: Bearer <token>`` (None when absent or another scheme)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def idempotency_key() -> str | None:
    """The request's ``Idempotency-Key`` (1 to 200 printable ASCII characters), or None."""
    key = request.headers.get(KEY_HEADER)
    if key is None:
        return None
    if not 0 < len(key) <= KEY_SIZE or not key.isascii() or not key.isprintable():
        raise MalformedRequestError("kernel.api_idempotency_key_invalid", field=KEY_HEADER, limit=KEY_SIZE)
    return key


def request_fingerprint(body: bytes) -> str:
    """SHA-256 of the method, path and body: what a replay must repeat exactly."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(body)
    return digest.hexdigest()
