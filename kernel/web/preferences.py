"""The user's own preferences page (``/preferences``): language and time zone, and a password change.

Both forms write only the user's own record, and only the fields they name: ``lang`` and ``tz``
(checked by the kernel's ``loom.user`` rules), or the password (:mod:`loom.kernel.web.password_change`).
Any other field posted is ignored."""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import available_timezones

from flask import Blueprint, Response, current_app, g, redirect, render_template, request

from loom.kernel.errors import ValidationError
from loom.kernel.i18n import LANGUAGES, translate
from loom.kernel.web.password_change import PasswordForm, change_password
from loom.kernel.web.requests import client_ip, request_id
from loom.kernel.web.sessions import start_session
from loom.kernel.web.state import loom_state
from loom.kernel.web.texts import current_lang

preferences = Blueprint("preferences", __name__)

#: The zones most Chinese and international businesses use, offered first.
COMMON_ZONES = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo",
                "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC")
#: The fields the language and time zone form may write; anything else posted is ignored.
PREFERENCE_FIELDS = ("lang", "tz")


@cache
def other_zones() -> tuple[str, ...]:
    """Every other IANA zone this machine knows, sorted by name."""
    return tuple(sorted(available_timezones() - set(COMMON_ZONES)))


def _page(values: dict[str, str], errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("preferences.html", values=values, errors=errors or {}, languages=LANGUAGES,
                           common_zones=COMMON_ZONES, other_zones=other_zones(),
                           saved=request.args.get("saved")), status


@preferences.get("/preferences")
def show() -> tuple[str, int]:
    """The preferences page with the user's language and time zone."""
    return _page({"lang": g.account.lang, "tz": g.account.tz})


@preferences.post("/preferences")
def save() -> Response | tuple[str, int]:
    """Store the language and time zone on the user's own record; a refused value is shown beside its field."""
    values = {name: request.form[name] for name in PREFERENCE_FIELDS if name in request.form}

    def store(env: Any) -> None:
        env.sudo()["loom.user"].write([env.user], values)  # the user's own record, these fields only

    try:
        loom_state(current_app).run(g.account.uid, store)
    except ValidationError as error:
        shown = {"lang": g.account.lang, "tz": g.account.tz, **values}
        where = error.field if error.field in PREFERENCE_FIELDS else "form"
        return _page(shown, {where: error.message(current_lang())}, 422)
    return redirect("/preferences?saved=preferences")


@preferences.post("/preferences/password")
def password() -> Response | tuple[str, int, dict[str, str]]:
    """Change the user's own password; on success every session ends and this browser gets a new one."""
    form = PasswordForm(request.form.get("current_password", ""), request.form.get("new_password", ""),
                        request.form.get("new_password_again", ""))
    where = {"request_id": request_id(), "ip": client_ip()}
    outcome = change_password(loom_state(current_app), g.account.uid, form, where)
    if not outcome.changed:
        lang = current_lang()
        errors = {name: translate(message_id, lang, **params) for name, (message_id, params) in outcome.errors.items()}
        page, _ = _page({"lang": g.account.lang, "tz": g.account.tz}, errors)
        return page, 429 if outcome.wait else 422, {"Retry-After": str(outcome.wait)} if outcome.wait else {}
    start_session(g.account.uid, outcome.generation, outcome.stamp)
    return redirect("/preferences?saved=password")
