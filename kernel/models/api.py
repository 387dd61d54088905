"""Kernel models of the JSON API: tokens and idempotency keys."""

#: The models this file declares, registered by :mod:`loom.kernel.models`.
MODELS: tuple[type, ...] = ()
#: Triggers and views on these models' tables (re-created after every migration).
TRIGGERS: tuple[object, ...] = ()
