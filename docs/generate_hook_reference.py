"""Write docs/hooks.md, the hook reference, from the hook specs of the kernel and every shipped module.

Run ``python docs/generate_hook_reference.py`` after changing a ``hookspecs.py``;
tests/cli/test_hook_reference_fresh.py fails while docs/hooks.md differs from what this renders.

The specs are read from a registry holding every module shipped in modules/ (so every spec and
every shipped implementation is known), grouped by owner (the kernel first, then modules in
dependency order) and, inside an owner, by the lifecycle banners (``# --- module lifecycle ---``)
of its ``hookspecs.py``, in source order.
"""

from __future__ import annotations

import inspect
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

TARGET = Path(__file__).resolve().with_name("hooks.md")
BANNER = re.compile(r"^# -+ (?P<title>.+?) -+\s*$")
SPHINX_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")

INTRO = """\
# Hook reference

Generated from the hook specifications by `python docs/generate_hook_reference.py`; a test fails
when this page is out of date or misses a hook. `loom hooks` prints the same specs with the
modules implementing each, in call order, for the installed set of a database.

## How hooks work

A hook is a function that one owner declares (a *spec*, in the kernel's `kernel/hookspecs.py` or a
module's `hookspecs.py`) and that any module may implement. Loom uses
[pluggy](https://pluggy.readthedocs.io/): specs are marked with `loom.kernel.hooks.hookspec`,
implementations with `loom.kernel.hooks.hookimpl`, and a module lists both in its `register(loom)`:

```python
from loom.modules.sales import hooks, hookspecs


def register(loom):
    loom.hookspecs(hookspecs)   # the hooks this module owns
    loom.hooks(hooks)           # its implementations of its own and others' hooks
```

**Names say the role.**

| name | role | result |
| --- | --- | --- |
| `register_*` | returns contributions (settings, checks) | one list per implementation; the caller concatenates |
| `prepare_*` | mutates what it is given, in place | ignored |
| `*_from_*` | resolves one value | the first non-`None` result wins (`firstresult`) |
| `on_*` | reacts to a business event | ignored |

**Call order.** Every implementation is called, later-registered modules first (dependents before
the modules they depend on) unless an implementation asks for `hookimpl(tryfirst=True)` or
`trylast=True`; arguments are passed by keyword, and an implementation may accept any subset of
the spec's arguments. A spec marked *first result* stops at the first implementation
that returns something other than `None` and returns that value; the others return the list of
non-`None` results.

**Transactions.** A hook runs inside the caller's unit of work unless its description says
otherwise: whatever it writes commits or rolls back with the action, and an implementation that
raises rolls the whole action back. The error then carries a note naming the hook and the module
that raised, and every channel reports it as it reports any other error (the CLI: one line).

**Validated when the registry is built.** An implementation of a hook no installed module declares,
an argument the spec does not have, or an implementation of a hook whose owner is outside the
module's dependency closure (what two optional modules do together belongs in a bridge module) is
a configuration error naming the module, the hook and the problem.

**Introspection.** `loom hooks` (or `loom hooks --json`) lists every spec of the database's
installed set with its owner, signature and implementations in call order. Set
`LOOM_TRACE_HOOKS=1` to print each hook call, the modules it reaches and any exception, on stderr.
"""


class _Written(str):
    """An annotation kept as the source text (``from __future__ import annotations``), shown unquoted."""

    def __repr__(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Spec:
    """One hook spec as the reference shows it."""

    name: str
    owner: str
    section: str
    line: int
    signature: str
    doc: str
    firstresult: bool
    historic: bool
    implementations: tuple[str, ...]
    source: str


def signature_of(function: Any) -> str:
    """``name(arg: Type, ...) -> Result`` exactly as written in the spec's source."""
    sig = inspect.signature(function)
    params = [p.replace(annotation=_Written(p.annotation)) if isinstance(p.annotation, str) else p
              for p in sig.parameters.values()]
    result = sig.return_annotation
    sig = sig.replace(parameters=params,
                      return_annotation=_Written(result) if isinstance(result, str) else result)
    return f"{function.__name__}{sig}"


def section_of(module: ModuleType, line: int) -> str:
    """The title of the last lifecycle banner above ``line`` in ``module``'s source."""
    title = "Hooks"
    for number, text in enumerate(inspect.getsource(module).splitlines(), start=1):
        if number >= line:
            break
        match = BANNER.match(text)
        if match:
            title = match["title"].strip()
    return title[:1].upper() + title[1:]


def shipped_modules() -> list[str]:
    """Every module shipped in modules/ (not distributions, not ``LOOM_MODULE_PATH`` folders)."""
    from loom.kernel.manifest import discover

    return sorted(m.name for m in discover().values() if m.package.startswith("loom.modules."))


def collect() -> list[Spec]:
    """Every spec of the kernel and the shipped modules, owners in registry order, then by source line."""
    from loom.kernel.hooks import hook_table
    from loom.kernel.registry import registry_for

    shipped = shipped_modules()
    registry = registry_for(frozenset(shipped))
    rank = {module: index for index, module in enumerate(registry.modules)}
    keep = {"kernel", *shipped}  # a bridge found elsewhere may join the registry; it is not documented here
    specs = [_spec(registry.pm, row, keep) for row in hook_table(registry.pm) if row["owner"] in keep]
    return sorted(specs, key=lambda s: (rank[s.owner], s.line))


def _spec(pm: Any, row: dict[str, Any], keep: set[str]) -> Spec:
    spec = getattr(pm.hook, row["hook"]).spec
    function = spec.function
    module = sys.modules[function.__module__]
    line = function.__code__.co_firstlineno
    return Spec(name=row["hook"], owner=row["owner"], section=section_of(module, line), line=line,
                signature=signature_of(function), doc=inspect.getdoc(function) or "(no description)",
                firstresult=bool(spec.opts.get("firstresult")), historic=bool(spec.opts.get("historic")),
                implementations=tuple(m for m in row["implementations"] if m in keep), source=function.__module__)


def _owner_title(owner: str) -> str:
    return "Kernel hooks" if owner == "kernel" else f"Hooks of the `{owner}` module"


def _render_spec(spec: Spec) -> str:
    doc = SPHINX_ROLE.sub(r"``\1``", spec.doc)
    calls = ("stops at the first non-`None` result and returns it (first result)" if spec.firstresult
             else "every implementation; returns the list of their non-`None` results")
    if spec.historic:
        calls += "; historic: implementations registered later are called with the earlier calls"
    impls = ", ".join(f"`{m}`" for m in spec.implementations) or "none yet"
    return (f"#### `{spec.name}`\n\n```python\n{spec.signature}\n```\n\n{doc}\n\n"
            f"- Declared in: `{spec.source}`\n- Calls: {calls}\n"
            f"- Implemented by (shipped modules, in call order): {impls}\n")


def render(specs: list[Spec] | None = None) -> str:
    """The whole page."""
    specs = collect() if specs is None else specs
    parts = [INTRO]
    owner = section = None
    for spec in specs:
        if spec.owner != owner:
            owner, section = spec.owner, None
            parts.append(f"## {_owner_title(owner)}\n")
        if spec.section != section:
            section = spec.section
            parts.append(f"### {section}\n")
        parts.append(_render_spec(spec))
    return "\n".join(parts)


def main() -> None:
    """Write docs/hooks.md (``--check``: exit 1 when it is out of date instead)."""
    text = render()
    if "--check" in sys.argv[1:]:
        current = TARGET.read_text("utf-8") if TARGET.exists() else ""
        sys.exit(0 if current == text else f"{TARGET} is out of date: run `python docs/generate_hook_reference.py`")
    TARGET.write_text(text, "utf-8")
    print(f"Wrote {TARGET}")


if __name__ == "__main__":
    main()
