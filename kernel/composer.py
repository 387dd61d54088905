"""Compose one mapped class per model from the unmapped classes modules declare.

For an installed set, every model name has a *declaring* class (from the module that introduced
it) and zero or more *extensions* (classes with the same ``__model__`` from modules that depend
on it). The composer builds, on the registry's own ``DeclarativeBase`` and ``MetaData``::

    module order (topological):   base            crm              sales_crm
                                    |               |                 |
    declared classes:            Partner(Model)  PartnerCrm(Model)  PartnerSalesCrm(Model)
                                    \\               |                 /
                                     \\              |                /
    final class (this registry):   type("Partner",
                                        (PartnerSalesCrm, PartnerCrm, Partner, RegistryBase),
                                        {__tablename__, __table_args__ (merged from every class),
                                         version column + version_id_col,
                                         active / company_id (from class flags),
                                         columns + relationships generated from field markers})

    MRO: PartnerSalesCrm -> PartnerCrm -> Partner -> Model -> RegistryBase
         so super() in an extension walks down to the declaring module.

Markers become real columns and ``relationship(lambda: <final target class>)`` in the final
namespace (never string class names: two registries may hold classes of one name). Table args
are merged from each class's own ``__dict__`` (SQLAlchemy alone would keep only the first).
Ownership (which module owns each table, column, index) is recorded in ``info["module"]`` of the
per-registry schema objects so migrations can be generated per module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, Table, text
from sqlalchemy.orm import MappedColumn, mapped_column, relationship

from loom.kernel.errors import ConfigurationError
from loom.kernel.fields import Many2Many, Many2One, One2Many, boolean
from loom.kernel.model import COMPANY_MODES, Check, Model
from loom.kernel.model import Index as IndexSpec

MAX_NAME = 60  # PostgreSQL truncates identifiers at 63 bytes


def table_name(model: str) -> str:
    """The table of a dotted model name: ``sales.order.line`` -> ``sales_order_line``."""
    return model.replace(".", "_")


def short_name(name: str) -> str:
    """``name`` cut to a portable identifier length, keeping it unique with a hash suffix."""
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[:MAX_NAME - 9]}_{digest}"


@dataclass
class ModelParts:
    """The declaring class and the extensions of one model, each with its module, in order."""

    name: str
    parts: list[tuple[str, type]] = field(default_factory=list)

    @property
    def owner(self) -> str:
        """The module that declared the model."""
        return self.parts[0][0]


@dataclass
class Composition:
    """What composing one model produced besides the class: who owns which schema object."""

    cls: type
    owner: str
    columns: dict[str, str] = field(default_factory=dict)
    relationships: dict[str, tuple[str, Any]] = field(default_factory=dict)


class ModelComposer:
    """Builds final classes for every model of one registry (see the module docstring)."""

    def __init__(self, base: type, lookup: Callable[[str], type]) -> None:
        self.base = base
        self.metadata = base.metadata
        self.lookup = lookup
        self._back_populates: dict[tuple[str, str], str] = {}

    def compose_all(self, models: list[ModelParts]) -> dict[str, Composition]:
        """Compose every model; relationships resolve lazily once all classes exist."""
        self._pair_inverses(models)
        return {parts.name: self._compose(parts) for parts in models}

    def _pair_inverses(self, models: list[ModelParts]) -> None:
        """Link each one-to-many with its many-to-one so SQLAlchemy sees one relationship pair."""
        for parts in models:
            for _module, cls in parts.parts:
                for attr, marker in _markers(cls, One2Many):
                    inverse_rel = _relationship_name(marker.inverse)
                    self._back_populates[(marker.target, inverse_rel)] = attr
                    self._back_populates[(parts.name, attr)] = inverse_rel

    def _compose(self, parts: ModelParts) -> Composition:
        first = parts.parts[0][1]
        result = Composition(cls=object, owner=parts.owner)
        namespace: dict[str, Any] = {
            "__tablename__": table_name(parts.name),
            "__module__": first.__module__,
            "__doc__": first.__doc__,
        }
        version = mapped_column(Integer, nullable=False, server_default=text("1"), sort_order=-99)
        namespace["version"] = version
        namespace["__mapper_args__"] = {"version_id_col": version}
        result.columns.update({"id": parts.owner, "version": parts.owner})
        self._flag_columns(parts, namespace, result)
        for module, cls in parts.parts:
            self._declared_columns(module, cls, result)
            self._marker_fields(parts.name, module, cls, namespace, result)
        namespace["__table_args__"] = self._table_args(parts)
        bases = tuple(cls for _m, cls in reversed(parts.parts)) + (self.base,)
        result.cls = type(first.__name__, bases, namespace)
        self._tag_ownership(result, parts)
        return result

    def _flag_columns(self, parts: ModelParts, namespace: dict, result: Composition) -> None:
        for module, cls in parts.parts:
            if cls.__dict__.get("__active__"):
                namespace["active"] = boolean(True, index=True)
                result.columns["active"] = module
            mode = cls.__dict__.get("__company__")
            if mode not in COMPANY_MODES:
                raise ConfigurationError("kernel.model_bad_company_mode", model=parts.name, value=mode)
            if mode:
                marker = Many2One("loom.company", nullable=(mode == "optional"), ondelete="RESTRICT")
                self._many2one(parts.name, module, "company_id", marker, namespace, result)

    def _declared_columns(self, module: str, cls: type, result: Composition) -> None:
        """Columns ``cls`` declares, its own or from plain mixins it inherits, belong to ``module``."""
        for declaring in cls.__mro__[:cls.__mro__.index(Model)]:
            for attr, value in declaring.__dict__.items():
                if isinstance(value, MappedColumn) and attr not in result.columns:
                    result.columns[attr] = module
            for attr in declaring.__dict__.get("__annotations__", {}):
                if attr not in result.columns and not attr.startswith("__"):
                    result.columns[attr] = module

    def _marker_fields(self, model: str, module: str, cls: type, namespace: dict,
                       result: Composition) -> None:
        for attr, marker in _markers(cls, Many2One):
            self._many2one(model, module, attr, marker, namespace, result)
        for attr, marker in _markers(cls, One2Many):
            namespace[attr] = relationship(
                lambda t=marker.target: self.lookup(t),
                foreign_keys=lambda t=marker.target, i=marker.inverse: [self.lookup(t).__table__.c[i]],
                order_by=lambda t=marker.target, o=marker.order_by: [self.lookup(t).__table__.c[o]],
                back_populates=self._back_populates.get((model, attr)),
                cascade="all, delete-orphan", passive_deletes=True)
            result.relationships[attr] = (module, marker)
        for attr, marker in _markers(cls, Many2Many):
            link = self._link_table(model, module, attr, marker)
            joins: dict[str, Any] = {}
            if marker.target == model:  # self-referential: say which link column is which side
                joins["primaryjoin"] = lambda m=model, t=link: self.lookup(m).__table__.c.id == t.c.left_id
                joins["secondaryjoin"] = lambda m=model, t=link: self.lookup(m).__table__.c.id == t.c.right_id
            namespace[attr] = relationship(lambda t=marker.target: self.lookup(t), secondary=link, **joins)
            result.relationships[attr] = (module, marker)

    def _many2one(self, model: str, module: str, attr: str, marker: Many2One, namespace: dict,
                  result: Composition) -> None:
        if not attr.endswith("_id"):
            raise ConfigurationError("kernel.model_many2one_name", model=model, field=attr)
        column = mapped_column(Integer, ForeignKey(f"{table_name(marker.target)}.id", ondelete=marker.ondelete),
                               nullable=marker.nullable, index=marker.index,
                               info={"label": marker.label} if marker.label else {})
        namespace[attr] = column
        rel = _relationship_name(attr)
        options: dict[str, Any] = {"foreign_keys": [column.column],
                                   "back_populates": self._back_populates.get((model, rel))}
        if marker.target == model:
            options["remote_side"] = lambda: [self.lookup(model).__table__.c.id]
        namespace[rel] = relationship(lambda t=marker.target: self.lookup(t), **options)
        result.columns[attr] = module
        result.relationships[rel] = (module, marker)

    def _link_table(self, model: str, module: str, attr: str, marker: Many2Many) -> Table:
        left, right = table_name(model), table_name(marker.target)
        name = short_name(marker.table or f"{left}_{attr}_rel")
        left_col, right_col = (f"{left}_id", f"{right}_id") if left != right else ("left_id", "right_id")
        return Table(name, self.metadata,
                     Column(left_col, ForeignKey(f"{left}.id", ondelete="CASCADE"), primary_key=True),
                     Column(right_col, ForeignKey(f"{right}.id", ondelete="CASCADE"), primary_key=True,
                            index=True),
                     info={"module": module, "link_of": (model, attr)})

    def _table_args(self, parts: ModelParts) -> tuple:
        table = table_name(parts.name)
        args: list[Any] = []
        for module, cls in parts.parts:
            for spec in cls.__dict__.get("__indexes__", ()):
                args.append(_index(table, module, spec))
            for check in cls.__dict__.get("__checks__", ()):
                args.append(_check(module, check))
        return tuple(args)

    def _tag_ownership(self, result: Composition, parts: ModelParts) -> None:
        table = result.cls.__table__
        table.info["module"] = parts.owner
        table.info["model"] = parts.name
        for name, module in result.columns.items():
            if name in table.c:
                table.c[name].info["module"] = module


def _markers(cls: type, kind: type) -> list[tuple[str, Any]]:
    return [(attr, value) for attr, value in cls.__dict__.items() if isinstance(value, kind)]


def _relationship_name(column: str) -> str:
    return column[:-3] if column.endswith("_id") else column


def _index(table: str, module: str, spec: IndexSpec) -> Index:
    prefix = "uq" if spec.unique else "ix"
    name = short_name(spec.name or f"{prefix}_{table}_{'_'.join(spec.columns)}")
    where = {"sqlite_where": text(spec.where), "postgresql_where": text(spec.where)} if spec.where else {}
    return Index(name, *spec.columns, unique=spec.unique, info={"module": module}, **where)


def _check(module: str, check: Check) -> CheckConstraint:
    if not isinstance(check, Check):
        raise ConfigurationError("kernel.model_bad_check", check=repr(check))
    return CheckConstraint(text(check.sql), name=check.name, info={"module": module})
