"""Invariant checks: what ``loom check`` runs, the same code a nightly job would run.

A :class:`Check` has a name, a description and ``run(env)``, a function yielding
:class:`Violation` objects that name the records involved. The kernel contributes its own checks
(:data:`KERNEL_CHECKS`: no orphan rows, unique keys hold, declared triggers and views present,
PostgreSQL id sequences above the highest ids, the audit chain intact); modules add theirs
through the ``register_checks`` hook::

    @hookimpl
    def register_checks():
        return [Check("sales.order_totals", "Order totals equal the sum of their lines", order_totals)]

:func:`run_checks` runs them all and returns every violation.
"""

from loom.kernel.checks.check import Check, Violation
from loom.kernel.checks.kernel_checks import KERNEL_CHECKS
from loom.kernel.checks.runner import all_checks, run_checks

__all__ = ["KERNEL_CHECKS", "Check", "Violation", "all_checks", "run_checks"]
