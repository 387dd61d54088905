"""The names people read for models, fields and selection values, in each language.

They are messages of the module that declares them, under ids derived from the model's table:

* a model: ``<owner>.model.<table>`` (``base.model.base_partner``);
* a field: ``<module>.field.<table>.<field>`` where ``<module>`` declared the field
  (``base.field.base_partner.tax_id``; a field ``partner_rating`` adds to partners is
  ``partner_rating.field.base_partner.credit_rating``); the kernel's ``kernel.field.<field>``
  names the fields every model shares (``id``, ``version``, ``active``, ``company_id``);
* a selection value: ``<module>.selection.<table>.<field>.<value>``.

A module keeps them in ``i18n/en.labels.toml`` and ``i18n/zh_CN.labels.toml`` as TOML tables
(``[field.base_partner]`` then ``name = "Name"``). A label missing in a language falls back to
English, then to the label declared in the code, then to the name made readable.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from loom.kernel.composer import table_name
from loom.kernel.i18n import catalog

#: Fields the kernel gives (or lets base give) every model, named once in the kernel's catalog.
COMMON_FIELDS = ("id", "version", "active", "company_id")


def model_label_id(registry: Any, model: str) -> str:
    """The message id of ``model``'s name (``base.model.base_partner``)."""
    return f"{registry.owner(model)}.model.{table_name(model)}"


def field_label_id(model: str, name: str, info: Any) -> str:
    """The message id of field ``name`` of ``model`` (``base.field.base_partner.name``)."""
    return f"{info.module}.field.{table_name(model)}.{name}"


def selection_label_id(model: str, name: str, info: Any, value: str) -> str:
    """The message id of ``value`` of selection field ``name`` (``base.selection.base_partner.type.contact``)."""
    return f"{info.module}.selection.{table_name(model)}.{name}.{value}"


def lookup(message_id: str, lang: str) -> str | None:
    """The text of ``message_id`` in ``lang`` only, or None (no fallback)."""
    owner, _, name = message_id.partition(".")
    return catalog(owner, lang).get(name)


def _first(ids: tuple[str, ...], lang: str) -> str | None:
    for language in dict.fromkeys((lang, "en")):
        for message_id in ids:
            found = lookup(message_id, language)
            if found:
                return found
    return None


def readable(name: str) -> str:
    """A field or value name made readable (``parent_id`` → ``Parent``, ``small_scale`` → ``Small scale``)."""
    return name.removesuffix("_id").replace("_", " ").replace(".", " ").capitalize()


def model_label(registry: Any, model: str, lang: str) -> str:
    """``model``'s name in ``lang`` (``合作伙伴``), else in English, else the model's dotted name."""
    return _first((model_label_id(registry, model),), lang) or model


def field_label(model: str, name: str, info: Any, lang: str) -> str:
    """The label of field ``name`` of ``model`` in ``lang``, else English, else the declared
    label, else the name made readable."""
    ids = (field_label_id(model, name, info),) + ((f"kernel.field.{name}",) if name in COMMON_FIELDS else ())
    return _first(ids, lang) or info.label or readable(name)


def selection_label(model: str, name: str, info: Any, value: str, lang: str) -> str:
    """``value`` of selection field ``name`` in ``lang``, else English, else the value made readable."""
    return _first((selection_label_id(model, name, info, value),), lang) or readable(value)


def required_label_ids(registry: Any) -> Iterator[tuple[str, ...]]:
    """For every installed model, field and selection value, the ids any one of which must
    exist in each language (the catalogue test reads this)."""
    for model in sorted(registry.models):
        yield (model_label_id(registry, model),)
        for name, info in registry.fields(model).items():
            common = (f"kernel.field.{name}",) if name in COMMON_FIELDS else ()
            yield (field_label_id(model, name, info), *common)
            for value in info.selection:
                yield (selection_label_id(model, name, info, value),)
