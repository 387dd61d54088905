"""Autocomplete of a many-to-one field: a few records of the target, by record name, that the user
may read (record rules and companies apply through ``env[target].search``).

One bounded query: ``<rec name> ilike <text>`` in the target's order with ``LIMIT``, no count and
no offset, so an index on the order (``base_partner (name, id)``) serves it without a sort."""

from __future__ import annotations

from typing import Any

from loom.kernel.errors import InvalidFieldError
from loom.kernel.web.display import record_name

#: The most records an autocomplete answers.
MATCHES = 8
#: The longest text searched (longer text is cut).
MAX_TEXT = 100


def link_target(env: Any, model: str, field: str) -> str:
    """The target model of ``model``'s many-to-one ``field`` (``InvalidFieldError`` when ``field`` is
    not a many-to-one the user may read)."""
    info = env.registry.fields(model).get(field)
    if info is None or info.kind != "many2one":
        raise InvalidFieldError("kernel.web_autocomplete_not_link", field=field, model=model)
    return env[model].field(field).target  # a field restricted to other roles: 403


def matches(env: Any, target: str, text: str) -> list[tuple[int, str]]:
    """(id, name) of at most :data:`MATCHES` records of ``target`` whose record name contains ``text``."""
    rec_name = env.registry[target].__rec_name__
    domain = [[rec_name, "ilike", text[:MAX_TEXT]]] if text.strip() else []
    return [(record.id, record_name(record, env.lang)) for record in env[target].search(domain, limit=MATCHES)]
