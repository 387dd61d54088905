"""Kernel models of the web shell: login throttling and session generations."""

#: The models this file declares, registered by :mod:`loom.kernel.models`.
MODELS: tuple[type, ...] = ()
#: Triggers and views on these models' tables (re-created after every migration).
TRIGGERS: tuple[object, ...] = ()
