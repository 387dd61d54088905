"""Collecting checks (the kernel's and the ``register_checks`` hook's) and running them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from loom.kernel.checks.check import Check, Violation
from loom.kernel.checks.kernel_checks import KERNEL_CHECKS
from loom.kernel.errors import ModuleError

if TYPE_CHECKING:
    from loom.kernel.environment import Environment


def all_checks(env: Environment) -> list[Check]:
    """The kernel's checks, then every installed module's, in hook call order; names are unique."""
    checks = list(KERNEL_CHECKS)
    for contributed in env.hooks.register_checks():
        checks.extend(contributed or ())
    seen: set[str] = set()
    for check in checks:
        if check.name in seen:
            raise ModuleError("kernel.check_duplicate", check=check.name)
        seen.add(check.name)
    return checks


def run_checks(env: Environment, names: list[str] | None = None) -> list[Violation]:
    """Run every check (or those named in ``names``) and return all their violations.

    Checks only read; the caller's transaction is left as it was."""
    checks = all_checks(env)
    if names:
        known = {check.name for check in checks}
        unknown = sorted(set(names) - known)
        if unknown:
            raise ModuleError("kernel.check_unknown", check=", ".join(unknown), known=", ".join(sorted(known)))
        checks = [check for check in checks if check.name in set(names)]
    return [violation for check in checks for violation in check.run(env)]
