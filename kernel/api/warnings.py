"""Warnings to acknowledge over the API (see :mod:`loom.kernel.acknowledge`).

A write that meets a business warning answers 422 with code ``warning``; its details name the
first warning (``warning_id``) and list every warning the request meets (``warnings``: id and
message each), found by running the request again, rolled back, with the warnings found so far
acknowledged. The client repeats the request with ``"acknowledge": [ids]`` in its JSON body (a
``POST`` or ``PATCH``) or ``?acknowledge=id,id`` in the query string (any write, transitions
and deletes included); ids that are not warnings of the database are refused naming
``acknowledge``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, request

from loom.kernel.acknowledge import MAX_ACKNOWLEDGED, known_warning_ids
from loom.kernel.api.errors import MalformedRequestError
from loom.kernel.environment import Environment
from loom.kernel.errors import LoomError, Warning  # noqa: A004 - errors.Warning is the design's name
from loom.kernel.web.state import loom_state

FIELD = "acknowledge"


def acknowledged(values: dict[str, Any] | None = None) -> frozenset[str]:
    """The warning ids the request acknowledges: ``values["acknowledge"]`` (removed from ``values``, a
    JSON body) and the ``acknowledge`` query parameter, each checked to be a known warning id."""
    given: list[Any] = []
    if values is not None and FIELD in values:
        listed = values.pop(FIELD)
        if not isinstance(listed, list):
            raise MalformedRequestError("kernel.api_acknowledge_malformed", field=FIELD)
        given += listed
    query = request.args.get(FIELD)
    if query is not None:
        given += [part.strip() for part in query.split(",") if part.strip()]
    return known_warning_ids(loom_state().registry, given, field=FIELD) if given else frozenset()


class _Probed(Exception):
    """The rerun went through: it is rolled back on purpose (nothing the probe did is kept)."""


def every_warning(first: Warning, run: Callable[[Callable[[Environment], Any], frozenset[str]], Any],
                  work: Callable[[Environment], Any], acknowledged_ids: frozenset[str]) -> Warning:
    """``first`` with the list of every warning the request meets: ``run(work, ids)`` repeats the
    request's unit of work with ``ids`` acknowledged until it meets no new warning."""
    found = [first]

    def probe(env: Environment) -> Any:
        work(env)
        raise _Probed

    while len(found) < MAX_ACKNOWLEDGED:
        seen = acknowledged_ids | {w.warning_id for w in found}
        try:
            run(probe, seen)
        except Warning as more:
            if more.warning_id in seen:
                break
            found.append(more)
            continue
        except (_Probed, LoomError):  # through, or another refusal that the resubmission will meet
            pass
        break
    lang = g.get("loom_lang", "en")
    params = {key: value for key, value in first.params.items() if key != "warning_id"}
    listed = [{"warning_id": w.warning_id, "message": w.message(lang)} for w in found]
    return Warning(first.message_id, warning_id=first.warning_id, field=first.field, **params, warnings=listed)
