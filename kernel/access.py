"""Permission checks the environment applies on every channel.

Model permissions: the union of the user's roles' ``loom.access`` rows (deny by default; a role
with ``all_access`` grants everything). Record rules: global rules AND-ed, the user's role rules
OR-ed. Companies: a model with a ``company_id`` shows only records of the user's allowed
companies (and shared records with no company when the column is optional). Lines that belong to
a parent (a required link, deleted with it) are visible only with their parent. Fields restricted to
roles (``info={"roles": (...)}``) are invisible to everyone else. A superuser environment
(``env.sudo()``, an explicit kernel call) skips all of it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from loom.kernel.domain import compile_domain
from loom.kernel.errors import AccessError, FieldForbiddenError

if TYPE_CHECKING:
    from loom.kernel.environment import Environment
    from loom.kernel.registry import Registry

PERMS = ("read", "create", "write", "delete", "export")


@dataclass(frozen=True)
class Grants:
    """What one user may do, loaded once per environment."""

    role_ids: frozenset[int]
    role_codes: frozenset[str]
    all_access: bool
    models: dict[str, frozenset[str]]


def load_grants(env: Environment) -> Grants:
    """Read the user's roles and their model permissions in two statements."""
    reg, session = env.registry, env.session
    user = reg["loom.user"]
    role, acl = reg["loom.role"], reg["loom.access"]
    link = user.role_ids.property.secondary
    roles = session.execute(
        select(role.id, role.code, role.all_access).join(link, link.c.loom_role_id == role.id)
        .where(link.c.loom_user_id == env.uid)).all()
    role_ids = frozenset(r.id for r in roles)
    rows = session.execute(select(acl).where(acl.role_id.in_(role_ids))).scalars() if role_ids else []
    models: dict[str, set[str]] = {}
    for row in rows:
        models.setdefault(row.model, set()).update(p for p in PERMS if getattr(row, f"perm_{p}"))
    return Grants(role_ids, frozenset(r.code for r in roles), any(r.all_access for r in roles),
                  {m: frozenset(p) for m, p in models.items()})


#: Kernel rows that name a record by model and id (a timeline, approvals) or hold another person's
#: request (idempotency keys, login throttles): no company or rule can limit them, so the kernel reads
#: them for a user only after checking the record they belong to, and a role with all access does not
#: open them to the generic channels (an administrator of one company would read another's notes).
RECORD_BOUND = frozenset({"loom.record_event", "loom.approval_request", "loom.approval_decision",
                          "loom.idempotency_key", "loom.web_login", "loom.attachment"})


def may(env: Environment, model: str, perm: str) -> bool:
    """Whether the user holds ``perm`` on ``model`` (record rules aside)."""
    if env.su:
        return True
    grants = env.grants
    if model in RECORD_BOUND:
        return perm in grants.models.get(model, ())
    return grants.all_access or perm in grants.models.get(model, ())


def check_model(env: Environment, model: str, perm: str) -> None:
    """Raise ``AccessError`` unless the user holds ``perm`` on ``model``."""
    if may(env, model, perm):
        return
    raise AccessError("kernel.access_denied", model=model, operation=perm, user=env.login)


def field_readable(env: Environment, model: str, field: str) -> bool:
    """Whether the user may read (and so filter, sort and group on) ``field``; ``id`` is readable
    exactly when the model is (a dotted path asks it of every model it passes through)."""
    info = env.registry.fields(model).get(field)
    if info is None or env.su:
        return info is not None
    if field == "id":
        return may(env, model, "read")
    if not info.roles:
        return True
    return bool(info.roles & env.grants.role_codes)


def check_field_access(env: Environment, model: str, field: str) -> None:
    """Raise ``FieldForbiddenError`` when ``field`` is restricted to roles the user lacks (read and write)."""
    if not field_readable(env, model, field):
        raise FieldForbiddenError("kernel.field_forbidden", field=field, model=model)


def record_filter(env: Environment, model: str, perm: str) -> ColumnElement[bool] | None:
    """The WHERE clause limiting ``model`` to what the user may ``perm``; None when unlimited."""
    if env.su:
        return None
    parts = (_company_clause(env, model), _rules_clause(env, model, perm), _parent_clause(env, model, perm))
    clauses = [c for c in parts if c is not None]
    return and_(*clauses) if clauses else None


def _parent_clause(env: Environment, model: str, perm: str) -> ColumnElement[bool] | None:
    """Lines go with their parent: a line whose parent the user may not see (another company's order,
    one a record rule hides) is hidden too, and changing lines takes write access to the parent."""
    clauses = []
    for parent, inverse in owning_parents(env.registry, model):
        limit_to = record_filter(env, parent, "read" if perm in ("read", "export") else "write")
        if limit_to is not None:
            parent_id = env.registry[parent].id
            clauses.append(getattr(env.registry[model], inverse).in_(select(parent_id).where(limit_to)))
    return and_(*clauses) if clauses else None


def follows_parent(env: Environment, model: str, parent: str, perm: str) -> bool:
    """Whether the lines of ``model`` are limited by their ``parent`` alone (no company, no rule of
    their own, no other owner): the lines of a parent the user may see are then all visible."""
    owners = owning_parents(env.registry, model)
    return (env.su or [owner for owner, _ in owners] == [parent]) and _company_clause(env, model) is None \
        and _rules_clause(env, model, perm) is None


_OWNING: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def owning_parents(registry: Registry, model: str) -> list[tuple[str, str]]:
    """(parent model, the line's link to it) for every one-to-many whose lines belong to their parent:
    the link is required and deleting the parent deletes the lines (``ondelete="CASCADE"``)."""
    if registry not in _OWNING:
        found: dict[str, list[tuple[str, str]]] = {}
        for name in registry.models:
            for field, info in registry.fields(name).items():
                if info.kind != "one2many" or info.target == name:
                    continue
                inverse = registry.inverse_of(name, field)
                column = registry[info.target].__table__.c[inverse]
                if not column.nullable and any((fk.ondelete or "").upper() == "CASCADE" for fk in column.foreign_keys):
                    found.setdefault(info.target, []).append((name, inverse))
        _OWNING[registry] = found
    return _OWNING[registry].get(model, [])


def _company_clause(env: Environment, model: str) -> ColumnElement[bool] | None:
    fields = env.registry.fields(model)
    if "company_id" not in fields:
        return None
    column = env.registry[model].company_id
    allowed = column.in_(sorted(env.company_ids)) if env.company_ids else false()
    return or_(column.is_(None), allowed) if not fields["company_id"].required else allowed


def _rules_clause(env: Environment, model: str, perm: str) -> ColumnElement[bool] | None:
    rules = env.rules_for(model, perm)
    if not rules:
        return None
    compiled = [(rule.role_id, _compile_rule(env, model, rule.domain)) for rule in rules]
    global_part = [clause for role_id, clause in compiled if role_id is None]
    role_part = [clause for role_id, clause in compiled if role_id in env.grants.role_ids]
    parts = list(global_part)
    if role_part:  # rules of roles the user lacks do not apply to them (as in Odoo's group rules)
        parts.append(or_(*role_part))
    return and_(*parts) if parts else true()


def _compile_rule(env: Environment, model: str, domain: list) -> ColumnElement[bool]:
    return compile_domain(_substitute(env, domain), model, env.registry)


def check_rule_domain(env: Environment, model: str, domain: list) -> None:
    """Compile a rule's ``domain`` for ``model`` as it will be used (placeholders stand for a user and
    a company), raising the domain language's error when it cannot work."""
    stand_ins = {"$user": env.uid or 0, "$company": env.company_id or 0, "$companies": sorted(env.company_ids) or [0]}
    compile_domain(_substitute(env, domain, stand_ins), model, env.registry)


def _substitute(env: Environment, node, values: dict | None = None):
    """Replace the placeholders rules may use: ``"$user"``, ``"$company"``, ``"$companies"``."""
    if values is None:
        values = {"$user": env.uid, "$company": env.company_id, "$companies": sorted(env.company_ids)}
    if isinstance(node, list):
        return [_substitute(env, item, values) for item in node]
    return values.get(node, node) if isinstance(node, str) else node
