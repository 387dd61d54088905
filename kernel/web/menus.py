"""The shell's menu: entries the kernel and modules contribute through ``register_menus``, each
shown only to users who may read its model."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Any

from loom.kernel.access import may
from loom.kernel.errors import ConfigurationError


@dataclass(frozen=True)
class MenuItem:
    """One menu entry: a unique ``key`` (``sales.orders``), a ``label`` message id
    (``sales.menu_orders``, translated per user), the ``url`` it opens, the ``model`` a user must
    be allowed to read to see it (None: every logged-in user) and a ``sequence`` (lower first)."""

    key: str
    label: str
    url: str
    model: str | None = None
    sequence: int = 100


#: Where an application keeps its collected menu.
EXTENSION = "loom.menu"
#: The kernel's own entries.
KERNEL_MENU = (MenuItem("kernel.audit_log", "kernel.web_menu_audit_log", "/m/loom.audit_log",
                        model="loom.audit_log", sequence=900),)


def collect_menu(registry: Any) -> tuple[MenuItem, ...]:
    """Every menu entry of the kernel and the installed modules, in display order; two entries
    with one key are refused."""
    items = [*KERNEL_MENU, *chain.from_iterable(registry.pm.hook.register_menus())]
    seen: set[str] = set()
    for item in items:
        if item.key in seen:
            raise ConfigurationError("kernel.web_menu_duplicate", field="key", key=item.key)
        seen.add(item.key)
    return tuple(sorted(items, key=lambda item: (item.sequence, item.key)))


def install_menu(app: Any, registry: Any) -> None:
    """Collect the menu of ``registry`` once, for every request of ``app``."""
    app.extensions[EXTENSION] = collect_menu(registry)


def app_menu(app: Any) -> tuple[MenuItem, ...]:
    """The menu collected for ``app``."""
    return app.extensions[EXTENSION]


def visible_menu(env: Any, items: tuple[MenuItem, ...]) -> tuple[MenuItem, ...]:
    """The entries of ``items`` the user of ``env`` may open."""
    return tuple(item for item in items if item.model is None or
                 (item.model in env.registry and may(env, item.model, "read")))
