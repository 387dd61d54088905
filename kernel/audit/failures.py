"""Recording refused and failed actions whose own transaction rolled back.

:func:`records_failures` wraps an operation (a module install, a restore): when it raises, the
action rolled back, so a record ``<action>.refused`` (a :class:`~loom.kernel.errors.LoomError`:
the kernel said no) or ``<action>.failed`` (anything else broke) is committed on its own with
:func:`~loom.kernel.audit.audit_committed` (a kernel call: actor ``superuser``), then the error
goes on unchanged."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine

from loom.kernel.audit.events import audit_committed
from loom.kernel.errors import LoomError

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def record_failure(engine: Engine, action: str, exc: BaseException, details: dict[str, Any], *,
                   outcome: str | None = None, actor_id: int | None = None) -> None:
    """Commit the audit record of ``action`` having been refused or having failed with ``exc``, as
    user ``actor_id`` when one acted (``loom --user``), else as the superuser.

    ``outcome`` defaults to ``refused`` for a :class:`~loom.kernel.errors.LoomError` and ``failed``
    otherwise. Never raises: a database that cannot take the record must not hide the original error."""
    outcome = outcome or ("refused" if isinstance(exc, LoomError) else "failed")
    message = exc.message() if isinstance(exc, LoomError) else str(exc)
    reason = {"error": getattr(exc, "message_id", type(exc).__name__), "message": message[:500]}
    try:
        audit_committed(engine, f"{action}.{outcome}", details={**details, **reason}, kernel_call=True,
                        actor_id=actor_id)
    except Exception:  # noqa: BLE001 - the caller's own error is the one to report
        log.exception("audit: could not record %s.%s", action, outcome)


def records_failures(action: str, describe: Callable[..., dict[str, Any]]) -> Callable[[F], F]:
    """Decorate a method of an object with an ``engine``: a raised error is audited as ``action``.

    ``describe(*args, **kwargs)`` (the method's arguments, without ``self``) gives the details;
    calls with ``dry_run=True`` are not audited."""

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:
                if not kwargs.get("dry_run"):
                    record_failure(self.engine, action, exc, describe(*args, **kwargs),
                                   actor_id=getattr(self, "actor_id", None))
                raise

        return wrapper  # type: ignore[return-value]

    return decorate
