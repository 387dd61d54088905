"""Cost of one hook call with 0, 1 and 5 implementations: pluggy directly and through Loom's ``env.hooks``.

Each figure is the median over ``repeat`` timings of ``number`` calls, in microseconds per call:

- ``pluggy``: ``pm.hook.on_bench_event(env=..., records=...)`` on a plain ``pluggy.PluginManager``;
- ``loom relay``: ``HookRelay(pm).on_bench_event(env=..., records=...)`` as business code writes
  ``env.hooks.on_bench_event(...)`` (attribute lookup, closure and error naming included), on a manager
  built by ``loom.kernel.hooks.build_plugin_manager`` (the registry's own construction).

    python benchmarks/hook_calls.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import timeit
import types

from _common import in_bench_venv, print_table, reexec_in_venv, stop_cleanly_on_sigterm, write_results

TARGET_US = None  # the issue asks for the figure, with no target


def _spec_module(hookspec):
    module = types.ModuleType("bench_hookspecs")

    @hookspec
    def on_bench_event(env, records):
        """A business event."""

    module.on_bench_event = on_bench_event
    return module


def _plugins(hookimpl, count: int) -> list[object]:
    plugins = []
    for i in range(count):
        class Plugin:
            @hookimpl
            def on_bench_event(self, env, records):
                return None

        Plugin.__name__ = f"BenchPlugin{i}"
        plugins.append(Plugin())
    return plugins


def _per_call_us(call, number: int, repeat: int) -> dict[str, float]:
    times = [t / number * 1e6 for t in timeit.repeat(call, number=number, repeat=repeat)]
    return {"min_us": min(times), "median_us": statistics.median(times), "max_us": max(times)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", action="store_true", help="run under benchmarks/.venv-bench (non-editable install)")
    parser.add_argument("--number", type=int, default=20000, help="calls per timing")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    stop_cleanly_on_sigterm()
    if args.venv:
        reexec_in_venv([__file__, *sys.argv[1:]])

    import pluggy

    from loom.kernel.hooks import HookRelay, build_plugin_manager, hookimpl, hookspec

    specs = _spec_module(hookspec)
    env, records = object(), object()
    rows, figures = [], {}
    for count in (0, 1, 5):
        plain = pluggy.PluginManager("loom")
        plain.add_hookspecs(specs)
        for plugin in _plugins(hookimpl, count):
            plain.register(plugin)
        loom_pm = build_plugin_manager([("bench", specs)],
                                       [(f"module{i}", p) for i, p in enumerate(_plugins(hookimpl, count))])
        relay = HookRelay(loom_pm)
        caller = plain.hook.on_bench_event
        figures[f"pluggy_{count}"] = _per_call_us(lambda c=caller: c(env=env, records=records), args.number,
                                                  args.repeat)
        figures[f"relay_{count}"] = _per_call_us(lambda r=relay: r.on_bench_event(env=env, records=records),
                                                 args.number, args.repeat)
        for kind in ("pluggy", "relay"):
            f = figures[f"{kind}_{count}"]
            rows.append([{"pluggy": "pluggy pm.hook.x(...)", "relay": "loom env.hooks.x(...)"}[kind], count,
                         f"{f['min_us']:.2f}", f"{f['median_us']:.2f}", f"{f['max_us']:.2f}"])
    installation = "venv (pip install)" if in_bench_venv() else f"current interpreter ({sys.executable})"
    print_table(f"One hook call, microseconds ({args.repeat} x {args.number} calls; {installation})",
                ["how", "implementations", "min µs", "median µs", "max µs"], rows)
    path = write_results("hook_calls", {"installation": installation, "pluggy_version": pluggy.__version__,
                                        "figures": figures, "unit": "microseconds per call"})
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
