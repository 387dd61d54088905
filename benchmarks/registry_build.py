"""Registry build in process: composed and configured, against plain declarative mapping of the same models.

For each installed set (the shipped modules: kernel + base; and every module including the test
modules), after importing the module packages once:

- **composed**: ``Registry(modules, manifests)`` built fresh ``runs`` times (what ``registry_for``
  does on a cache miss): each module's ``register()``, composition, ``configure()`` of the mappers,
  the pluggy manager with its checks and ``on_registry_ready``. Phases are timed by wrapping the
  registry's methods in this process.
- **plain**: the same tables and relationships mapped with plain SQLAlchemy declarative classes on a
  new ``DeclarativeBase``: every table of the composed registry's ``MetaData`` is copied with
  ``Table.to_metadata`` (new ``Table``/``Column``/constraint objects, as writing them by hand would
  create), each model becomes ``class X(PlainBase): __table__ = copied`` with the same version column
  and the same ``relationship()``s (targets, foreign keys, back-populates, secondary tables, order,
  cascades), then ``configure()``. The recipe is read from the composed registry before timing.

Reports both medians and the ratio composed / plain (target: composition overhead ≤ 30 %).

    python benchmarks/registry_build.py --runs 15
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from _common import (
    FIXTURES,
    in_bench_venv,
    print_table,
    reexec_in_venv,
    stop_cleanly_on_sigterm,
    summarize,
    verdict,
    write_results,
)

TARGET_BUILD = 0.6  # seconds, shipped modules, imports excluded
TARGET_OVERHEAD = 0.30  # composed / plain - 1
CASCADES = ("save-update", "merge", "delete", "delete-orphan", "refresh-expire", "expunge")


# -- the plain equivalent -----------------------------------------------------------------------


@dataclass
class RelSpec:
    key: str
    target: str
    foreign_keys: list[tuple[str, str]]
    back_populates: str | None
    cascade: str
    passive_deletes: bool
    secondary: str | None = None
    remote_side: list[tuple[str, str]] = field(default_factory=list)
    order_by: list[tuple[str, str]] = field(default_factory=list)
    self_m2m: bool = False


@dataclass
class ModelSpec:
    model: str
    class_name: str
    table: str
    relationships: list[RelSpec]


def plain_recipe(registry: Any) -> list[ModelSpec]:
    """What the plain mapping needs, read from a composed registry (outside any timing)."""
    specs = []
    for model, cls in registry.models.items():
        rels = []
        for rel in cls.__mapper__.relationships:
            target = rel.mapper.local_table.info["model"]
            cascade = ", ".join(c for c in CASCADES if getattr(rel.cascade, c.replace("-", "_")))
            self_m2m = rel.secondary is not None and target == model
            self_m2o = target == model and rel.direction.name == "MANYTOONE"
            fks = [] if rel.secondary is not None else [(c.table.name, c.name) for c in rel._user_defined_foreign_keys]
            rels.append(RelSpec(
                key=rel.key, target=target, foreign_keys=fks,
                back_populates=rel.back_populates, cascade=cascade, passive_deletes=bool(rel.passive_deletes),
                secondary=rel.secondary.name if rel.secondary is not None else None,
                remote_side=[(c.table.name, c.name) for c in rel.remote_side] if self_m2o else [],
                order_by=[(c.table.name, c.name) for c in (rel.order_by or ())], self_m2m=self_m2m))
        specs.append(ModelSpec(model, cls.__name__, cls.__table__.name, rels))
    return specs


def build_plain(template_metadata: Any, recipe: list[ModelSpec], naming: dict[str, str]) -> Any:
    """Map ``recipe`` with plain declarative classes on a new base; returns the base."""
    from sqlalchemy import MetaData
    from sqlalchemy.orm import DeclarativeBase, relationship

    class PlainBase(DeclarativeBase):
        metadata = MetaData(naming_convention=naming)

    tables = {name: table.to_metadata(PlainBase.metadata) for name, table in template_metadata.tables.items()}
    classes: dict[str, type] = {}

    def col(ref: tuple[str, str]) -> Any:
        return tables[ref[0]].c[ref[1]]

    for spec in recipe:
        table = tables[spec.table]
        namespace: dict[str, Any] = {"__table__": table, "__mapper_args__": {"version_id_col": table.c.version}}
        for rel in spec.relationships:
            options: dict[str, Any] = {"back_populates": rel.back_populates, "cascade": rel.cascade,
                                       "passive_deletes": rel.passive_deletes}
            if rel.foreign_keys:
                options["foreign_keys"] = [col(r) for r in rel.foreign_keys]
            if rel.secondary:
                options["secondary"] = tables[rel.secondary]
            if rel.self_m2m:
                link = tables[rel.secondary]
                options["primaryjoin"] = table.c.id == link.c.left_id
                options["secondaryjoin"] = table.c.id == link.c.right_id
            if rel.remote_side:
                options["remote_side"] = [col(r) for r in rel.remote_side]
            if rel.order_by:
                options["order_by"] = [col(r) for r in rel.order_by]
            namespace[rel.key] = relationship(lambda t=rel.target: classes[t], **options)
        classes[spec.model] = type(spec.class_name, (PlainBase,), namespace)
    PlainBase.registry.configure()
    PlainBase.loom_classes = classes
    return PlainBase


def check_equivalent(registry: Any, plain: Any) -> dict[str, Any]:
    """Same tables, columns, constraints and relationships on both sides (else the comparison is void)."""
    def shape(metadata: Any, classes: dict[str, type]) -> dict[str, Any]:
        return {
            "tables": sorted(metadata.tables),
            "columns": sum(len(t.c) for t in metadata.tables.values()),
            "indexes": sum(len(t.indexes) for t in metadata.tables.values()),
            "constraints": sum(len(t.constraints) for t in metadata.tables.values()),
            "relationships": sorted((m, r.key, r.direction.name, r.mapper.local_table.name)
                                    for m, c in classes.items() for r in c.__mapper__.relationships),
        }

    composed, other = shape(registry.metadata, registry.models), shape(plain.metadata, plain.loom_classes)
    if composed != other:
        raise AssertionError(f"plain mapping differs from the composed one: {composed} != {other}")
    return {"models": len(registry.models), "tables": len(composed["tables"]), "columns": composed["columns"],
            "indexes": composed["indexes"], "constraints": composed["constraints"],
            "relationships": len(composed["relationships"])}


# -- timing -------------------------------------------------------------------------------------


class PhaseTimer:
    def __init__(self) -> None:
        self.times: dict[str, float] = defaultdict(float)

    @contextmanager
    def phase(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.times[name] += time.perf_counter() - start

    def take(self) -> dict[str, float]:
        times, self.times = dict(self.times), defaultdict(float)
        return times


def instrument(timer: PhaseTimer) -> None:
    """Wrap the registry's building steps and SQLAlchemy's configure (this process only)."""
    from sqlalchemy.orm import registry as sa_registry

    from loom.kernel.registry import Registry

    for owner, name, phase in ((Registry, "_load", "register() calls"), (Registry, "_compose", "compose"),
                               (Registry, "_plugin_manager", "plugin manager"),
                               (sa_registry, "configure", "configure mappers")):
        original = getattr(owner, name)

        def wrapper(*args: Any, _original: Any = original, _phase: str = phase, **kwargs: Any) -> Any:
            with timer.phase(_phase):
                return _original(*args, **kwargs)

        setattr(owner, name, wrapper)


def measure_set(label: str, modules: list[str], roots: tuple[str, ...], runs: int, timer: PhaseTimer) -> dict:
    from loom.kernel import manifest
    from loom.kernel.registry import NAMING_CONVENTION, Registry, registry_for

    manifests = manifest.discover(extra_paths=roots)
    registry_for.cache_clear()
    start = time.perf_counter()
    template = Registry(modules, manifests)  # imports the module packages: not part of the figure
    first = time.perf_counter() - start
    timer.take()
    recipe = plain_recipe(template)
    shape = check_equivalent(template, build_plain(template.metadata, recipe, NAMING_CONVENTION))
    timer.take()

    composed, plain, phases = [], [], defaultdict(list)
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        Registry(modules, manifests)
        composed.append(time.perf_counter() - start)
        times = timer.take()
        for name, value in times.items():
            phases[name].append(value)
        phases["rest (on_registry_ready, base, hooks relay)"].append(composed[-1] - sum(times.values()))
        gc.collect()
        start = time.perf_counter()
        build_plain(template.metadata, recipe, NAMING_CONVENTION)
        plain.append(time.perf_counter() - start)
        phases["plain: configure mappers"].append(timer.take().get("configure mappers", 0.0))
    c, p = summarize(composed), summarize(plain)
    return {"label": label, "modules": template.modules, "shape": shape, "first_build_with_imports": first,
            "composed": c, "plain": p, "ratio": c["median"] / p["median"], "ratio_of_minimums": c["min"] / p["min"],
            "phases": {name: summarize(values)["median"] for name, values in phases.items()},
            "ms_per_model_composed": 1000 * c["median"] / shape["models"],
            "ms_per_model_plain": 1000 * p["median"] / shape["models"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", action="store_true", help="run under benchmarks/.venv-bench (non-editable install)")
    parser.add_argument("--runs", type=int, default=31)
    args = parser.parse_args()
    stop_cleanly_on_sigterm()
    if args.venv:
        reexec_in_venv([__file__, *sys.argv[1:]])
    sys.path.insert(0, str(FIXTURES))
    timer = PhaseTimer()
    instrument(timer)
    sets = [measure_set("shipped (kernel + base)", ["base"], (), args.runs, timer),
            measure_set("all incl. test modules", ["loomtest_alpha", "loomtest_beta"], (str(FIXTURES),),
                        args.runs, timer)]
    shipped = sets[0]
    shipped["target"] = TARGET_BUILD
    shipped["verdict"] = verdict(shipped["composed"]["median"], TARGET_BUILD)
    for s in sets:
        s["overhead"] = s["ratio"] - 1
        s["overhead_target"] = TARGET_OVERHEAD
        s["overhead_verdict"] = verdict(s["overhead"], TARGET_OVERHEAD)

    installation = "venv (pip install)" if in_bench_venv() else f"current interpreter ({sys.executable})"
    print_table(f"Registry build in process, imports excluded, seconds ({args.runs} runs; {installation})",
                ["installed set", "models", "composed min", "composed median", "plain min", "plain median",
                 "overhead (medians)", "overhead (mins)", "target", ""],
                [[s["label"], s["shape"]["models"], s["composed"]["min"], s["composed"]["median"], s["plain"]["min"],
                  s["plain"]["median"], f"{100 * s['overhead']:+.0f} %", f"{100 * (s['ratio_of_minimums'] - 1):+.0f} %",
                  "≤ 30 %", s["overhead_verdict"]] for s in sets])
    print(f"shipped set: composed median {shipped['composed']['median']:.3f} s, target ≤ {TARGET_BUILD} s: "
          f"{shipped['verdict']}; first build with imports {shipped['first_build_with_imports']:.3f} s")
    for s in sets:
        print_table(f"Phases of a composed build, {s['label']} (medians, seconds)", ["phase", "median"],
                    list(s["phases"].items()))
    path = write_results("registry_build", {"installation": installation, "sets": sets, "unit": "seconds"})
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
