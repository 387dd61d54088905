"""When a failed delivery is tried again, when it is given up, and how long a relayed event is leased."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from loom.kernel.errors import ConfigurationError


def utc_now() -> datetime:
    """The current time in UTC (the default clock of a policy)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff and the dead letter.

    After the ``n``-th failed attempt an event waits ``min(backoff_cap, backoff_base * 2 ** (n - 1))``;
    when ``max_attempts`` attempts have failed it is ``dead``. A relayed event whose worker did not
    report back within ``lease`` is relayed again (its worker is presumed dead)."""

    max_attempts: int = 12
    backoff_base: timedelta = timedelta(seconds=10)
    backoff_cap: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(minutes=5)
    clock: Callable[[], datetime] = field(default=utc_now, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigurationError("kernel.outbox_setting_invalid", setting="max_attempts",
                                     value=self.max_attempts)

    def backoff(self, attempts: int) -> timedelta:
        """How long an event waits after its ``attempts``-th failed attempt."""
        return min(self.backoff_cap, self.backoff_base * 2 ** max(attempts - 1, 0))

    @classmethod
    def from_environment(cls, **overrides: object) -> RetryPolicy:
        """The policy set by ``LOOM_OUTBOX_MAX_ATTEMPTS``, ``LOOM_OUTBOX_BACKOFF`` (seconds),
        ``LOOM_OUTBOX_BACKOFF_CAP`` (seconds) and ``LOOM_OUTBOX_LEASE`` (seconds); ``overrides``
        that are not None win."""
        values: dict[str, object] = {}
        for name, variable, convert in _VARIABLES:
            if os.environ.get(variable):
                try:
                    values[name] = convert(os.environ[variable])
                except ValueError:
                    raise ConfigurationError("kernel.outbox_setting_invalid", setting=variable,
                                             value=os.environ[variable]) from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def _seconds(text: str) -> timedelta:
    return timedelta(seconds=float(text))


_VARIABLES = (("max_attempts", "LOOM_OUTBOX_MAX_ATTEMPTS", int),
              ("backoff_base", "LOOM_OUTBOX_BACKOFF", _seconds),
              ("backoff_cap", "LOOM_OUTBOX_BACKOFF_CAP", _seconds),
              ("lease", "LOOM_OUTBOX_LEASE", _seconds))
