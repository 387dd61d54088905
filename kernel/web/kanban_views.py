"""The kanban board of a model with a workflow or stages at ``/m/<model>/kanban``, and moving a
card (a POST, CSRF-checked, one unit of work as the user). A refused move shows the board again
with the kernel's message and the error's status; a model without a board is a 404 saying so."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request
from werkzeug.wrappers import Response

from loom.kernel.errors import LoomError, MissingError, ValidationError
from loom.kernel.web.display import known_model, model_label
from loom.kernel.web.kanban_board import board_of, has_board, move_card, read_board
from loom.kernel.web.state import loom_state
from loom.kernel.web.texts import current_lang

kanban_views = Blueprint("kanban_views", __name__, url_prefix="/m")


@kanban_views.app_template_global("has_kanban_board")
def has_kanban_board(model: str) -> bool:
    """Whether ``model`` has a board (templates link to it: the list page does)."""
    return has_board(loom_state(current_app).registry, model)


def render_board(model: str, *, error: LoomError | None = None) -> tuple[str, int]:
    """The board page, with the refusal of the last move when there is one."""
    def read(env: Any) -> dict[str, Any]:
        known_model(env, model)
        return {"columns": read_board(env, board_of(env, model)),
                "model_title": model_label(model, registry=env.registry)}

    data = loom_state(current_app).run(g.account.uid, read, write=False)
    message = error.message(current_lang()) if error is not None else None
    return render_template("kanban.html", model=model, error=message, **data), \
        error.http_status if error is not None else 200


@kanban_views.get("/<model>/kanban")
def kanban_view(model: str) -> tuple[str, int]:
    """The board: a column per state or stage, each with its count and first cards."""
    return render_board(model)


@kanban_views.post("/<model>/kanban/move")
def move_view(model: str) -> Response | tuple[str, int]:
    """Move card ``record`` to column ``to``; back to the board (303), or the board with the refusal."""
    record, to = request.form.get("record", ""), request.form.get("to", "")

    def work(env: Any) -> None:
        known_model(env, model)
        board = board_of(env, model)
        if not (record.isascii() and record.isdigit()):
            raise ValidationError("kernel.value_not_integer", field="record", value=record[:30] or "-")
        move_card(env, board, int(record), to)

    try:
        loom_state(current_app).run(g.account.uid, work)
    except LoomError as exc:
        if isinstance(exc, MissingError) or exc.http_status >= 500:
            raise
        return render_board(model, error=exc)
    return redirect(f"/m/{model}/kanban", code=303)
