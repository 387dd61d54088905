"""Hooks with pluggy: markers, plugin-manager construction with eager validation, tracing.

Specs come from the kernel (:mod:`loom.kernel.hookspecs`) and from each installed module's
``hookspecs.py``. All specs are added before any implementation is registered, so pluggy checks
argument names at ``register()``; ``check_pending()`` then catches implementations of unknown
hooks. Every failure is re-raised as a :class:`ConfigurationError` naming module, hook and
argument. Set ``LOOM_TRACE_HOOKS=1`` to print every hook call with its implementations.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from types import ModuleType
from typing import Any

import pluggy

from loom.kernel import faults
from loom.kernel.errors import ConfigurationError, UserError

PROJECT = "loom"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


def build_plugin_manager(specs: Iterable[tuple[str, ModuleType]],
                         impls: Iterable[tuple[str, object]]) -> pluggy.PluginManager:
    """A plugin manager with every ``(owner, specs module)`` then every ``(module, plugin)``."""
    pm = pluggy.PluginManager(PROJECT)
    spec_owner: dict[str, str] = {}
    for owner, module in specs:
        pm.add_hookspecs(module)
        spec_owner.update({name: owner for name in _spec_names(module)})
    for module_name, plugin in impls:
        _register(pm, module_name, plugin)
    _check_pending(pm)
    pm.loom_spec_owner = spec_owner  # type: ignore[attr-defined]
    if os.environ.get("LOOM_TRACE_HOOKS"):
        _enable_tracing(pm)
    return pm


def spec_owners(pm: pluggy.PluginManager) -> dict[str, str]:
    """Hook name -> the kernel or module that declares its spec."""
    return pm.loom_spec_owner  # type: ignore[attr-defined,no-any-return]


def _spec_names(module: ModuleType) -> list[str]:
    return [name for name in dir(module)
            if getattr(getattr(module, name), PROJECT + "_spec", None) is not None]


def _register(pm: pluggy.PluginManager, module_name: str, plugin: object) -> None:
    plugin_name = f"{module_name}:{getattr(plugin, '__name__', type(plugin).__name__)}"
    try:
        pm.register(plugin, name=plugin_name)
    except pluggy.PluginValidationError as exc:
        raise ConfigurationError("kernel.hook_invalid", module=module_name, problem=str(exc)) from exc


def _check_pending(pm: pluggy.PluginManager) -> None:
    for name in pm.hook.__dict__:
        caller = getattr(pm.hook, name)
        if caller.spec is None:
            owners = sorted(pm.get_name(impl.plugin).split(":")[0] for impl in caller.get_hookimpls())
            raise ConfigurationError("kernel.hook_unknown", hook=name, modules=", ".join(owners))


def hook_table(pm: pluggy.PluginManager) -> list[dict[str, Any]]:
    """Every spec (name, owner, signature) with its implementing modules in call order."""
    import inspect

    rows = []
    for name, owner in sorted(spec_owners(pm).items()):
        caller = getattr(pm.hook, name)
        signature = str(inspect.signature(caller.spec.function)).replace("'", "")  # postponed annotations
        impls = [impl_module(pm, impl) for impl in reversed(caller.get_hookimpls())]
        rows.append({"hook": name, "owner": owner, "signature": f"{name}{signature}",
                     "implementations": impls})
    return rows


def impl_module(pm: pluggy.PluginManager, impl: Any) -> str:
    """The Loom module that registered a pluggy ``HookImpl``."""
    return str(pm.get_name(impl.plugin)).split(":")[0]


def _enable_tracing(pm: pluggy.PluginManager) -> None:
    def before(hook_name: str, impls: list, kwargs: dict) -> None:
        names = ", ".join(impl_module(pm, impl) for impl in reversed(impls))
        print(f"[loom hook] {hook_name}({', '.join(kwargs)}) -> {names or 'no implementation'}",
              file=sys.stderr)

    def after(outcome: Any, hook_name: str, impls: list, kwargs: dict) -> None:
        if outcome.exception is not None:
            print(f"[loom hook] {hook_name} raised {outcome.exception!r}", file=sys.stderr)

    pm.add_hookcall_monitoring(before, after)


class HookRelay:
    """``env.hooks.<name>(**kwargs)``: calls a hook and names the module when one raises."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self._pm = pm

    def __getattr__(self, name: str) -> Any:
        caller = getattr(self._pm.hook, name, None)
        if caller is None or caller.spec is None:
            raise AttributeError(f"no hook named {name!r} is declared by an installed module")

        def call(**kwargs: Any) -> Any:
            try:
                with faults.watching() as seen:
                    result = caller(**kwargs)
            except Exception as exc:
                earlier = [f for f in seen if not f.resolved and f.exception is not getattr(exc, "orig", exc)]
                if earlier:  # a previous implementation swallowed the error this one tripped over
                    raise _swallowed(self._pm, caller, name, earlier[0]) from exc
                culprit = _culprit(self._pm, caller, exc)
                if culprit and not getattr(exc, "loom_hook", None):
                    exc.loom_hook = (name, culprit)  # type: ignore[attr-defined]
                    exc.add_note(f"raised in hook {name!r} implemented by module {culprit!r}")
                raise
            swallowed = [fault for fault in seen if not fault.resolved]
            if swallowed:
                raise _swallowed(self._pm, caller, name, swallowed[0])
            return result

        return call


def _swallowed(pm: pluggy.PluginManager, caller: Any, hook: str, fault: faults.Fault) -> UserError:
    """The error naming the implementation that caught ``fault`` and returned normally."""
    culprit = _swallower(pm, caller, fault) or "unknown"
    error = UserError("kernel.hook_swallowed_database_error", hook=hook, module=culprit, error=fault.error)
    error.loom_hook = (hook, culprit)  # type: ignore[attr-defined]
    return error


def _swallower(pm: pluggy.PluginManager, caller: Any, fault: faults.Fault) -> str | None:
    """The module whose implementation was on the stack when the swallowed error happened."""
    codes = {impl.function.__code__: impl for impl in caller.get_hookimpls()}
    for code in fault.frames:
        if code in codes:
            return impl_module(pm, codes[code])
    return None


def _culprit(pm: pluggy.PluginManager, caller: Any, exc: BaseException) -> str | None:
    codes = {impl.function.__code__: impl for impl in caller.get_hookimpls()}
    tb = exc.__traceback__
    found = None
    while tb is not None:
        impl = codes.get(tb.tb_frame.f_code)
        if impl is not None:
            found = impl_module(pm, impl)
        tb = tb.tb_next
    return found
