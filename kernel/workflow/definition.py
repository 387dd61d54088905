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
    info = registry.fields(wf.model).get(wf.field)
    if info is None or info.kind not in ("string", "selection"):
        raise ConfigurationError("kernel.workflow_state_field_invalid", model=wf.model, field=wf.field)
    if not info.readonly:
        raise ConfigurationError("kernel.workflow_state_field_writable", model=wf.model, field=wf.field)
    missing = [s for s in wf.states if info.selection and s not in info.selection]
    if missing:
        raise ConfigurationError("kernel.workflow_states_not_selectable", model=wf.model, field=wf.field,
                                 states=", ".join(missing))
    if wf.initial not in wf.states:
        raise ConfigurationError("kernel.workflow_initial_unknown", model=wf.model, state=wf.initial)
    for t in wf.transitions.values():
        unknown = [s for s in (*t.sources, t.target) if s not in wf.states]
        if not t.sources or t.target is None or unknown:
            raise ConfigurationError("kernel.workflow_transition_states_invalid", model=wf.model, transition=t.name,
                                     states=", ".join(map(str, unknown)) or "-")
        for method in (*t.guards, *t.actions):
            if not callable(getattr(cls, method, None)):
                raise ConfigurationError("kernel.workflow_method_missing", model=wf.model, transition=t.name,
                                         method=method)
        if t.hook is not None:
            _check_hook(registry, wf, t)


def _check_hook(registry: Registry, wf: ModelWorkflow, t: Transition) -> None:
    spec = getattr(getattr(registry.pm.hook, t.hook, None), "spec", None)
    if spec is None:
        raise ConfigurationError("kernel.workflow_hook_unknown", model=wf.model, transition=t.name, hook=t.hook)
    if "env" not in spec.argnames or len(spec.argnames) != 2:
        raise ConfigurationError("kernel.workflow_hook_arguments", model=wf.model, transition=t.name, hook=t.hook,
                                 arguments=", ".join(spec.argnames))


def hook_argument(registry: Registry, hook: str) -> str:
    """The name of the records argument of business hook ``hook`` (its one argument besides env)."""
    spec = getattr(registry.pm.hook, hook).spec
    return next(a for a in spec.argnames if a != "env")
