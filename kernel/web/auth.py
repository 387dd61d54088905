"""The login page and logout (``/login``, ``POST /logout``)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, redirect, render_template, request, session

from loom.kernel.web.gate import public, safe_next
from loom.kernel.web.login import attempt_login, end_sessions
from loom.kernel.web.requests import client_ip, request_id
from loom.kernel.web.sessions import start_session
from loom.kernel.web.state import loom_state

auth = Blueprint("auth", __name__)
#: The longest login name accepted (the column's length).
MAX_LOGIN = 100


def _where() -> dict[str, str | None]:
    return {"request_id": request_id(), "ip": client_ip()}


@auth.route("/login", methods=["GET", "POST"])
@public
def login() -> Response | str | tuple[str, int, dict[str, str]]:
    """Show the login form; on POST check the login and password and open a new session."""
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if g.get("account") is not None:
            return redirect(next_url)
        return render_template("login.html", next=next_url, error=None)
    name = request.form.get("login", "").strip()[:MAX_LOGIN]
    outcome = attempt_login(loom_state(current_app), name, request.form.get("password", ""), _where())
    if outcome.wait:
        page = render_template("login.html", next=next_url, error="web_login_throttled", login=name)
        return page, 429, {"Retry-After": str(outcome.wait)}
    if outcome.uid is None:
        return render_template("login.html", next=next_url, error="web_login_failed", login=name), 401, {}
    start_session(outcome.uid, outcome.generation, outcome.stamp)
    return redirect(next_url)


@auth.post("/logout")
def logout() -> Response:
    """End every session of the user and go back to the login page."""
    end_sessions(loom_state(current_app), g.account.uid, _where())
    session.clear()
    return redirect("/login")
