"""Parsing a domain: its structure, the paths' syntax, the operators and the values' shape.

Nothing here looks at a schema: :func:`_parse` turns the JSON-friendly data into ``_Node`` and
``_Condition`` trees that both the SQL compiler and the Python evaluator start from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from loom.kernel.domain.errors import MalformedDomainError, _invalid_field, _invalid_value, _malformed, _show
from loom.kernel.errors import InvalidOperatorError, ValidationError

OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "in", "not_in", "like", "ilike", "is_null")
MAX_DEPTH = 32
MAX_CONDITIONS = 500
MAX_LIST = 1000
MAX_LINKS = 4

_COMBINATORS = ("and", "or", "not")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_NEGATIONS = {"!=": "=", "not_in": "in"}


@dataclass(frozen=True)
class _Condition:
    path: str
    operator: str
    value: Any


@dataclass(frozen=True)
class _Node:
    combinator: str
    children: tuple[Any, ...]


def _parse(domain: Any) -> _Node | _Condition:
    if not isinstance(domain, (list, tuple)):
        raise _malformed("domain")
    return _Parser().node(domain, "domain", 1)


class _Parser:
    """Checks the structure, the paths' syntax, the operators and the values' shape."""

    def __init__(self) -> None:
        self.conditions = 0

    def node(self, node: Any, where: str, depth: int) -> _Node | _Condition:
        if depth > MAX_DEPTH:
            raise MalformedDomainError("kernel.domain_too_deep", limit=MAX_DEPTH)
        if not isinstance(node, (list, tuple)):
            raise _malformed(where)
        head = node[0] if node else None
        if isinstance(head, str) and head in _COMBINATORS:
            return self.combinator(head, node, where, depth)
        if isinstance(head, str):
            return self.condition(node, where)
        return _Node("and", self.children(node, 0, where, depth))

    def combinator(self, head: str, node: Sequence, where: str, depth: int) -> _Node:
        if head == "not" and len(node) != 2:
            raise _malformed(where)
        return _Node(head, self.children(node, 1, where, depth))

    def children(self, node: Sequence, start: int, where: str, depth: int) -> tuple[Any, ...]:
        return tuple(self.node(node[i], f"{where}[{i}]", depth + 1) for i in range(start, len(node)))

    def condition(self, node: Sequence, where: str) -> _Condition:
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise MalformedDomainError("kernel.domain_too_large", limit=MAX_CONDITIONS)
        if len(node) != 3:
            raise _malformed(where)
        path, operator, value = node
        _segments(path)
        _check_operator(path, operator)
        _check_shape(path, operator, value)
        return _Condition(path, operator, value)


def _segments(path: str) -> list[str]:
    segments = path.split(".")
    if not all(_IDENTIFIER.fullmatch(segment) for segment in segments):
        raise _invalid_field(path)
    if len(segments) > MAX_LINKS + 1:
        raise _invalid_field(path, "kernel.domain_path_too_long", limit=MAX_LINKS)
    return segments


def _check_operator(path: str, operator: Any, allowed: Sequence[str] = OPERATORS) -> None:
    if not isinstance(operator, str) or operator not in allowed:
        raise InvalidOperatorError("kernel.domain_invalid_operator", field=_show(path), path=_show(path),
                                   operator=_show(operator), allowed=", ".join(allowed))


def _check_shape(path: str, operator: str, value: Any) -> None:
    if operator == "is_null":
        if not isinstance(value, bool):
            raise _invalid_value(path, operator, value, "true | false")
    elif operator in ("in", "not_in"):
        if not (isinstance(value, (list, tuple)) and 0 < len(value) <= MAX_LIST) or None in value:
            raise ValidationError("kernel.domain_list_value", field=_show(path), path=_show(path),
                                  operator=operator, limit=MAX_LIST)
    elif value is None:
        raise ValidationError("kernel.domain_null_value", field=_show(path), path=_show(path),
                              operator=operator)
