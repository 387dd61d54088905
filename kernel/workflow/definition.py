"""A model's workflow as one registry composed it: merged, validated, cached per registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from loom.kernel.errors import ConfigurationError, UserError
from loom.kernel.workflow.declaration import WAITING_APPROVAL, Transition, Workflow

if TYPE_CHECKING:
    from loom.kernel.registry import Registry

_cache: WeakKeyDictionary[Registry, dict[str, ModelWorkflow | None]] = WeakKeyDictionary()


@dataclass(frozen=True)
class ModelWorkflow:
    """The composed workflow of ``model``: its state field, states and transitions by name."""

    model: str
    field: str
    states: tuple[str, ...]
    initial: str
    transitions: dict[str, Transition]

    @property
    def approvable(self) -> bool:
        """Whether any transition accepts approval rules (the model then has ``waiting_approval``)."""
        return any(t.approval for t in self.transitions.values())

    def transition(self, name: str) -> Transition:
        """The transition ``name``; a ``UserError`` naming the model and its transitions otherwise."""
        try:
            return self.transitions[name]
        except KeyError:
            raise UserError("kernel.transition_unknown", field="transition", model=self.model, transition=name,
                            known=", ".join(self.transitions)) from None

    def allowed_from(self, state: str) -> list[str]:
        """Names of the transitions that may leave ``state``."""
        return [t.name for t in self.transitions.values() if state in t.sources]


def workflow_of(registry: Registry, model: str) -> ModelWorkflow:
    """The workflow of ``model`` in ``registry``; ``UserError`` when the model has none."""
    found = find_workflow(registry, model)
    if found is None:
        raise UserError("kernel.workflow_none", field="model", model=model)
    return found


def find_workflow(registry: Registry, model: str) -> ModelWorkflow | None:
    """The workflow of ``model`` in ``registry``, or None (built and validated once per registry)."""
    per_model = _cache.setdefault(registry, {})
    if model not in per_model:
        per_model[model] = _compose(registry, model)
    return per_model[model]


def check_workflows(registry: Registry) -> dict[str, ModelWorkflow]:
    """Compose and validate every workflow of ``registry`` (a configuration error names the problem)."""
    found = {name: find_workflow(registry, name) for name in registry.models}
    return {name: wf for name, wf in found.items() if wf is not None}


def _compose(registry: Registry, model: str) -> ModelWorkflow | None:
    cls = registry[model]
    declared: Workflow | None = None
    for part in reversed(cls.__mro__):  # the declaring module first, then its extensions in order
        own = part.__dict__.get("__workflow__")
        if own is not None:
            declared = own if declared is None else declared.merged(own, model)
    if declared is None:
        return None
    states = declared.states
    if any(t.approval for t in declared.transitions) and WAITING_APPROVAL not in states:
        states = (*states, WAITING_APPROVAL)
    result = ModelWorkflow(model=model, field=declared.field or "state", states=states,
                           initial=declared.initial or (states[0] if states else ""),
                           transitions={t.name: t for t in declared.transitions})
    _validate(registry, cls, result)
    return result


def _validate(registry: Registry, cls: type, wf: ModelWorkflow) -> None:
    def fail(problem: str, **params: object) -> None:
        raise ConfigurationError("kernel.workflow_invalid", model=wf.model, problem=problem.format(**params))

    info = registry.fields(wf.model).get(wf.field)
    if info is None or info.kind not in ("string", "selection"):
        fail("the state field {field} is not a text or selection column", field=wf.field)
    if not info.readonly:
        fail("the state field {field} must be read-only (info={{'readonly': True}}): only transitions change it",
             field=wf.field)
    missing = [s for s in wf.states if info.selection and s not in info.selection]
    if missing:
        fail("states {states} are not in the selection of {field}", states=", ".join(missing), field=wf.field)
    if wf.initial not in wf.states:
        fail("the initial state {state} is not a declared state", state=wf.initial)
    for t in wf.transitions.values():
        unknown = [s for s in (*t.sources, t.target) if s not in wf.states]
        if not t.sources or t.target is None or unknown:
            fail("transition {name} needs sources and a target among the states (unknown: {unknown})",
                 name=t.name, unknown=", ".join(map(str, unknown)) or "-")
        for method in (*t.guards, *t.actions):
            if not callable(getattr(cls, method, None)):
                fail("transition {name} names {method}, which is not a method of the model", name=t.name,
                     method=method)
        if t.hook is not None:
            _check_hook(registry, wf, t, fail)


def _check_hook(registry: Registry, wf: ModelWorkflow, t: Transition, fail) -> None:
    caller = getattr(registry.pm.hook, t.hook, None)
    spec = getattr(caller, "spec", None)
    if spec is None:
        fail("transition {name} fires {hook}, which no installed module declares", name=t.name, hook=t.hook)
    arguments = [a for a in spec.argnames if a != "env"]
    if "env" not in spec.argnames or len(arguments) != 1:
        fail("hook {hook} of transition {name} must take env and one argument for the records",
             hook=t.hook, name=t.name)


def hook_argument(registry: Registry, hook: str) -> str:
    """The name of the records argument of business hook ``hook`` (its one argument besides env)."""
    spec = getattr(registry.pm.hook, hook).spec
    return next(a for a in spec.argnames if a != "env")
