"""A model's kanban board: one column per workflow state (a model with a workflow) or per stage (a
model with a ``stage_id`` many-to-one), each with the count of its records and at most
:data:`CARDS` cards. A board costs one query for the counts, one per column for its cards, one per
linked card field and one for a money field's currency, whatever the number of records; a stage
board one more for its stages.

Moving a card runs the one transition the user may run from the card's state to the column's, or
writes the card's stage: both through the user's environment, so rights and guards apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from loom.kernel.errors import MissingError, UserError, ValidationError
from loom.kernel.web.display import BOOKKEEPING, SHOWN_KINDS, cells, field_label, record_name, selection_label
from loom.kernel.web.texts import text
from loom.kernel.web.workflow_panel import may_run, transition_label
from loom.kernel.workflow import find_workflow, run_transition
from loom.kernel.workflow.definition import ModelWorkflow

#: Cards a column shows (its count says how many it holds).
CARDS = 50
#: Stages a stage board shows as columns.
MAX_STAGES = 30
#: Fields a card shows besides the record's name.
CARD_FIELDS = 3
#: The field that makes a model a stage board, and the column key of records without a stage.
STAGE_FIELD, NO_STAGE = "stage_id", ""


@dataclass(frozen=True)
class Column:
    """One column: the value its records hold (as the form sends it), its title, count and cards."""

    key: str
    title: str
    count: int
    cards: list[tuple[int, str, list[tuple[str, str]]]]


@dataclass(frozen=True)
class Board:
    """What a board groups by: a workflow's state field, or the stage many-to-one."""

    model: str
    field: str
    workflow: ModelWorkflow | None


def board_of(env: Any, model: str) -> Board:
    """The board of ``model``; 404 (``MissingError``) naming the model when it has neither a
    workflow nor a ``stage_id`` many-to-one."""
    if not has_board(env.registry, model):
        raise MissingError("kernel.web_kanban_none", field="model", model=model)
    wf = find_workflow(env.registry, model)
    return Board(model, wf.field if wf is not None else STAGE_FIELD, wf)


def has_board(registry: Any, model: str) -> bool:
    """Whether ``model`` of ``registry`` has a kanban board."""
    if model not in registry:
        return False
    info = registry.fields(model).get(STAGE_FIELD)
    return find_workflow(registry, model) is not None or (info is not None and info.kind == "many2one")


def read_board(env: Any, board: Board) -> list[Column]:
    """The board's columns with their counts and first cards, as the user may read them."""
    handle = env[board.model]
    rows = handle.select(order=None).order_by(None).subquery()
    counts = dict(env.session.execute(select(rows.c[board.field], func.count()).group_by(rows.c[board.field])).all())
    titles = _columns(env, board)
    cards = {key: handle.search(_in_column(board, key), limit=CARDS) for key in titles}
    shown_fields = card_fields(env, board)
    fields = env.registry.fields(board.model)
    labels = [field_label(n, fields[n], board.model) for n in shown_fields]
    texts = dict(cells(env, board.model, [card for column in cards.values() for card in column], shown_fields))

    def card(record: Any) -> tuple[int, str, list[tuple[str, str]]]:
        values = [(label, value) for label, value in zip(labels, texts[record.id], strict=True) if value]
        return record.id, record_name(record, env.lang) or f"#{record.id}", values

    return [Column(key, title, counts.get(_value(board, key), 0), [card(r) for r in cards[key]])
            for key, title in titles.items()]


def card_fields(env: Any, board: Board) -> list[str]:
    """The few readable fields a card shows besides its name (not the board's own field)."""
    fields = env.registry.fields(board.model)
    rec_name = env.registry[board.model].__rec_name__
    return [n for n, f in fields.items() if f.kind in SHOWN_KINDS and f.stored and n not in BOOKKEEPING
            and n not in (rec_name, board.field) and env[board.model].readable(board.model, n)][:CARD_FIELDS]


def move_card(env: Any, board: Board, record_id: int, to: str) -> None:
    """Move card ``record_id`` to column ``to``: the one transition the user may run from the
    card's state to ``to``, or a write of its stage. Refused with a message naming the states."""
    record = env[board.model].get(record_id)
    if board.workflow is None:
        env[board.model].write([record], {STAGE_FIELD: _stage(env, board, to)})
        return
    wf = board.workflow
    state = getattr(record, wf.field)
    if to not in wf.states:
        raise ValidationError("kernel.web_kanban_column_unknown", field="to", model=board.model, column=to)
    candidates = [t for t in wf.transitions.values() if state in t.sources and t.target == to]
    chosen = [t for t in candidates if may_run(env, t)] or candidates
    if len(chosen) != 1:
        titles = _columns(env, board)
        names = {"field": wf.field, "model": board.model, "source": titles[state], "target": titles[to]}
        if not chosen:
            raise UserError("kernel.web_kanban_no_transition", record=record_name(record, env.lang), **names)
        raise UserError("kernel.web_kanban_ambiguous", transitions=", ".join(
            transition_label(t, env.lang) for t in chosen), **names)
    run_transition(env, board.model, chosen[0].name, [record])


def _columns(env: Any, board: Board) -> dict[str, str]:
    """Column key → title, in board order."""
    if board.workflow is not None:
        info = env.registry.fields(board.model)[board.field]
        return {state: selection_label(board.model, board.field, info, state, env.lang)
                for state in board.workflow.states}
    target = env.registry.fields(board.model)[STAGE_FIELD].target
    stages = env[target].search([], limit=MAX_STAGES)
    return {NO_STAGE: text("web_kanban_no_stage"), **{str(s.id): record_name(s, env.lang) for s in stages}}


def _in_column(board: Board, key: str) -> list:
    """The domain of the records in column ``key``."""
    if board.workflow is None and key == NO_STAGE:
        return [[STAGE_FIELD, "is_null", True]]
    return [[board.field, "=", _value(board, key)]]


def _value(board: Board, key: str) -> Any:
    """What the board's field holds for column ``key``."""
    if board.workflow is not None:
        return key
    return int(key) if key else None


def _stage(env: Any, board: Board, to: str) -> int | None:
    """The stage id column ``to`` stands for, checked readable; None for "no stage"."""
    if to == NO_STAGE:
        return None
    target = env.registry.fields(board.model)[STAGE_FIELD].target
    if not to.isdigit():
        raise ValidationError("kernel.web_kanban_column_unknown", field="to", model=board.model, column=to)
    try:
        return env[target].get(int(to)).id
    except MissingError:
        raise ValidationError("kernel.web_kanban_column_unknown", field="to", model=board.model, column=to) from None
