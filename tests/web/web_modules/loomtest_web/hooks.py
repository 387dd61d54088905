"""The module's web contributions: a menu entry for partner readers and the board's blueprint."""

from flask import Blueprint, current_app, g, render_template

from loom.kernel.hooks import hookimpl
from loom.kernel.web.menus import MenuItem
from loom.kernel.web.state import loom_state

board = Blueprint("loomtest_web", __name__, template_folder="templates")


@board.get("/board")
def partner_board():
    """How many partners the user can see, on a page extending the shell's base template."""
    count = loom_state(current_app).run(g.account.uid, lambda env: env["base.partner"].count(), write=False)
    return render_template("loomtest_web/board.html", count=count)


@board.post("/board/refresh")
def refresh_board():
    """A state-changing route: it must be refused without the CSRF token."""
    return "refreshed"


@hookimpl
def register_menus():
    """The board, for users who may read partners."""
    return [MenuItem("loomtest_web.board", "loomtest_web.menu_board", "/board", model="base.partner", sequence=10)]


@hookimpl
def register_blueprints():
    """The board's screens."""
    return [board]
