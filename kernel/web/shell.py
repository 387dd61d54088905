"""The shell's own pages: the home page (the dashboard's tiles under the menu), and the user's
language choice."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request

from loom.kernel.i18n import LANGUAGES
from loom.kernel.web.dashboard import EXTENSION as TILES
from loom.kernel.web.dashboard import shown_tiles
from loom.kernel.web.display import reader_lang
from loom.kernel.web.gate import safe_next
from loom.kernel.web.locale_format import format_number
from loom.kernel.web.state import loom_state

shell = Blueprint("shell", __name__)


@shell.get("/")
def home() -> str:
    """The home page: the dashboard tiles the user may see, computed as the user."""
    tiles = current_app.extensions[TILES]
    shown = loom_state(current_app).run(g.account.uid, lambda env: shown_tiles(env, tiles), write=False)
    return render_template("home.html", tiles=shown, number=lambda value: format_number(value, reader_lang()))


@shell.post("/preferences/lang")
def choose_language() -> Response:
    """Store the language the user picked (``en`` or ``zh_CN``) on their own user record."""
    lang = request.form.get("lang", "")
    if lang not in LANGUAGES:
        abort(400)

    def store(env: Any) -> None:
        env.sudo()["loom.user"].write([env.user], {"lang": lang})

    loom_state(current_app).run(g.account.uid, store)
    return redirect(safe_next(request.form.get("next")))
