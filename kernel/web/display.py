"""How the shell shows a model's fields: which kinds a page shows, their labels and values as text
in the reader's language, and the names of linked records. Shared by the list, detail, form,
kanban and print pages.

Labels come from the module catalogs (:mod:`loom.kernel.i18n.labels`); values are formatted by
:mod:`loom.kernel.web.locale_format` in the reader's language and time zone; a text field with a
``<field>_zh`` sibling (base's shipped names: ``name`` and ``name_zh``) shows the sibling to a
Chinese reader when it is set. Money columns show their currency's symbol and decimals: the
record's ``currency_id`` when the model has one, else the active company's currency.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import g, has_app_context, has_request_context

from loom.kernel.errors import AccessError, MissingError
from loom.kernel.i18n import labels
from loom.kernel.money import Money
from loom.kernel.web.locale_format import (
    DEFAULT_TZ,
    CurrencyFormat,
    format_date,
    format_datetime,
    format_money,
    format_number,
)

#: Kinds a list or detail page shows as one value.
SHOWN_KINDS = frozenset({"integer", "string", "text", "boolean", "decimal", "date", "datetime", "selection",
                         "many2one"})
#: Fields every model has that a list does not show by default.
BOOKKEEPING = frozenset({"id", "version", "active", "company_id"})
#: The suffix of the column holding a text's translation, per language.
TRANSLATION_SUFFIX = {"zh_CN": "_zh"}


def reader_lang() -> str:
    """The reader's language (``en`` outside a request)."""
    from loom.kernel.web.texts import current_lang

    return current_lang()


def reader_tz() -> str:
    """The reader's time zone: the logged-in user's, else :data:`DEFAULT_TZ`."""
    account = g.get("account") if has_request_context() else None
    return getattr(account, "tz", None) or DEFAULT_TZ


def _registry() -> Any:
    from loom.kernel.web.state import loom_state

    return loom_state().registry if has_app_context() else None


@lru_cache(maxsize=8)
def _models_by_field(registry: Any) -> dict[int, str]:
    """The model of every field description of ``registry``, by the description's identity."""
    return {id(info): model for model in registry.models for info in registry.fields(model).values()}


def model_of(info: Any) -> str | None:
    """The model whose field ``info`` is, in the application serving the request (None outside one)."""
    registry = _registry()
    return _models_by_field(registry).get(id(info)) if registry is not None else None


def field_label(name: str, info: Any, model: str | None = None, lang: str | None = None) -> str:
    """The field's label in ``lang`` (default: the reader's) from its module's catalog (the model
    is found from ``info`` when not given), else its declared label, else its name made readable
    (``parent_id`` → ``Parent``)."""
    model = model or model_of(info)
    if model is None:
        return info.label or labels.readable(name)
    return labels.field_label(model, name, info, lang or reader_lang())


def model_label(model: str, lang: str | None = None, registry: Any = None) -> str:
    """``model``'s name in ``lang`` (default: the reader's): ``合作伙伴`` for ``base.partner``."""
    registry = registry or _registry()
    if registry is None or model not in registry:
        return model
    return labels.model_label(registry, model, lang or reader_lang())


def selection_label(model: str | None, name: str, info: Any, value: str, lang: str | None = None) -> str:
    """The label of ``value`` of selection field ``name`` in ``lang`` (default: the reader's)."""
    model = model or model_of(info)
    if model is None:
        return labels.readable(value)
    return labels.selection_label(model, name, info, value, lang or reader_lang())


def record_name(record: Any, lang: str) -> str:
    """How ``record`` is named for a reader of ``lang``: its translated name when it has one."""
    translated = _translated(record, record.__rec_name__, lang)
    return translated if translated is not None else record.display_name()


def _translated(record: Any, name: str, lang: str) -> str | None:
    suffix = TRANSLATION_SUFFIX.get(lang)
    return (getattr(record, name + suffix, None) or None) if suffix else None


def linked_names(env: Any, model: str, records: list[Any], columns: list[str]) -> dict[tuple[str, int], str]:
    """Names of the records linked by the many-to-one ``columns`` in the user's language, one
    query per column; links the user may not read stay nameless."""
    fields = env.registry.fields(model)
    names: dict[tuple[str, int], str] = {}
    for column in columns:
        info = fields[column]
        if info.kind != "many2one":
            continue
        ids = sorted({getattr(record, column) for record in records} - {None})
        if not ids:
            continue
        try:
            targets = env[info.target].search([["id", "in", ids]], active_test=False)
        except AccessError:
            continue
        names.update(((column, target.id), record_name(target, env.lang)) for target in targets)
    return names


def shown(value: Any, kind: str, link: str | None = None, *, info: Any = None, model: str | None = None,
          lang: str | None = None, tz: str | None = None, currency: CurrencyFormat | None = None) -> str:
    """``value`` as text for a cell in ``lang`` and time zone ``tz`` (default: the reader's); the
    template escapes it. A selection value needs ``info`` (its field) to show its label; a money
    amount shows ``currency``'s symbol and decimals."""
    if value is None:
        return ""
    lang = lang or reader_lang()
    if kind == "many2one":
        return link or f"#{value}"
    if kind == "boolean":
        return "✓" if value else ""
    if kind == "selection" and info is not None:
        return selection_label(model, info.name, info, value, lang)
    if kind == "datetime" and hasattr(value, "astimezone"):
        return format_datetime(value, lang, tz or reader_tz())
    if kind == "date" and hasattr(value, "isoformat"):
        return format_date(value, lang)
    if kind == "decimal" and currency is not None:
        return format_money(value, lang, currency)
    if kind == "integer" and info is not None and (info.name == "id" or info.name.endswith("_id")):
        return str(value)  # a record's number reads as one word: #12345, never 12,345
    if kind in ("integer", "decimal") and not isinstance(value, bool):
        return format_number(value, lang)
    return str(value)


def is_money(registry: Any, model: str, name: str) -> bool:
    """Whether field ``name`` of ``model`` is an amount of money (a ``Money`` column)."""
    column = registry[model].__table__.c.get(name)
    return column is not None and isinstance(column.type, Money)


def currency_formats(env: Any, model: str, records: list[Any]) -> dict[int, CurrencyFormat]:
    """The currency each of ``records`` counts its money in, by record id: its ``currency_id``
    when the model has one (one query), else the active company's currency; empty when neither
    exists (amounts are then shown as plain numbers)."""
    fields = env.registry.fields(model)
    if "currency_id" in fields and fields["currency_id"].kind == "many2one":
        ids = {record.currency_id for record in records} - {None}
        target = fields["currency_id"].target
        found = {c.id: _currency_format(c) for c in env.sudo()[target].browse(sorted(ids))} if ids else {}
        return {record.id: found[record.currency_id] for record in records if record.currency_id in found}
    company_currency = _company_currency(env)
    return {record.id: company_currency for record in records} if company_currency else {}


def _company_currency(env: Any) -> CurrencyFormat | None:
    if env.company_id is None or "currency_id" not in env.registry.fields("loom.company"):
        return None
    currency = env.sudo()["loom.company"].get(env.company_id).currency
    return _currency_format(currency) if currency is not None else None


def _currency_format(currency: Any) -> CurrencyFormat:
    return CurrencyFormat(currency.symbol, currency.decimal_places)


def cells(env: Any, model: str, records: list[Any], columns: list[str]) -> list[tuple[int, list[str]]]:
    """``(id, texts)`` of each record for the ``columns`` shown, in the user's language and time
    zone: selection labels, translated names, linked names and money with its currency, in a
    number of queries that does not grow with the rows."""
    fields, lang = env.registry.fields(model), env.lang
    tz = getattr(env.user, "tz", None) or DEFAULT_TZ
    names = linked_names(env, model, records, columns)
    money = [c for c in columns if fields[c].kind == "decimal" and is_money(env.registry, model, c)]
    currencies = currency_formats(env, model, records) if money and records else {}

    def text(record: Any, column: str) -> str:
        value = _translated(record, column, lang) or getattr(record, column)
        return shown(value, fields[column].kind, names.get((column, value)), info=fields[column], model=model,
                     lang=lang, tz=tz, currency=currencies.get(record.id) if column in money else None)

    return [(record.id, [text(record, column) for column in columns]) for record in records]


def label_of(model: str, name: str) -> str:
    """The label of field ``name`` of ``model`` for the reader (the name itself when the model
    has no such field any more, as in an old timeline entry)."""
    registry = _registry()
    fields = registry.fields(model) if registry is not None and model in registry else {}
    return field_label(name, fields[name], model) if name in fields else name


def install_display(app: Any) -> None:
    """Give templates ``model_label(model)``, ``label_of(model, field)`` and the filters
    ``moment`` (a date and time in the reader's language and time zone) and ``day`` (a date)."""
    app.jinja_env.globals.update(model_label=model_label, label_of=label_of)
    app.jinja_env.filters["moment"] = lambda value: shown(value, "datetime")
    app.jinja_env.filters["day"] = lambda value: shown(value, "date")


def known_model(env: Any, model: str) -> None:
    """404 (``MissingError``) unless ``model`` is installed."""
    if model not in env.registry:
        raise MissingError("kernel.web_model_unknown", field="model", model=model)
