"""Kernel models of the transactional outbox and the worker's bookkeeping."""

#: The models this file declares, registered by :mod:`loom.kernel.models`.
MODELS: tuple[type, ...] = ()
#: Triggers and views on these models' tables (re-created after every migration).
TRIGGERS: tuple[object, ...] = ()
