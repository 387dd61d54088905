"""Drawing modules and their dependencies for ``loom module graph``: Graphviz DOT or a text tree."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from loom.kernel.manifest.reading import KERNEL, Manifest, Manifests
from loom.kernel.manifest.resolution import _ordered, _require_known


def graph(manifests: Manifests, names: Iterable[str]) -> str:
    """``names`` and their dependencies among them as a Graphviz DOT digraph (edge = depends on).

    Edges implied through another dependency are left out (a transitive reduction); bridges are
    dashed boxes.
    """
    order, edges = _reduced(manifests, names)
    lines = ["digraph loom_modules {", "  rankdir=BT;", "  node [shape=box];"]
    for name in order:
        style = ", style=dashed" if manifests[name].auto_install else ""
        lines.append(f'  "{name}" [label="{name}\\n{manifests[name].version}"{style}];')
    lines += [f'  "{name}" -> "{dep}";' for name in order for dep in edges[name]]
    lines.append("}")
    return "\n".join(lines) + "\n"


def tree(manifests: Manifests, names: Iterable[str]) -> str:
    """``names`` as a text tree: each module under the modules it directly depends on.

    Edges are reduced as in :func:`graph`. A module under several parents is expanded the first
    time; later occurrences with children of their own end in ``…``.
    """
    order, edges = _reduced(manifests, names)
    children: dict[str, list[str]] = {name: [] for name in order}
    for name in order:
        for dep in edges[name]:
            children[dep].append(name)
    shown: set[str] = set()
    lines: list[str] = []
    for root in (name for name in order if not edges[name]):
        shown.add(root)
        lines += [_label(manifests[root]), *_branch(manifests, children, root, "", shown)]
    return "\n".join(lines) + "\n"


def _branch(manifests: Manifests, children: dict[str, list[str]], name: str, prefix: str,
            shown: set[str]) -> Iterator[str]:
    """The tree lines below ``name``, indented by ``prefix``."""
    kids = children[name]
    for index, kid in enumerate(kids):
        last = index == len(kids) - 1
        repeat = kid in shown and bool(children[kid])
        yield f"{prefix}{'└── ' if last else '├── '}{_label(manifests[kid])}{' …' if repeat else ''}"
        if not repeat:
            shown.add(kid)
            yield from _branch(manifests, children, kid, prefix + ("    " if last else "│   "), shown)


def _label(manifest: Manifest) -> str:
    """``name version``, marked when the module is a bridge."""
    return f"{manifest.name} {manifest.version}" + (" (bridge)" if manifest.auto_install else "")


def _reduced(manifests: Manifests, names: Iterable[str]) -> tuple[list[str], dict[str, list[str]]]:
    """``names`` in topological order and, for each, its direct dependencies among ``names`` that are
    not also reached through another of them."""
    names = [name for name in names if name != KERNEL]
    _require_known(manifests, names)
    order = _ordered(manifests, set(names))
    reach: dict[str, set[str]] = {}
    edges: dict[str, list[str]] = {}
    for name in order:
        direct = [dep for dep in manifests[name].depends if dep in reach]
        reach[name] = set(direct).union(*(reach[dep] for dep in direct))
        edges[name] = sorted(dep for dep in direct if not any(dep in reach[other] for other in direct))
    return order, edges
