"""How a model declares its workflow: plain data on the class, merged across extensions.

::

    class Order(Model):
        __model__ = "sales.order"
        __workflow__ = Workflow(
            states=("draft", "confirmed", "done", "cancelled"),
            transitions=(
                Transition("confirm", "draft", "confirmed", guards=("_check_lines",),
                           actions=("_assign_numbers",), hook="on_order_confirmed", approval=True),
                Transition("done", "confirmed", "done"),
                Transition("cancel", ("draft", "confirmed"), "cancelled", roles=("sales.manager",)),
            ),
        )

* ``guards`` and ``actions`` name *batch* class methods ``(cls, env, records)`` of the model:
  guards run before the state changes and raise to refuse (naming the record); actions run after.
* ``hook`` names a business hook spec with ``env`` and one more argument, called with every
  record that made the transition; the kernel's ``on_transition`` is called for every transition.
* ``roles``: role codes, one of which the user must hold (empty: anyone who may write the model).
* ``approval=True``: approval rules (data, ``loom approval rule add``) may hold this transition;
  matching records then wait in the state ``waiting_approval``.

Another module extends the workflow by declaring ``__workflow__`` on its extension of the model:
its states are added, its new transitions added, and a transition it names again gains the
sources, guards, actions and roles it lists (its target, when given, must be the same).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from loom.kernel.errors import ConfigurationError

#: The state of a document whose transition waits for approvals.
WAITING_APPROVAL = "waiting_approval"


def _names(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass(frozen=True)
class Transition:
    """One named transition from ``sources`` (one state or several) to ``target``."""

    name: str
    sources: tuple[str, ...] = ()
    target: str | None = None
    guards: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    hook: str | None = None
    roles: tuple[str, ...] = ()
    approval: bool = False
    label: str | None = None

    def __post_init__(self) -> None:
        for name in ("sources", "guards", "actions", "roles"):
            object.__setattr__(self, name, _names(getattr(self, name)))

    def merged(self, other: Transition, model: str) -> Transition:
        """This transition extended by ``other`` (same name, declared by a dependent module)."""
        if other.target is not None and self.target is not None and other.target != self.target:
            raise ConfigurationError("kernel.workflow_target_conflict", model=model, transition=self.name,
                                     target=self.target, other=other.target)
        if other.hook and self.hook and other.hook != self.hook:
            raise ConfigurationError("kernel.workflow_hook_conflict", model=model, transition=self.name,
                                     hook=self.hook, other=other.hook)
        return replace(self, sources=_union(self.sources, other.sources), target=self.target or other.target,
                       guards=_union(self.guards, other.guards), actions=_union(self.actions, other.actions),
                       hook=self.hook or other.hook, roles=_union(self.roles, other.roles),
                       approval=self.approval or other.approval, label=self.label or other.label)


@dataclass(frozen=True)
class Workflow:
    """States and transitions of a model; ``field`` holds the state (``state`` by default) and
    ``initial`` is the state of new records (the first state by default)."""

    states: tuple[str, ...] = ()
    transitions: tuple[Transition, ...] = ()
    field: str | None = None
    initial: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "states", _names(self.states))
        object.__setattr__(self, "transitions", tuple(self.transitions))

    def merged(self, other: Workflow, model: str) -> Workflow:
        """This workflow extended by ``other`` (declared by a dependent module's extension)."""
        if other.field and self.field and other.field != self.field:
            raise ConfigurationError("kernel.workflow_field_conflict", model=model, field=self.field,
                                     other=other.field)
        by_name = {t.name: t for t in self.transitions}
        for transition in other.transitions:
            known = by_name.get(transition.name)
            by_name[transition.name] = known.merged(transition, model) if known else transition
        return Workflow(states=_union(self.states, other.states), transitions=tuple(by_name.values()),
                        field=self.field or other.field, initial=self.initial or other.initial)


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(first + second))
