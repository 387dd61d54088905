"""The home dashboard: tiles the kernel and modules contribute through ``register_dashboard_tiles``,
each shown only to users who may read its model and computed through the user's environment (so
record rules and companies apply to every figure).

A tile's function gets the environment and returns its data: a number for a ``number`` tile,
``[(label, value), ...]`` for a ``bar``, ``line`` or ``pie`` chart. It runs in a savepoint of the
page's unit of work: a tile that raises, even with a database error, shows a per-tile error and
the other tiles and the page stay whole. Charts are drawn in the browser by the vendored ECharts
(``static/dashboard.js`` reads the data from a ``data-chart`` attribute: no inline script).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain
from typing import Any

from loom.kernel.access import may
from loom.kernel.errors import ConfigurationError

log = logging.getLogger(__name__)
#: The kinds of tile: one figure, or a chart of labelled values.
KINDS = ("number", "bar", "pie", "line")
#: Where an application keeps its collected tiles.
EXTENSION = "loom.dashboard"


@dataclass(frozen=True)
class Tile:
    """One dashboard tile: a unique ``key`` (``base.partners_by_country``), a ``title`` message id,
    the ``model`` a user must be allowed to read to see it, ``data(env)`` computing its value, its
    ``kind`` (``number``, ``bar``, ``pie`` or ``line``) and a ``sequence`` (lower first)."""

    key: str
    title: str
    model: str
    data: Callable[[Any], Any]
    kind: str = "number"
    sequence: int = 100


@dataclass(frozen=True)
class ShownTile:
    """A tile as the home page shows it: its value (a number, or ``[label, value]`` pairs for a
    chart), or ``failed`` when its function raised."""

    key: str
    title: str
    kind: str
    value: Any = None
    failed: bool = False


def collect_tiles(registry: Any) -> tuple[Tile, ...]:
    """Every tile of the installed modules, in display order; an unknown kind or two tiles with
    one key are refused naming the key."""
    tiles = list(chain.from_iterable(registry.pm.hook.register_dashboard_tiles()))
    seen: set[str] = set()
    for tile in tiles:
        if tile.key in seen:
            raise ConfigurationError("kernel.web_tile_duplicate", field="key", key=tile.key)
        if tile.kind not in KINDS:
            raise ConfigurationError("kernel.web_tile_kind_unknown", field="kind", key=tile.key, kind=tile.kind,
                                     kinds=", ".join(KINDS))
        seen.add(tile.key)
    return tuple(sorted(tiles, key=lambda tile: (tile.sequence, tile.key)))


def install_dashboard(app: Any, registry: Any) -> None:
    """Collect the tiles of ``registry`` once, for every request of ``app``."""
    app.extensions[EXTENSION] = collect_tiles(registry)


def shown_tiles(env: Any, tiles: tuple[Tile, ...]) -> list[ShownTile]:
    """The tiles the user of ``env`` may see, each computed in its own savepoint."""
    return [_computed(env, tile) for tile in tiles if tile.model in env.registry and may(env, tile.model, "read")]


def _computed(env: Any, tile: Tile) -> ShownTile:
    """``tile`` with its value, or failed (logged) when its function raises or returns a value
    that does not fit its kind."""
    try:
        with env.session.begin_nested():
            value = _checked(tile, tile.data(env))
    except Exception:
        log.exception("dashboard tile %s failed", tile.key)
        return ShownTile(tile.key, tile.title, tile.kind, failed=True)
    return ShownTile(tile.key, tile.title, tile.kind, value)


def _checked(tile: Tile, value: Any) -> Any:
    """``value`` as the page needs it: a number, or ``[[label, number], ...]`` for a chart."""
    if tile.kind == "number":
        if not _is_number(value):
            raise TypeError(f"tile {tile.key} returned {type(value).__name__}, not a number")
        return value
    pairs = [[str(label), float(number) if isinstance(number, Decimal) else number] for label, number in value]
    if not all(_is_number(number) for _, number in pairs):
        raise TypeError(f"tile {tile.key} returned a value that is not a number")
    return pairs


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
