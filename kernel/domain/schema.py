"""Paths checked against a schema: each name a stored field the user may read, links many-to-one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from loom.kernel.domain.errors import _invalid_field, _show
from loom.kernel.domain.syntax import _segments
from loom.kernel.errors import AccessError, FieldForbiddenError
from loom.kernel.fields import FieldInfo

_ORDERED = ("=", "!=", "<", "<=", ">", ">=", "in", "not_in", "is_null")
_EQUALITY = ("=", "!=", "in", "not_in", "is_null")
_KIND_OPERATORS = {
    "integer": _ORDERED, "decimal": _ORDERED, "date": _ORDERED, "datetime": _ORDERED,
    "string": (*_ORDERED, "like", "ilike"), "text": (*_ORDERED, "like", "ilike"),
    "selection": _EQUALITY, "boolean": _EQUALITY, "many2one": _EQUALITY, "json": ("is_null",),
}

#: ``readable(model, field)``: whether the user may read ``field`` of ``model``; a dotted path also asks
#: ``readable(model, "id")`` of every model it passes through (False: the user may not read that model).
Readable = Callable[[str, str], bool]
#: ``visible(model)``: the WHERE clause of the records of ``model`` the user may see, or None for all.
Visible = Callable[[str], Any]


class Schema(Protocol):
    """What the compiler needs from a registry: field descriptions and mapped classes."""

    def fields(self, model: str) -> Mapping[str, FieldInfo]:
        """Every field of ``model`` by name."""
        ...

    def model_class(self, model: str) -> type:
        """The mapped class of ``model``: attribute ``FieldInfo.name`` is the field's column."""
        ...


@dataclass(frozen=True)
class _Context:
    schema: Schema
    readable: Readable | None


@dataclass(frozen=True)
class _Path:
    text: str
    links: tuple[FieldInfo, ...]
    field: FieldInfo


def _resolve(text: str, model: str, context: _Context) -> _Path:
    """Follow ``text`` from ``model`` through many-to-one fields to the field it names; every model
    it passes through must be readable (``AccessError`` naming it), so no path is an oracle on a
    model the user may not read."""
    *names, last = _segments(text)
    links = []
    for name in names:
        info = _field(name, model, text, context)
        if info.kind != "many2one" or not info.target:
            raise _invalid_field(text, "kernel.domain_not_traversable", segment=name, kind=info.kind)
        links.append(info)
        model = info.target
        if context.readable is not None and not context.readable(model, "id"):  # the model itself
            raise AccessError("kernel.domain_model_forbidden", field=_show(text), path=_show(text), model=model)
    return _Path(text, tuple(links), _field(last, model, text, context))


def _field(name: str, model: str, text: str, context: _Context) -> FieldInfo:
    info = context.schema.fields(model).get(name)
    if info is None:
        raise _invalid_field(text, model=model)
    if context.readable is not None and not context.readable(model, name):
        raise FieldForbiddenError("kernel.domain_field_forbidden", field=_show(text), path=_show(text))
    if info.kind not in _KIND_OPERATORS:
        raise _invalid_field(text, "kernel.domain_not_traversable", segment=name, kind=info.kind)
    if not info.stored:
        raise _invalid_field(text, "kernel.domain_not_stored")
    return info
