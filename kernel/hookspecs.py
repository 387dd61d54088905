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


# --- records ------------------------------------------------------------------------------------


@hookspec
def on_records_deleted(env: Any, model: str, ids: list[int]) -> None:
    """Called by ``Records.delete`` once records ``ids`` of ``model`` are deleted (flushed), in the
    delete's unit of work, and once more per model of the rows the delete took with it by cascade
    (an order's lines, :mod:`loom.kernel.cascade`). Rows that name a record by model and id, with
    no foreign key to remove them, are forgotten here: the kernel's timeline, approvals and
    attachments do it, and so does a module keeping such rows of its own. Raising rolls the delete
    back. Return value ignored."""


# --- declarations -------------------------------------------------------------------------------


@hookspec
def register_settings() -> list[Any]:
    """Return the typed per-company settings a module declares (``loom.kernel.settings.Setting``).

    Collected at registry build; every returned list is concatenated. Setting keys are
    ``<module>.<name>`` and must be unique."""


@hookspec
def register_checks() -> list[Any]:
    """Return invariant checks that ``loom check`` (and :func:`loom.kernel.checks.run_checks`) runs.

    Called with no arguments when checks run; return a list of
    ``loom.kernel.checks.Check(name, description, run)``. ``name`` is dotted and unique
    (``sales.order_totals``); ``run(env)`` receives a superuser environment in a read
    transaction and yields ``Violation(check, message, records=[(model, id), ...])`` for every
    place the invariant does not hold. Checks must only read and should be set-based (one query
    per invariant, whatever the table's size). Every returned list is concatenated after the
    kernel's own checks."""


# --- workflow and approvals (kernel/workflow/) ----------------------------------------------------


@hookspec
def on_transition(env: Any, model: str, transition: str, records: list[Any]) -> None:
    """Called after every workflow transition, with all the records of ``model`` that just made
    ``transition`` (batch-first: once per batch, never per record), after the transition's actions
    and before its own business hook (``on_order_confirmed``...). Runs inside the transition's
    savepoint in the caller's unit of work: raising rolls the whole batch back. A transition that
    completes on its last approval calls it then, with the approver's environment (superuser
    mode). Return value ignored."""


@hookspec
def on_approval_requested(env: Any, model: str, transition: str, records: list[Any]) -> None:
    """Called when approval rules hold ``records`` of ``model`` at ``transition``: they are now in
    ``waiting_approval`` and their requests are open (read them with
    ``loom.kernel.workflow.pending_requests``). Use it to notify approvers (through the outbox).
    Runs in the caller's unit of work; what it writes on these documents belongs to the
    submission and does not reset their approvals. Return value ignored."""


# --- outbox, jobs and mail (kernel/outbox/, kernel/jobs/) -----------------------------------------


@hookspec
def register_event_consumers() -> list[Any]:
    """Return the consumers of outbox events a module contributes
    (``loom.kernel.outbox.EventConsumer(topic, name, handle)``).

    Collected once per registry by the worker; every returned list is concatenated and consumer
    names must be unique. ``handle(env, event)`` runs after the emitting transaction committed, in
    its own unit of work (superuser, the event's company), once in effect per event: a receipt
    keyed by consumer name and event id is written in the same transaction. Raising rolls its work
    back and the event is retried with backoff, then dead after the last attempt."""


@hookspec
def register_periodic_jobs() -> list[Any]:
    """Return the periodic jobs a module declares (``loom.kernel.jobs.PeriodicJob(name, schedule, run)``).

    Collected by ``loom worker``, which runs ``run(env)`` whenever the crontab ``schedule`` matches
    (UTC), in its own unit of work as the superuser. Job names must be unique."""


@hookspec
def register_mail_templates() -> list[Any]:
    """Return the mail template folders a module contributes (``loom.kernel.mail.TemplateFolder(prefix, path)``).

    ``send_mail(env, "<prefix>.<name>", ...)`` renders ``<name>.<lang>.subject.txt``,
    ``<name>.<lang>.txt`` and optionally ``<name>.<lang>.html`` (autoescaped) from ``path`` with
    Jinja2, in ``zh_CN`` or ``en`` (English when a language is missing). Prefixes must be unique."""


# --- checks, audit and backups (kernel/checks/, kernel/audit/) ------------------------------------


# --- attachments, import and export (kernel/attachments/, kernel/transfer/) -----------------------


# --- web shell (kernel/web/) -----------------------------------------------------------------------


@hookspec
def register_menus() -> list[Any]:
    """Return the web shell's menu entries a module contributes (``loom.kernel.web.menus.MenuItem``).

    Collected once when the application is built; every returned list is concatenated with the
    kernel's own entries and sorted by ``sequence``. Keys are ``<module>.<name>`` and must be
    unique; ``label`` is a message id translated per user; an entry with a ``model`` is shown only
    to users who may read that model."""


@hookspec
def register_blueprints() -> list[Any]:
    """Return Flask blueprints of a module's own screens, registered on the web shell's application.

    Collected once when the application is built. Every route needs a logged-in user unless its
    view is marked with ``loom.kernel.web.gate.public``; POST and other state-changing routes get
    the CSRF check. A blueprint's ``template_folder`` joins the template search path after the
    kernel's, so its templates may ``{% extends "base.html" %}`` (keep them under a folder named
    after the module, ``sales/order_board.html``, so names never collide); views run their work
    with ``loom_state(current_app).run(g.account.uid, work)``."""


@hookspec
def register_dashboard_tiles() -> list[Any]:
    """Return the home dashboard's tiles a module contributes (``loom.kernel.web.dashboard.Tile``).

    Collected once when the application is built and sorted by ``sequence``; keys are
    ``<module>.<name>`` and must be unique, and ``kind`` is ``number``, ``bar``, ``pie`` or ``line``
    (anything else stops the start naming the key). ``title`` is a message id translated per user;
    a tile is shown only to users who may read its ``model``. On every visit of the home page
    ``data(env)`` runs with the visitor's environment, inside the page's read-only unit of work (in
    a savepoint of its own), so record rules and companies apply; it returns a number for a
    ``number`` tile, ``[(label, value), ...]`` for a chart. A tile that raises shows an error in its
    place; the page and the other tiles are unaffected."""


# --- JSON API (kernel/api/) ------------------------------------------------------------------------
