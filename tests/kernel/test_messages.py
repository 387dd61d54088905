"""Every message a user can see exists in English and Chinese.

The ids are found by reading the source: the first argument of every call to an ``...Error`` or
``Warning`` class that is a string literal ``owner.name``.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from loom.kernel.i18n import LANGUAGES, catalog, translate

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*ROOT.glob("kernel/**/*.py"), *ROOT.glob("cli/**/*.py"), *ROOT.glob("modules/**/*.py")]


def raised_message_ids() -> set[str]:
    """Message ids passed to error constructors anywhere in the shipped code."""
    found = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                value = node.args[0].value
                if (name.endswith("Error") or name == "Warning") and isinstance(value, str) and "." in value:
                    found.add(value)
    return found


IDS = sorted(raised_message_ids())


def test_the_source_raises_translated_errors():
    assert len(IDS) > 80  # the scan itself works: the kernel alone raises more than 80 messages


@pytest.mark.parametrize("message_id", IDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_raised_message_is_translated(message_id, lang):
    owner, _, name = message_id.partition(".")
    assert name in catalog(owner, lang), f"{message_id} has no {lang} text"


OWNERS = ["kernel", *sorted(p.parent.parent.name for p in ROOT.glob("modules/*/i18n/en.toml"))]


@pytest.mark.parametrize("owner", OWNERS)
def test_both_languages_have_the_same_messages_and_parameters(owner):
    english, chinese = catalog(owner, "en"), catalog(owner, "zh_CN")
    assert set(english) == set(chinese)
    for key in english:
        params = {f for _, f, _, _ in string.Formatter().parse(english[key]) if f}
        assert params == {f for _, f, _, _ in string.Formatter().parse(chinese[key]) if f}, key


def test_messages_render_with_their_parameters_in_both_languages():
    assert translate("kernel.field_required", "en", field="name") == "name is required"
    assert translate("kernel.field_required", "zh_CN", field="name") == "name 为必填项"
    assert translate("kernel.no_such_message", "en", x=1) == "kernel.no_such_message(x=1)"
