"""A parsed domain checked against the schema, with every ``not`` pushed down to the conditions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loom.kernel.domain.schema import _KIND_OPERATORS, _Context, _Path, _resolve
from loom.kernel.domain.syntax import _NEGATIONS, _check_operator, _Condition, _Node
from loom.kernel.domain.values import _typed


@dataclass(frozen=True)
class _Leaf:
    """A checked condition in positive form (``=  <  <=  >  >=  in  like  ilike  not_null``)."""

    path: _Path
    operator: str
    value: Any
    negated: bool


def _leaf(condition: _Condition, model: str, context: _Context, negate: bool) -> _Leaf:
    path = _resolve(condition.path, model, context)
    operator = condition.operator
    _check_operator(path.text, operator, _KIND_OPERATORS[path.field.kind])
    value = _typed(path, operator, condition.value)
    if operator == "is_null":
        return _Leaf(path, "not_null", None, negate != value)
    if operator in _NEGATIONS:
        return _Leaf(path, _NEGATIONS[operator], value, not negate)
    return _Leaf(path, operator, value, negate)


def _normal(node: _Node | _Condition, model: str, context: _Context, negate: bool) -> _Node | _Leaf:
    """Check ``node`` against the schema and push every ``not`` down to the conditions."""
    if isinstance(node, _Condition):
        return _leaf(node, model, context, negate)
    if node.combinator == "not":
        return _normal(node.children[0], model, context, not negate)
    combinator = {"and": "or", "or": "and"}[node.combinator] if negate else node.combinator
    return _Node(combinator, tuple(_normal(child, model, context, negate) for child in node.children))
