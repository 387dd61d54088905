"""Kernel hook specifications: the lifecycle every module can take part in.

Each hook runs inside the caller's unit of work unless it says otherwise: an implementation that
raises rolls the whole action back. Names by role: ``register_*`` returns contributions,
``prepare_*`` mutates what it is given, ``*_from_*`` resolves a value (first result wins),
``on_*`` is an event.
"""

from __future__ import annotations

from typing import Any

from loom.kernel.hooks import hookspec

# --- registry lifecycle -------------------------------------------------------------------------


@hookspec
def on_registry_ready(registry: Any) -> None:
    """Called once when a registry has composed its models and registered every hook.

    ``registry`` is the new :class:`loom.kernel.registry.Registry`. Runs outside any transaction;
    use it to validate or precompute per-registry data. Return value ignored.
    """


# --- module lifecycle ---------------------------------------------------------------------------


@hookspec
def on_module_installed(env: Any, module: str) -> None:
    """Called after ``module`` was installed (schema migrated, data loaded), in the install's
    transaction, with the environment of the new registry. Every installed module sees it,
    including ``module`` itself. Raising aborts the whole installation."""


@hookspec
def on_module_uninstalling(env: Any, module: str) -> None:
    """Called before ``module``'s schema is removed, in the uninstall's transaction, with the
    environment of the registry that still contains it. Raising aborts the uninstallation."""


# --- declarations -------------------------------------------------------------------------------


@hookspec
def register_settings() -> list[Any]:
    """Return the typed per-company settings a module declares (``loom.kernel.settings.Setting``).

    Collected at registry build; every returned list is concatenated. Setting keys are
    ``<module>.<name>`` and must be unique."""


@hookspec
def register_checks() -> list[Any]:
    """Return invariant checks (``loom.kernel.checks.Check``) that ``loom check`` runs.

    Each check receives an environment and yields violations naming the records involved."""


# --- workflow and approvals (kernel/workflow/) ----------------------------------------------------


# --- outbox, jobs and mail (kernel/outbox/, kernel/jobs/) -----------------------------------------


# --- checks, audit and backups (kernel/checks/, kernel/audit/) ------------------------------------


# --- attachments, import and export (kernel/attachments/, kernel/transfer/) -----------------------
