"""The API's test bench: an application over a committed database and a token per person."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event

from loom_test_support import Installed

#: Logins of the bench and their roles: an administrator, an alpha clerk (company A only), a user without roles.
PEOPLE = {"ada": ("kernel.administrator",), "clerk": ("loomtest_alpha.clerk",), "nobody": ()}
PASSWORD = "a-long-test-password"


@dataclass
class Bench:
    """An application over a committed database, and a token per login."""

    shop: Installed
    app: Any
    tokens: dict[str, str]

    def request(self, method: str, path: str, who: str | None = "ada", **kw: Any) -> Any:
        """Send ``method path`` as ``who`` (None: without a token); ``json=``/``data=``/``headers=`` as Flask's."""
        headers = dict(kw.pop("headers", {}))
        if who is not None:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.app.test_client().open(path, method=method, headers=headers, **kw)

    def get(self, path: str, who: str | None = "ada", **kw: Any) -> Any:
        """GET as ``who``."""
        return self.request("GET", path, who, **kw)

    def post(self, path: str, who: str | None = "ada", **kw: Any) -> Any:
        """POST as ``who``."""
        return self.request("POST", path, who, **kw)

    def patch(self, path: str, who: str | None = "ada", **kw: Any) -> Any:
        """PATCH as ``who``."""
        return self.request("PATCH", path, who, **kw)

    def unit(self, work: Any) -> Any:
        """Run ``work(env)`` as the superuser in a committed unit of work."""
        from loom.kernel.db import run_unit_of_work
        from loom.kernel.environment import Environment

        return run_unit_of_work(self.shop.engine, lambda s: work(Environment(self.shop.registry, s, su=True)))



def error(response: Any) -> dict:
    """The ``error`` object of a refusal (asserting the contract's shape)."""
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "field", "details"}, body
    return body["error"]


@contextmanager
def statements(engine) -> Iterator[list[str]]:
    """Collect the SQL text of every statement ``engine`` runs inside the block."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)
