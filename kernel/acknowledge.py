"""Business warnings a user acknowledges: the action goes ahead only once its warnings are accepted.

A business rule that is a caution rather than a refusal (an unusual quantity, a customer over a
soft limit) calls :func:`warn` with a :class:`~loom.kernel.errors.Warning`. Unless the caller
acknowledged that warning's id, the warning is raised like any error and the unit of work rolls
back; the caller reads the id, asks the person, and repeats the action with the id in
``env.acknowledged``. A warning's id is the message id of its text (``owner.name``), so an id is
known exactly when its owner is installed and has that message. Every channel passes the
acknowledged ids into the environment it builds: the API's ``acknowledge`` (docs/api.md).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from loom.kernel.errors import ValidationError, Warning  # noqa: A004 - errors.Warning is the design's name
from loom.kernel.i18n import catalog

if TYPE_CHECKING:
    from loom.kernel.environment import Environment
    from loom.kernel.registry import Registry

#: The most warning ids one request may acknowledge.
MAX_ACKNOWLEDGED = 20


def warn(env: Environment, warning: Warning) -> None:
    """Raise ``warning`` unless the caller acknowledged its id."""
    if warning.warning_id not in env.acknowledged:
        raise warning


def known_warning_ids(registry: Registry, ids: Iterable[object], *, field: str = "acknowledge") -> frozenset[str]:
    """``ids`` as a set, each checked to be a warning id of the kernel or of an installed module
    (``ValidationError`` naming ``field`` and the first id that is not)."""
    given = list(ids)
    if len(given) > MAX_ACKNOWLEDGED:
        raise ValidationError("kernel.warning_too_many", field=field, limit=MAX_ACKNOWLEDGED)
    for warning_id in given:
        owner, _, name = warning_id.partition(".") if isinstance(warning_id, str) else ("", "", "")
        if not name or name not in english_messages(registry, owner):
            raise ValidationError("kernel.warning_unknown", field=field, warning=str(warning_id)[:100])
    return frozenset(given)  # type: ignore[arg-type] - every id was checked to be a str above


def english_messages(registry: Registry, owner: str) -> frozenset[str]:
    """Names of the English messages of ``owner``: the kernel, or a module installed in ``registry``
    (read from the module's own folder, so a module found through a path has them too)."""
    if owner == "kernel":
        return frozenset(catalog("kernel", "en"))
    manifest = registry.manifests.get(owner) if owner in registry.modules else None
    if manifest is None:
        return frozenset()
    folder = manifest.path / "i18n"
    files = [*folder.glob("en.toml"), *folder.glob("en.*.toml")]
    return frozenset(key for file in files for key in tomllib.loads(file.read_text("utf-8")))
