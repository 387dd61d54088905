"""The shell's words in the reader's language: the user's ``lang``, or the browser's before login."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, has_request_context, request

from loom.kernel.i18n import LANGUAGES, translate


def current_lang() -> str:
    """``en`` or ``zh_CN``: the logged-in user's language, else the best of the browser's."""
    if not has_request_context():
        return "en"
    account = g.get("account")
    if account is not None and account.lang in LANGUAGES:
        return account.lang
    best = request.accept_languages.best_match(["en", "zh-CN", "zh"], default="en")
    return "zh_CN" if best.startswith("zh") else "en"


def text(message_id: str, **params: Any) -> str:
    """``message_id`` (``kernel.web_login_title``; a bare ``web_...`` means the kernel's) rendered
    in the reader's language."""
    full = message_id if "." in message_id else f"kernel.{message_id}"
    return translate(full, current_lang(), **params)


def install_texts(app: Flask) -> None:
    """Give templates ``_()`` for messages, ``lang`` for the page's language, and labels and
    formats in that language (:func:`loom.kernel.web.display.install_display`)."""
    from loom.kernel.web.display import install_display

    app.jinja_env.globals["_"] = text
    app.jinja_env.globals["current_lang"] = current_lang
    install_display(app)
