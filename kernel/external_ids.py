"""External ids: ``module.name`` -> record, used by data files, imports and ``env_ref``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from loom.kernel.errors import MissingError, ValidationError

if TYPE_CHECKING:
    from loom.kernel.environment import Environment


def split(xmlid: str, default_module: str | None = None) -> tuple[str, str]:
    """``"base.cny"`` -> ``("base", "cny")``; a bare name takes ``default_module``."""
    module, dot, name = xmlid.partition(".")
    if not dot:
        if default_module is None:
            raise ValidationError("kernel.external_id_malformed", field="id", value=xmlid)
        return default_module, xmlid
    return module, name


def lookup(env: Environment, xmlid: str, default_module: str | None = None) -> Any:
    """The external-id row of ``xmlid`` or None."""
    module, name = split(xmlid, default_module)
    ext = env.registry["loom.external_id"]
    return env.session.scalar(select(ext).where(ext.module == module, ext.name == name))


def ref(env: Environment, xmlid: str, default_module: str | None = None) -> Any:
    """The record named ``xmlid``, read as ``env``'s user; ``MissingError`` if unknown."""
    row = lookup(env, xmlid, default_module)
    if row is None:
        raise MissingError("kernel.external_id_missing", xmlid=xmlid)
    return env[row.model].get(row.res_id)
