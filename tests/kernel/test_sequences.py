"""Document numbering: patterns, resets, gap-free legal numbers and wait-free standard ones.

Stories: invoices are numbered without a single gap even when a tenth of the postings fail after
taking their number; sales orders take numbers without waiting for each other.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
import uuid

import pytest
from sqlalchemy.orm import Session

from loom.kernel.db import run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.errors import MissingError, ValidationError
from loom.kernel.sequences import next_number, validate_pattern
from loom_test_support import rolled_back


def make_sequence(env: Environment, kind: str, pattern: str = "{seq}", reset: str = "yearly") -> str:
    """Create a sequence of ``kind`` in the active company and return its code."""
    code = f"test.{kind}.{uuid.uuid4().hex[:8]}"
    env["loom.sequence"].create({"code": code, "name": code, "kind": kind, "pattern": pattern, "reset": reset})
    return code


def test_patterns_and_monthly_resets(base_env):
    code = make_sequence(base_env, "standard", "SO{yyyy}{mm}-{seq:05}", reset="monthly")
    november = dt.date(2026, 11, 25)
    assert next_number(base_env, code, day=november) == "SO202611-00001"
    assert next_number(base_env, code, day=november) == "SO202611-00002"
    assert next_number(base_env, code, day=dt.date(2026, 12, 1)) == "SO202612-00001"
    assert next_number(base_env, code, day=dt.date(2026, 11, 30)) == "SO202611-00003"


def test_yearly_and_never_resets(base_env):
    yearly = make_sequence(base_env, "legal", "INV/{yyyy}/{seq:04}", reset="yearly")
    never = make_sequence(base_env, "legal", "P{seq}", reset="never")
    assert next_number(base_env, yearly, day=dt.date(2026, 12, 31)) == "INV/2026/0001"
    assert next_number(base_env, yearly, day=dt.date(2027, 1, 1)) == "INV/2027/0001"
    assert next_number(base_env, never, day=dt.date(2026, 1, 1)) == "P1"
    assert next_number(base_env, never, day=dt.date(2030, 1, 1)) == "P2"


@pytest.mark.parametrize("pattern", ["INV-{yyyy}", "{seq:05}{unknown}", "{seq", "no placeholder"])
def test_bad_patterns_are_refused(pattern):
    with pytest.raises(ValidationError) as caught:
        validate_pattern(pattern)
    assert caught.value.field == "pattern"


def test_an_unknown_sequence_is_a_clear_error(base_env):
    with pytest.raises(MissingError) as caught:
        next_number(base_env, "nope.nothing")
    assert caught.value.params["code"] == "nope.nothing"


def _committed_sequence(item, kind: str) -> str:
    def create(session: Session) -> str:
        return make_sequence(Environment(item.registry, session, su=True), kind, "{seq}", reset="never")

    return run_unit_of_work(item.engine, create)


def test_legal_numbers_have_no_gaps_under_concurrent_posting_with_rollbacks(installed):
    """20 threads x 50 postings; 10 % fail after taking their number: 900 numbers, no gap, no duplicate."""
    item = installed("base")
    code = _committed_sequence(item, "legal")
    rng = random.Random(42)
    failures = {(t, i) for t in range(20) for i in range(50) if rng.random() < 0.1}
    taken: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(20)

    class PostingFailed(Exception):
        pass

    def post(thread: int, index: int) -> None:
        def unit(session: Session) -> int:
            number = int(next_number(Environment(item.registry, session, su=True), code))
            if (thread, index) in failures:
                raise PostingFailed
            return number

        try:
            number = run_unit_of_work(item.engine, unit)
        except PostingFailed:
            return
        with lock:
            taken.append(number)

    def worker(thread: int) -> None:
        barrier.wait()
        for index in range(50):
            post(thread, index)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = 1000 - len(failures)
    assert len(taken) == expected
    assert sorted(taken) == list(range(1, expected + 1))


def test_standard_numbers_do_not_wait_for_open_transactions(installed, backend):
    """A confirmation holding its transaction open does not delay another one's order number."""
    if backend == "sqlite":
        pytest.skip("SQLite serializes writers: the standard counter shares the caller's transaction there")
    item = installed("base")
    standard, legal = _committed_sequence(item, "standard"), _committed_sequence(item, "legal")

    def hold(code: str, started: threading.Event, release: threading.Event) -> None:
        def unit(session: Session) -> None:
            next_number(Environment(item.registry, session, su=True), code)
            started.set()
            release.wait(5)

        run_unit_of_work(item.engine, unit)

    def time_to_number(code: str) -> float:
        started, release = threading.Event(), threading.Event()
        holder = threading.Thread(target=hold, args=(code, started, release))
        holder.start()
        started.wait(5)
        begin = time.perf_counter()
        timer = threading.Timer(1.0, release.set)
        timer.start()
        run_unit_of_work(item.engine, lambda s: next_number(Environment(item.registry, s, su=True), code))
        elapsed = time.perf_counter() - begin
        holder.join()
        return elapsed

    assert time_to_number(standard) < 0.5
    assert time_to_number(legal) >= 0.9  # the legal counter row stays locked until the holder commits


def test_a_rolled_back_legal_number_is_given_again(installed):
    item = installed("base")
    code = _committed_sequence(item, "legal")
    with rolled_back(item) as env:
        assert next_number(env, code) == "1"
    assert run_unit_of_work(item.engine, lambda s: next_number(Environment(item.registry, s, su=True), code)) == "1"
