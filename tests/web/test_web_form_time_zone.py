"""A clerk in Shanghai types moments in Shanghai time: the form stores them in UTC and shows them
back in the clerk's zone, and a colleague in London sees the same moment in London time."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from flask import Flask, g

from loom.kernel.errors import ValidationError
from loom.kernel.web.form_values import Widget, as_text, shaped

DEADLINE = Widget(name="deadline", label="Deadline", kind="datetime", input="datetime-local", editable=True,
                  required=False)


def as_reader(tz):
    app = Flask(__name__)
    context = app.test_request_context("/")
    context.push()
    g.account = SimpleNamespace(tz=tz, lang="en")
    return context


def test_a_shanghai_clerk_types_nine_in_the_morning_and_utc_keeps_one_oclock():
    context = as_reader("Asia/Shanghai")
    try:
        assert shaped(DEADLINE, "2026-12-05T09:00") == "2026-12-05T01:00:00+00:00"
        assert as_text(DEADLINE, dt.datetime(2026, 12, 5, 1, 0, tzinfo=dt.UTC)) == "2026-12-05T09:00"
        assert as_text(DEADLINE, dt.datetime(2026, 12, 5, 1, 0)) == "2026-12-05T09:00"  # naive means UTC
    finally:
        context.pop()


def test_a_london_colleague_sees_the_same_moment_in_london_time():
    context = as_reader("Europe/London")
    try:
        assert as_text(DEADLINE, dt.datetime(2026, 12, 5, 1, 0, tzinfo=dt.UTC)) == "2026-12-05T01:00"
        assert as_text(DEADLINE, dt.datetime(2026, 7, 5, 1, 0, tzinfo=dt.UTC)) == "2026-07-05T02:00"  # summer time
    finally:
        context.pop()


def test_text_that_is_no_moment_is_left_for_the_kernel_to_name():
    context = as_reader("Asia/Shanghai")
    try:
        assert shaped(DEADLINE, "next tuesday") == "next tuesday"
        assert shaped(DEADLINE, "") is None
    finally:
        context.pop()


def test_an_untouched_moment_keeps_its_seconds_when_the_form_is_saved_again():
    context = as_reader("Asia/Shanghai")
    try:
        stored = dt.datetime(2026, 12, 5, 1, 2, 3, tzinfo=dt.UTC)
        assert as_text(DEADLINE, stored) == "2026-12-05T09:02:03"
        assert dt.datetime.fromisoformat(shaped(DEADLINE, as_text(DEADLINE, stored))) == stored
    finally:
        context.pop()


def test_a_moment_typed_at_the_calendars_edge_is_refused_on_its_field():
    context = as_reader("America/New_York")
    try:
        for text in ("9999-12-31T23:00", "0001-01-01T00:00+05:00"):
            with pytest.raises(ValidationError) as refused:
                shaped(DEADLINE, text)
            assert refused.value.field == "deadline"
    finally:
        context.pop()
    context = as_reader("Asia/Shanghai")
    try:
        with pytest.raises(ValidationError):
            shaped(DEADLINE, "0001-01-01T00:00")
    finally:
        context.pop()
