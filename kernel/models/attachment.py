"""Kernel models of attachments: files on any record, stored by content hash."""

#: The models this file declares, registered by :mod:`loom.kernel.models`.
MODELS: tuple[type, ...] = ()
#: Triggers and views on these models' tables (re-created after every migration).
TRIGGERS: tuple[object, ...] = ()
