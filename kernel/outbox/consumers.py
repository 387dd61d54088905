"""Consumers of outbox events, contributed by modules through ``register_event_consumers``."""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from loom.kernel.errors import ConfigurationError

if TYPE_CHECKING:
    from loom.kernel.outbox.event import Event
    from loom.kernel.registry import Registry

_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_BY_REGISTRY: weakref.WeakKeyDictionary[Any, dict[str, list[EventConsumer]]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class EventConsumer:
    """``handle(env, event)`` runs for every event of ``topic``, once per event in effect.

    ``name`` (``module.purpose``) identifies the consumer in its receipts: renaming it makes every
    past event look new to it. ``handle`` runs in its own unit of work as the superuser acting in
    the event's company; raising rolls its work back and the event is retried with backoff."""

    topic: str
    name: str
    handle: Callable[[Any, Event], None]


def consumers_by_topic(registry: Registry) -> dict[str, list[EventConsumer]]:
    """Every registered consumer, by topic, in hook call order (collected once per registry)."""
    if registry not in _BY_REGISTRY:
        _BY_REGISTRY[registry] = _collect(registry)
    return _BY_REGISTRY[registry]


def _collect(registry: Registry) -> dict[str, list[EventConsumer]]:
    found: dict[str, list[EventConsumer]] = {}
    names: set[str] = set()
    for contribution in registry.pm.hook.register_event_consumers():
        for consumer in contribution:
            if not _NAME.match(consumer.name) or consumer.name in names:
                raise ConfigurationError("kernel.outbox_consumer_invalid", consumer=consumer.name,
                                         topic=consumer.topic)
            names.add(consumer.name)
            found.setdefault(consumer.topic, []).append(consumer)
    return found
