"""The shell's own pages: the home page under the menu."""

from __future__ import annotations

from flask import Blueprint, render_template

shell = Blueprint("shell", __name__)


@shell.get("/")
def home() -> str:
    """The home page: the menu of what the user may open."""
    return render_template("home.html")
