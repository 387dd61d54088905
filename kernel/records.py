"""``env["model"]``: read and write one model as the environment's user.

Every method checks the model permission, applies record rules and company isolation, validates
values field by field (naming the field in every error) and works in batches: ``create`` takes a
list, ``write`` and ``delete`` take many records, reads are single statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from loom.kernel import access, integrity
from loom.kernel.assign import parents_of, recompute_parents
from loom.kernel.cascade import cascaded_ids
from loom.kernel.domain import compile_domain, compile_order
from loom.kernel.errors import (
    AccessError,
    FieldForbiddenError,
    MissingError,
    StaleRecordError,
    UnknownFieldError,
    UserError,
    ValidationError,
)
from loom.kernel.values import convert

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

MAX_LIMIT = 10_000
#: The range of an id column (a 32-bit integer): an id outside it names no record.
MIN_ID, MAX_ID = -(2**31), 2**31 - 1


class Records:
    """The access-checked handle of one model for one environment."""

    def __init__(self, env: Environment, model: str) -> None:
        self.env = env
        self.model = model
        self.cls = env.registry[model]
        self.fields = env.registry.fields(model)

    def __repr__(self) -> str:
        return f"<Records {self.model} as {self.env.login}>"

    # -- reading --------------------------------------------------------------------------------

    def readable(self, model: str, field: str) -> bool:
        """Field permission callback for the domain language."""
        return access.field_readable(self.env, model, field)

    def visible(self, model: str) -> Any:
        """Rows of ``model`` a dotted path in a filter or sort may reach (record rules, companies)."""
        return access.record_filter(self.env, model, "read")

    def select(self, domain: Sequence | None = None, *, perm: str = "read", order: str | None = None,
               active_test: bool = True) -> Select:
        """A SELECT of this model limited to what the user may ``perm``, filtered by ``domain``."""
        access.check_model(self.env, self.model, perm)
        stmt = select(self.cls)
        limit_to = access.record_filter(self.env, self.model, perm)
        if limit_to is not None:
            stmt = stmt.where(limit_to)
        if domain:
            stmt = stmt.where(compile_domain(list(domain), self.model, self.env.registry, self.readable, self.visible))
        if active_test and "active" in self.fields and not _mentions(domain or [], "active"):
            stmt = stmt.where(self.cls.active.is_(True))
        order_spec = order or self.cls.__order__
        return stmt.order_by(*compile_order(order_spec, self.model, self.env.registry, self.readable, self.visible))

    def search(self, domain: Sequence | None = None, *, order: str | None = None, limit: int | None = None,
               offset: int = 0, active_test: bool = True) -> list[Any]:
        """Records matching ``domain`` that the user may read, in ``order``."""
        stmt = self.select(domain, order=order, active_test=active_test)
        if limit is not None:
            stmt = stmt.limit(_check_limit(limit))
        if offset:
            stmt = stmt.offset(_check_offset(offset))
        return list(self.env.session.scalars(stmt))

    def count(self, domain: Sequence | None = None, *, active_test: bool = True) -> int:
        """How many records match ``domain`` among those the user may read."""
        stmt = self.select(domain, active_test=active_test).order_by(None)
        return self.env.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0

    def browse(self, ids: Iterable[int], *, perm: str = "read") -> list[Any]:
        """The records with ``ids`` (in that order); ``MissingError`` if any is absent or hidden."""
        given = list(ids)
        if any(isinstance(i, bool) or not isinstance(i, int) for i in given):
            raise ValidationError("kernel.value_not_integer", field="id", value=repr(given)[:60])
        wanted = list(dict.fromkeys(given))
        if not wanted:
            return []
        storable = [i for i in wanted if MIN_ID <= i <= MAX_ID]  # PostgreSQL refuses to compare others
        stmt = self.select([["id", "in", storable]], perm=perm, active_test=False) if storable else None
        found = {record.id: record for record in self.env.session.scalars(stmt)} if storable else {}
        missing = [i for i in wanted if i not in found]
        if missing:
            raise MissingError("kernel.record_missing", model=self.model, ids=missing)
        return [found[i] for i in wanted]

    def get(self, record_id: int, *, perm: str = "read") -> Any:
        """One record by id (``MissingError`` when absent or outside what the user may see)."""
        return self.browse([record_id], perm=perm)[0]

    def read(self, records: Sequence[Any], fields: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Plain dictionaries of the readable stored fields (and one-to-many ids) of ``records``."""
        access.check_model(self.env, self.model, "read")
        names = list(fields) if fields is not None else [
            n for n in self.fields if access.field_readable(self.env, self.model, n)]
        for name in names:
            if name not in self.fields:
                raise UnknownFieldError("kernel.field_unknown", field=name, model=self.model)
            access.check_field_access(self.env, self.model, name)
        lines = {name: self._line_ids_seen(records, name) for name in names if self.fields[name].kind == "one2many"}
        return [{name: _plain(getattr(record, name), lines.get(name)) for name in names} for record in records]

    def _line_ids_seen(self, records: Sequence[Any], field: str, perm: str = "read") -> set[int] | None:
        """Ids of the lines of one-to-many ``field`` of ``records`` the user may ``perm`` (one SELECT for
        all the records); None when every line is."""
        target = self.fields[field].target
        if access.follows_parent(self.env, target, self.model, perm):
            return None  # lines that only follow their parent: a parent the user has is theirs whole
        limit_to = access.record_filter(self.env, target, perm)
        ids = [line.id for record in records for line in getattr(record, field) if line.id is not None]
        if limit_to is None or not ids:
            return None
        cls = self.env.registry[target]
        return set(self.env.session.scalars(select(cls.id).where(cls.id.in_(ids), limit_to)))

    def visible_lines(self, record: Any, field: str, *, perm: str = "read") -> list[Any]:
        """The lines of one-to-many ``field`` of ``record`` the user may ``perm`` (a shared customer's
        contact of another company is not among them), in the relationship's order."""
        lines = list(getattr(record, field))
        seen = self._line_ids_seen([record], field, perm)
        return lines if seen is None else [line for line in lines if line.id is None or line.id in seen]

    def only_visible_lines(self, record: Any) -> Any:
        """``record`` with each one-to-many showing only the lines the user may read, as if loaded so
        (nothing is marked changed: hidden lines stay as they are in the database); returns it."""
        from sqlalchemy.orm.attributes import set_committed_value

        for name, info in self.fields.items():
            if info.kind == "one2many" and access.field_readable(self.env, self.model, name):
                set_committed_value(record, name, self.visible_lines(record, name))
        return record

    # -- writing --------------------------------------------------------------------------------

    def create(self, values: dict[str, Any] | Sequence[dict[str, Any]]) -> Any:
        """Create one record from a dict, or several from a list of dicts (one flush)."""
        batch = [values] if isinstance(values, dict) else list(values)
        self.check_not_managed("create")
        access.check_model(self.env, self.model, "create")
        with self.env.session.no_autoflush:  # lines built with their parent wait for it, not an autoflush
            records = [self._new(vals) for vals in batch]
        self.env.session.add_all(records)
        new_lines = self._new_lines(records, {name for vals in batch for name in vals})
        self._flush()
        self._check_rules(records, "create")
        self._check_line_rules(new_lines)
        self._lines_changed(records)
        return records[0] if isinstance(values, dict) else records

    def write(self, records: Sequence[Any], values: dict[str, Any], *, expected_version: int | None = None) -> None:
        """Change ``values`` on every record; a stale ``expected_version`` raises 409."""
        from loom.kernel.timeline.tracking import log_changes, snapshot
        from loom.kernel.workflow.decisions import reset_on_edit

        self.check_not_managed("write")
        access.check_model(self.env, self.model, "write")
        self.browse([r.id for r in records], perm="write")
        before = snapshot(self, list(records))
        deleted_lines: dict[str, list[int]] = {}
        try:  # no autoflush: what validation reads must not flush half-written records (nor hide the edit)
            with self.env.session.no_autoflush:
                for record in records:
                    if expected_version is not None and record.version != expected_version:
                        raise StaleRecordError("kernel.stale_record", model=self.model, id=record.id,
                                               version=record.version, current=self.read([record])[0])
                    for model, ids in self._assign(record, values, creating=False).items():
                        deleted_lines.setdefault(model, []).extend(ids)
                    record.validate(self.env, frozenset(values))
                new_lines = self._new_lines(records, set(values))
        except Exception:
            for record in records:  # drop half-assigned values: the session stays usable
                self.env.session.expire(record)
            raise
        edited = [record for record in records if self.env.session.is_modified(record)]
        recompute_parents(self, list(records))
        self._flush()
        self._check_rules(records, "write")
        self._check_line_rules(new_lines)
        self._announce_deleted(deleted_lines)
        log_changes(self, before)  # tracked fields -> timeline, one INSERT
        reset_on_edit(self, edited)  # an edited document waiting for approval goes back

    def delete(self, records: Sequence[Any]) -> None:
        """Delete ``records``; refused, naming what refers to them, while anything does."""
        gone = self.deletable(records)
        parents = parents_of(self, list(records))
        self._lines_changed(records)  # a waiting document losing lines goes back before they go
        for record in records:
            self.env.session.delete(record)
        self.env.session.flush()
        recompute_parents(self, [], parents, reload=True)
        self._flush()
        self._announce_deleted(gone)

    def deletable(self, records: Sequence[Any]) -> dict[str, list[int]]:
        """Refuse deleting ``records`` as :meth:`delete` does (a managed model, no permission, a record
        rule, anything referring to them); the ids by model the delete removes (``records`` and the
        lines going with them by cascade, found while they exist), to announce once they are gone."""
        self.check_not_managed("delete")
        access.check_model(self.env, self.model, "delete")
        self.browse([r.id for r in records], perm="delete")
        ids = [r.id for r in records]
        for referrer in self.env.registry.blocking_references(self.model):
            if self.env.session.scalar(select(referrer.column).where(referrer.column.in_(ids)).limit(1)):
                raise UserError("kernel.record_in_use", model=self.model, referrer=referrer.model,
                                field=referrer.column.key)
        return {self.model: ids, **cascaded_ids(self.env, self.model, ids)}

    def _announce_deleted(self, gone: dict[str, list[int]]) -> None:
        """Tell ``on_records_deleted`` of the ids by model deleted (their timeline, attachments... go)."""
        for model, ids in gone.items():
            self.env.hooks.on_records_deleted(env=self.env, model=model, ids=ids)

    def archive(self, records: Sequence[Any]) -> None:
        """Set ``active = False`` (master data with history is archived, never deleted)."""
        self.write(records, {"active": False})

    def transition(self, name: str, records: Sequence[Any]) -> list[Any]:
        """Run workflow transition ``name`` on ``records`` in one batch (see :mod:`loom.kernel.workflow`)."""
        from loom.kernel.workflow.engine import run_transition

        return run_transition(self.env, self.model, name, records)

    def onchange(self, values: dict[str, Any], changed: str) -> dict[str, Any]:
        """Recompute a draft after ``changed`` changed; nothing is saved. Returns changed values."""
        from loom.kernel.onchange import run_onchange

        return run_onchange(self, values, changed)

    # -- internals ------------------------------------------------------------------------------

    def _lines_changed(self, records: Sequence[Any]) -> None:
        """Lines created or deleted on their own: parents' stored totals follow, and a parent waiting
        for approval goes back (as when its lines are written)."""
        if not self.env.registry.computed_parents(self.model):
            return
        from loom.kernel.workflow.decisions import reset_on_edit

        recompute_parents(self, list(records), reload=True)
        self._flush()
        reset_on_edit(self, list(records))

    @property
    def managed(self) -> bool:
        """Whether this model's rows are kept by the kernel alone (``__managed__``) for this user:
        then nobody but the superuser creates, writes or deletes them."""
        return self.cls.__managed__ and not self.env.su

    def check_not_managed(self, operation: str) -> None:
        """Refuse ``operation`` on a model whose rows only the kernel's own functions write
        (``__managed__``), whatever roles the user holds; the superuser (those functions) passes."""
        if self.managed:
            raise AccessError("kernel.managed_model", model=self.model, operation=operation)

    def new_line(self, vals: dict[str, Any], inverse: str) -> Any:
        """A new line for a parent's one-to-many; the parent sets ``inverse`` when it flushes."""
        self.check_not_managed("create")
        access.check_model(self.env, self.model, "create")
        return self._new(vals, skip={inverse})

    def _new_lines(self, records: Sequence[Any], names: set[str]) -> list[tuple[Records, list[Any]]]:
        """The lines not saved yet of one-to-many ``names`` of ``records`` (and their own lines), by
        line model: created through their parent, they meet the line model's create rules after the flush."""
        found: list[tuple[Records, list[Any]]] = []
        for name in sorted(names):
            info = self.fields.get(name)
            if info is None or info.kind != "one2many":
                continue
            lines = [line for record in records for line in getattr(record, name) if line.id is None]
            if lines:
                target = self.env[info.target]
                found.append((target, lines))
                found += target._new_lines(lines, {n for n, f in target.fields.items() if f.kind == "one2many"})
        return found

    @staticmethod
    def _check_line_rules(new_lines: list[tuple[Records, list[Any]]]) -> None:
        """Refuse lines created through a parent that the line model's create rules refuse."""
        for target, lines in new_lines:
            target._check_rules(lines, "create")

    def _new(self, vals: dict[str, Any], skip: frozenset[str] | set[str] = frozenset()) -> Any:
        record = self.cls()
        if "company_id" in self.fields and "company_id" not in vals and self.fields["company_id"].required:
            vals = {**vals, "company_id": self.env.company_id}
        self._apply_defaults(record, vals)
        self._assign(record, vals, creating=True)
        missing = [n for n, f in self.fields.items()
                   if f.required and n not in skip and getattr(record, n) is None]
        if missing:
            raise ValidationError("kernel.field_required", field=missing[0], model=self.model)
        record.validate(self.env, frozenset(vals))
        return record

    def _apply_defaults(self, record: Any, vals: dict[str, Any]) -> None:
        """Set scalar column defaults now, so ``validate`` and computes see them before the flush."""
        for column in self.cls.__table__.columns:
            default = column.default
            if column.key not in vals and default is not None and default.is_scalar and column.key != "version":
                setattr(record, column.key, default.arg)

    def _assign(self, record: Any, vals: dict[str, Any], *, creating: bool) -> dict[str, list[int]]:
        if not isinstance(vals, dict):
            raise ValidationError("kernel.values_not_object", field=None, model=self.model)
        from loom.kernel.assign import assign_values

        return assign_values(self, record, vals, creating=creating)

    def _flush(self) -> None:
        """Flush, naming the field when a unique index or another constraint refuses the rows."""
        try:
            self.env.session.flush()
        except IntegrityError as exc:
            raise integrity.translate(exc, self.cls.__table__, self.model) from exc
        except StaleDataError as exc:  # another transaction saved the record since it was read
            raise StaleRecordError("kernel.stale_record_concurrent", model=self.model) from exc

    def _check_rules(self, records: Sequence[Any], perm: str) -> None:
        limit_to = access.record_filter(self.env, self.model, perm)
        if limit_to is None:
            return
        ids = [r.id for r in records]
        stmt = select(func.count()).select_from(self.cls).where(self.cls.id.in_(ids), limit_to)
        if self.env.session.scalar(stmt) != len(set(ids)):
            raise AccessError("kernel.record_rule_denied", model=self.model, operation=perm,
                              user=self.env.login)

    def field(self, name: str, *, write: bool = False) -> Any:
        """The ``FieldInfo`` of a field a client names, refusing unknown and forbidden ones."""
        info = self.fields.get(name)
        if info is None or (write and info.readonly):
            if write:
                raise UnknownFieldError("kernel.field_unknown_or_readonly", field=name, model=self.model)
            raise UnknownFieldError("kernel.field_unknown", field=name, model=self.model)
        if not access.field_readable(self.env, self.model, name):
            raise FieldForbiddenError("kernel.field_forbidden", field=name, model=self.model)
        return info


def convert_value(records: Records, name: str, value: Any) -> Any:
    """Convert one client value for field ``name`` (validation shared with imports)."""
    return convert(records.fields[name], value)


def _mentions(domain: Any, field: str) -> bool:
    if isinstance(domain, (list, tuple)):
        if len(domain) == 3 and isinstance(domain[0], str) and domain[0].split(".")[0] == field:
            return True
        return any(_mentions(node, field) for node in domain)
    return False


def _check_limit(limit: Any) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= MAX_LIMIT:
        raise ValidationError("kernel.bad_limit", field="limit", value=repr(limit)[:30], maximum=MAX_LIMIT)
    return limit


def _check_offset(offset: Any) -> int:
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValidationError("kernel.bad_offset", field="offset", value=repr(offset)[:30])
    return offset


def _plain(value: Any, seen: set[int] | None = None) -> Any:
    if isinstance(value, list):
        return [getattr(item, "id", item) for item in value if seen is None or getattr(item, "id", None) in seen]
    return getattr(value, "id", value) if hasattr(value, "__model__") else value
