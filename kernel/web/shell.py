"""The shell's own pages: the home page under the menu, and the user's language choice."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request

from loom.kernel.i18n import LANGUAGES
from loom.kernel.web.gate import safe_next
from loom.kernel.web.state import loom_state

shell = Blueprint("shell", __name__)


@shell.get("/")
def home() -> str:
    """The home page: the menu of what the user may open."""
    return render_template("home.html")


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
