"""The environment: who acts, in which company, on which registry and database session.

Every channel (CLI, web shell, JSON API, reports, exports) reaches models only through an
environment, so permissions, record rules, company isolation and field restrictions are
enforced in one place::

    env = Environment(registry, session, uid=user.id)
    partners = env["base.partner"].search([["name", "ilike", "chair"]])

``env.sudo()`` is the explicit kernel call that bypasses access checks (installation, data
loading, kernel services); it shares the session and so the transaction.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loom.kernel import access
from loom.kernel.errors import AccessError, MissingError
from loom.kernel.records import Records
from loom.kernel.registry import Registry


class Environment:
    """One user acting in one company within one session (one unit of work)."""

    def __init__(self, registry: Registry, session: Session, uid: int | None = None, *,
                 su: bool = False, company_id: int | None = None, lang: str | None = None,
                 acknowledged: frozenset[str] = frozenset()) -> None:
        if uid is None and not su:
            raise AccessError("kernel.access_no_user")
        self.registry = registry
        self.session = session
        self.uid = uid
        self.su = su
        self._company_override = company_id
        self._lang = lang
        #: Ids of the business warnings the caller acknowledged (see :mod:`loom.kernel.acknowledge`).
        self.acknowledged = frozenset(acknowledged)
        self._rules: dict[tuple[str, str], list] = {}

    def __getitem__(self, model: str) -> Records:
        """The handle through which this user reads and writes ``model``."""
        return Records(self, model)

    def __contains__(self, model: str) -> bool:
        return model in self.registry

    def sudo(self) -> Environment:
        """The same session and user with access checks off (kernel services only)."""
        return Environment(self.registry, self.session, self.uid, su=True, company_id=self._company_override,
                           lang=self._lang, acknowledged=self.acknowledged)

    def with_company(self, company_id: int) -> Environment:
        """The same user acting in another of their allowed companies."""
        if not self.su and company_id not in self.company_ids:
            raise AccessError("kernel.company_not_allowed", company=company_id, user=self.login)
        return Environment(self.registry, self.session, self.uid, su=self.su, company_id=company_id,
                           lang=self._lang, acknowledged=self.acknowledged)

    @property
    def hooks(self) -> Any:
        """Call hooks as ``env.hooks.on_order_confirmed(env=env, orders=orders)``."""
        return self.registry.hooks

    @cached_property
    def user(self) -> Any:
        """The acting user's record (None for a superuser environment without a user)."""
        if self.uid is None:
            return None
        user = self.session.get(self.registry["loom.user"], self.uid)
        if user is None or not user.active:
            raise MissingError("kernel.user_missing", user=self.uid)
        return user

    @property
    def login(self) -> str:
        """The acting user's login, for messages."""
        return self.user.login if self.user is not None else "superuser"

    @property
    def lang(self) -> str:
        """The language messages are rendered in."""
        return self._lang or (self.user.lang if self.user is not None else "en")

    @cached_property
    def company_ids(self) -> frozenset[int]:
        """Companies the user may work in (every company for a superuser without a user)."""
        company = self.registry["loom.company"]
        if self.user is None:
            return frozenset(self.session.scalars(select(company.id)))
        return frozenset(c.id for c in self.user.company_ids) | {self.user.company_id}

    @cached_property
    def company_id(self) -> int | None:
        """The active company: new records belong to it."""
        if self._company_override is not None:
            return self._company_override
        if self.user is not None:
            return self.user.company_id
        return min(self.company_ids, default=None)

    @cached_property
    def grants(self) -> access.Grants:
        """The user's roles and model permissions (loaded once per environment)."""
        return access.load_grants(self)

    def rules_for(self, model: str, perm: str) -> list:
        """Record rules of ``model`` that apply to ``perm`` (cached per environment)."""
        key = (model, perm)
        if key not in self._rules:
            rule = self.registry["loom.rule"]
            flag = getattr(rule, f"perm_{perm}" if perm != "export" else "perm_read")
            self._rules[key] = list(self.session.scalars(
                select(rule).where(rule.model == model, flag.is_(True)).order_by(rule.id)))
        return self._rules[key]

    def flush(self) -> None:
        """Send pending changes to the database (inside the current transaction)."""
        self.session.flush()
