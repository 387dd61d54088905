"""Kernel models of the security audit log (insert-only, hash-chained)."""

#: The models this file declares, registered by :mod:`loom.kernel.models`.
MODELS: tuple[type, ...] = ()
#: Triggers and views on these models' tables (re-created after every migration).
TRIGGERS: tuple[object, ...] = ()
