"""The registry: one installed set of modules, composed into mapped classes and a plugin manager.

A :class:`Registry` is an explicit object (no import-time globals): it owns its
``DeclarativeBase`` and ``MetaData``, its composed model classes, its field metadata and its pluggy
manager. Two registries with different installed sets live side by side in one process.
:func:`registry_for` caches one registry per installed set.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from loom.kernel import manifest as manifests_mod
from loom.kernel.composer import Composition, ModelComposer, ModelParts
from loom.kernel.errors import ConfigurationError
from loom.kernel.field_info import describe_fields
from loom.kernel.fields import FieldInfo
from loom.kernel.hooks import HookRelay, build_plugin_manager, impl_module, spec_owners
from loom.kernel.manifest import Manifest
from loom.kernel.registrar import ModuleRegistrar

KERNEL = "kernel"

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@dataclass(frozen=True)
class Reference:
    """A many-to-one column (``column``) of ``model`` that points at another model."""

    model: str
    column: Any


class Registry:
    """Composed models, fields and hooks of one installed set (kernel first, topological order)."""

    def __init__(self, modules: Iterable[str], manifests: Mapping[str, Manifest]) -> None:
        self.manifests = dict(manifests)
        self.modules: list[str] = [KERNEL, *manifests_mod.resolve(self.manifests, list(modules))]
        self.base = _new_base()
        self.metadata: MetaData = self.base.metadata
        self._registrars = {name: self._load(name) for name in self.modules}
        self._closures = {name: self._closure(name) for name in self.modules}
        self.compositions: dict[str, Composition] = self._compose()
        self.models: dict[str, type] = {name: c.cls for name, c in self.compositions.items()}
        self.base.registry.configure()
        self._fields: dict[str, dict[str, FieldInfo]] = {}
        self.schema_objects = [obj for m in self.modules for obj in self._registrars[m].schema_objects]
        self.pm = self._plugin_manager()
        self.hooks = HookRelay(self.pm)
        self.pm.hook.on_registry_ready(registry=self)

    def __repr__(self) -> str:
        return f"<Registry {', '.join(self.modules)}>"

    def __getitem__(self, model: str) -> type:
        """The composed class of ``model``; a clear error when no installed module declares it."""
        try:
            return self.models[model]
        except KeyError:
            raise ConfigurationError("kernel.model_unknown", model=model) from None

    def __contains__(self, model: object) -> bool:
        return model in self.models

    def fields(self, model: str) -> dict[str, FieldInfo]:
        """Every field of ``model`` with its kind, owner and permissions (cached)."""
        if model not in self._fields:
            self._fields[model] = describe_fields(self[model], self.compositions[model])
        return self._fields[model]

    def model_class(self, model: str) -> type:
        """The composed class of ``model`` (the domain language's schema protocol)."""
        return self[model]

    def owner(self, model: str) -> str:
        """The module that declares ``model``."""
        return self.compositions[model].owner

    def closure(self, module: str) -> frozenset[str]:
        """``module`` and every module it depends on, the kernel included."""
        return self._closures[module]

    def inverse_of(self, model: str, field: str) -> str:
        """The many-to-one field on the target that a one-to-many ``field`` of ``model`` follows."""
        _module, marker = self.compositions[model].relationships[field]
        return marker.inverse

    @cached_property
    def _references(self) -> dict[str, list[Reference]]:
        refs: dict[str, list[Reference]] = {}
        for name, cls in self.models.items():
            for column in cls.__table__.columns:
                for fk in column.foreign_keys:
                    if (fk.ondelete or "NO ACTION").upper() in ("RESTRICT", "NO ACTION"):
                        target = fk.column.table.info.get("model")
                        refs.setdefault(target, []).append(Reference(name, getattr(cls, column.key)))
        return refs

    def blocking_references(self, model: str) -> list[Reference]:
        """Columns of other records whose link forbids deleting a ``model`` record."""
        return self._references.get(model, [])

    @cached_property
    def settings(self) -> dict[str, Any]:
        """Every setting declared through ``register_settings``, by key (duplicates refused)."""
        found: dict[str, Any] = {}
        for contribution in self.pm.hook.register_settings():
            for setting in contribution:
                if setting.key in found:
                    raise ConfigurationError("kernel.setting_duplicate", key=setting.key)
                found[setting.key] = setting
        return found

    def _registrars_parts(self, model: str) -> list[tuple[str, type]]:
        """(module, declared class) of every part of ``model``, declaring module first."""
        return [(m, cls) for m in self.modules for cls in self._registrars[m].model_classes
                if cls.__model__ == model]

    @cached_property
    def _computed_parents(self) -> dict[str, list[tuple[str, str, str]]]:
        found: dict[str, list[tuple[str, str, str]]] = {}
        for name in self.models:
            fields = self.fields(name)
            roots = {path.split(".")[0] for info in fields.values()
                     for path in info.extra.get("compute", {}).get("depends", ()) if "." in path}
            for root in sorted(roots):
                info = fields.get(root)
                if info is not None and info.kind == "one2many":
                    found.setdefault(info.target, []).append((name, self.inverse_of(name, root), root))
        return found

    def computed_parents(self, model: str) -> list[tuple[str, str, str]]:
        """(parent model, line's inverse field, parent's one-to-many) for parents whose stored
        computed fields depend on fields of ``model``'s records (``depends=("lines.subtotal",)``)."""
        return self._computed_parents.get(model, [])

    def model_names_of(self, module: str) -> list[str]:
        """Models declared (not extended) by ``module``."""
        return [name for name, comp in self.compositions.items() if comp.owner == module]

    # -- building -------------------------------------------------------------------------------

    def _load(self, name: str) -> ModuleRegistrar:
        registrar = ModuleRegistrar(name)
        package = "loom.kernel.models" if name == KERNEL else self.manifests[name].package
        register = getattr(importlib.import_module(package), "register", None)
        if register is None:
            raise ConfigurationError("kernel.module_without_register", module=name, package=package)
        register(registrar)
        return registrar

    def _closure(self, name: str) -> frozenset[str]:
        if name == KERNEL:
            return frozenset({KERNEL})
        return frozenset({KERNEL, *manifests_mod.closure(self.manifests, name)})

    def _compose(self) -> dict[str, Composition]:
        parts: dict[str, ModelParts] = {}
        for module in self.modules:
            for cls in self._registrars[module].model_classes:
                entry = parts.setdefault(cls.__model__, ModelParts(cls.__model__))
                if entry.parts and entry.owner not in self._closures[module]:
                    raise ConfigurationError("kernel.model_extension_outside_closure", module=module,
                                             model=cls.__model__, owner=entry.owner)
                entry.parts.append((module, cls))
        composer = ModelComposer(self.base, self.__getitem__)
        return composer.compose_all(list(parts.values()))

    def _plugin_manager(self) -> Any:
        from loom.kernel import hookspecs

        specs = [(KERNEL, hookspecs)]
        specs += [(m, spec) for m in self.modules for spec in self._registrars[m].spec_modules]
        impls = [(m, plugin) for m in self.modules for plugin in self._registrars[m].plugins]
        pm = build_plugin_manager(specs, impls)
        self._check_hook_closures(pm)
        return pm

    def _check_hook_closures(self, pm: Any) -> None:
        owners = spec_owners(pm)
        for hook_name, owner in owners.items():
            for impl in getattr(pm.hook, hook_name).get_hookimpls():
                module = impl_module(pm, impl)
                if owner not in self._closures[module]:
                    raise ConfigurationError("kernel.hook_outside_closure", module=module,
                                             hook=hook_name, owner=owner)


def _new_base() -> type[DeclarativeBase]:
    class RegistryBase(DeclarativeBase):
        metadata = MetaData(naming_convention=NAMING_CONVENTION)

    return RegistryBase


@cache
def registry_for(modules: frozenset[str], roots: tuple[str, ...] = ()) -> Registry:
    """The registry of ``modules`` (dependencies and bridges added), built once per process.

    ``roots`` are extra module folders (test modules) passed to discovery.
    """
    return Registry(sorted(modules), manifests_mod.discover(extra_paths=roots))
