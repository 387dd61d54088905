"""``loom worker`` from the command line: once, status, retry, jobs, a test mail, and a worker
process killed with SIGKILL in the middle of a batch that loses nothing (RELIABILITY.md F5)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from email import message_from_binary_file, policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from loom.cli.main import cli
from loom.kernel.db import run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.outbox import emit
from loom_test_support import FIXTURE_MODULES, clear_outbox, committed_shop, size

LOOM = Path(sys.executable).with_name("loom")
TOPIC = "alpha.order.confirmed"


@pytest.fixture(scope="module")
def shop(database_factory):
    yield from committed_shop(database_factory, "loomtest_alpha")


@pytest.fixture(autouse=True)
def empty_outbox(shop):
    """Each story starts with an empty outbox and no receipts."""
    clear_outbox(shop)


@pytest.fixture
def environment(shop, tmp_path):
    """The variables every run gets: the database, alpha's folder, the receiver and mail folder."""
    return {"LOOM_DATABASE_URL": shop.url, "LOOM_MODULE_PATH": str(FIXTURE_MODULES),
            "LOOMTEST_ALPHA_RECEIVER": str(tmp_path / "receiver.log"),
            "LOOM_MAIL_URL": (tmp_path / "mail").as_uri(), "LOOM_JOBS_URL": "",
            "LOOM_OUTBOX_BACKOFF": "0", "LOOM_USER": None, "LOOM_DATA_DIR": str(tmp_path / "data")}


def loom(environment, *args):
    """Run ``loom ARGS`` in-process; returns click's result."""
    return CliRunner().invoke(cli, list(args), env=environment, catch_exceptions=False)


def emit_events(shop, payloads, ids) -> list[str]:
    return run_unit_of_work(shop.engine, lambda session: emit(
        Environment(shop.registry, session, su=True), TOPIC, payloads, model="alpha.order", ids=ids))


def test_once_delivers_then_status_shows_the_dead_and_retry_requeues_them(shop, environment):
    [doomed] = emit_events(shop, [{"fail_first": 99}], [1])
    emit_events(shop, [{}] * 5, [2, 3, 4, 5, 6])

    once = loom(environment, "worker", "--max-attempts", "2", "--once")
    assert once.exit_code == 0, once.output
    assert "relayed 7 event(s)" in once.output  # 5, then the doomed one twice

    report = json.loads(loom(environment, "worker", "status", "--json").output)
    assert report["counts"] == {"pending": 0, "relayed": 0, "delivered": 5, "dead": 1}
    assert report["dead"][0]["event_id"] == doomed
    text = loom(environment, "worker", "status").output
    assert f"dead {doomed} {TOPIC} alpha.order,1 after 2 attempt(s): loomtest_alpha.receiver: RuntimeError" in text

    assert loom(environment, "worker", "retry", "--dead").output.strip() == "requeued 1 event(s)"
    assert json.loads(loom(environment, "worker", "status", "--json").output)["counts"]["pending"] == 1


def test_retry_needs_event_ids_or_dead(shop, environment):
    result = CliRunner().invoke(cli, ["worker", "retry"], env=environment)
    assert result.exit_code == 2
    assert "give event ids or --dead" in result.output


def test_jobs_lists_the_nightly_check_and_the_pruning(shop, environment):
    assert json.loads(loom(environment, "worker", "jobs", "--json").output) == [
        {"name": "kernel.api_idempotency_prune", "schedule": "17 * * * *"},
        {"name": "kernel.nightly_check", "schedule": "0 2 * * *"},
        {"name": "kernel.outbox_prune", "schedule": "0 3 * * *"}]


def test_prune_forgets_delivered_history_only(shop, environment):
    emit_events(shop, [{}] * 3, [1, 2, 3])
    loom(environment, "worker", "--once")
    emit_events(shop, [{}], [4])  # still pending: never pruned
    assert loom(environment, "worker", "prune").output.strip() == "deleted 0 delivered event(s) and 0 receipt(s)"
    assert loom(environment, "worker", "prune", "--older-than", "0").output.strip() == \
        "deleted 3 delivered event(s) and 3 receipt(s)"
    assert json.loads(loom(environment, "worker", "status", "--json").output)["counts"] == {
        "pending": 1, "relayed": 0, "delivered": 0, "dead": 0}


def test_prune_keeps_the_receipts_of_an_event_that_died_so_a_retry_repeats_no_effect(shop, environment):
    (event_id,) = emit_events(shop, [{}], [5])

    def one_consumer_done_then_dead(session):  # the card was charged; the notification kept failing
        events, receipts = (shop.registry[m].__table__ for m in ("loom.outbox_event", "loom.processed_event"))
        session.execute(receipts.insert().values(consumer="loomtest_alpha.charge", event_id=event_id,
                                                 processed_at=datetime(2020, 1, 1, tzinfo=UTC), version=1))
        session.execute(events.update().where(events.c.event_id == event_id).values(state="dead"))

    run_unit_of_work(shop.engine, one_consumer_done_then_dead)
    assert loom(environment, "worker", "prune", "--older-than", "0").output.strip() == \
        "deleted 0 delivered event(s) and 0 receipt(s)"


def test_a_test_mail_in_chinese_leaves_with_the_next_run(shop, environment, tmp_path):
    queued = loom(environment, "worker", "test-mail", "li.lei@example.cn", "--lang", "zh_CN")
    event_id = queued.output.split()[-1]
    loom(environment, "worker", "--once")
    with open(tmp_path / "mail" / f"{event_id}.eml", "rb") as file:
        mail = message_from_binary_file(file, policy=policy.default)
    assert mail["To"] == "li.lei@example.cn"
    assert mail["Subject"].endswith("的 Loom 测试邮件")


def _delivered(shop) -> int:
    table = shop.registry["loom.outbox_event"].__table__
    return run_unit_of_work(shop.engine, lambda session: session.scalar(
        select(func.count()).select_from(table).where(table.c.state == "delivered")), write=False)


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_carry_the_same_event_id(shop, environment, tmp_path):
    events = size(ci=300, full=10_000)
    kills = size(ci=3, full=20)
    ids = emit_events(shop, [{"fail_first": 1 if i % 50 == 0 else 0, "pause": 0.005} for i in range(events)],
                      [i % 40 for i in range(events)])
    variables = {**os.environ, **{k: v for k, v in environment.items() if v is not None},
                 "LOOM_OUTBOX_LEASE": "1"}
    receiver = Path(environment["LOOMTEST_ALPHA_RECEIVER"])
    for kill in range(kills):
        seen_before = len(receiver.read_text().splitlines()) if receiver.exists() else 0
        with open(tmp_path / f"worker{kill}.log", "w") as log:
            worker = subprocess.Popen([str(LOOM), "worker", "--threads", "2"], env=variables,
                                      stdout=subprocess.DEVNULL, stderr=log)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and worker.poll() is None:
                seen = len(receiver.read_text().splitlines()) if receiver.exists() else 0
                if seen >= seen_before + events // (kills + 2):
                    break
                time.sleep(0.05)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
    assert 0 < _delivered(shop) < events  # the killed workers delivered, and the kills landed mid-batch

    for _round in range(10):
        time.sleep(1.1)  # the killed workers' leases run out
        subprocess.run([str(LOOM), "worker", "--once"], env=variables, check=True, capture_output=True)
        if _delivered(shop) == events:
            break

    assert _delivered(shop) == events
    lines = [line.split() for line in receiver.read_text().splitlines()]
    assert {event_id for event_id, _, outcome in lines if outcome == "ok"} == set(ids)
    seen_twice = [event_id for event_id, count in Counter(e for e, _, outcome in lines if outcome == "ok").items()
                  if count > 1]
    assert seen_twice  # killed between the receiver's call and the commit: the receiver saw duplicates ...
    assert {event_id for event_id, _, _ in lines} <= set(ids)  # ... and every one carries a real event id
    first_ok = list(dict.fromkeys(event_id for event_id, _, outcome in lines if outcome == "ok"))
    for record in range(40):  # each record's events took effect in the order they were written
        written = ids[record::40]
        assert [event_id for event_id in first_ok if event_id in set(written)] == written
    table = shop.registry["loom.processed_event"].__table__
    receipts = run_unit_of_work(shop.engine, lambda session: session.execute(
        select(table.c.event_id, func.count()).group_by(table.c.event_id)).all(), write=False)
    assert len(receipts) == events and {count for _, count in receipts} == {1}


def test_only_an_outbox_operator_may_read_the_status_or_requeue(shop, environment):
    from loom.kernel.users import create_user

    run_unit_of_work(shop.engine, lambda session: [
        create_user(Environment(shop.registry, session, su=True), login, login.title(), "secret-pass-1", roles=roles)
        for login, roles in (("clerk", ["loomtest_alpha.clerk"]), ("operator", ["kernel.outbox_operator"]))])

    refused = CliRunner().invoke(cli, ["worker", "status", "--user", "clerk"], env=environment)
    assert refused.exit_code != 0
    assert "clerk may not read records of loom.outbox_event" in str(refused.exception)
    allowed = loom(environment, "worker", "status", "--json", "--user", "operator")
    assert json.loads(allowed.output)["counts"]["dead"] == 0
    assert loom(environment, "worker", "retry", "--dead", "--user", "operator").exit_code == 0


def test_a_background_worker_delivers_as_events_commit_and_stops_on_sigterm(shop, environment):
    variables = {**os.environ, **{k: v for k, v in environment.items() if v is not None}}
    worker = subprocess.Popen([str(LOOM), "worker"], env=variables, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        emit_events(shop, [{}] * 20, list(range(20)))
        deadline = time.monotonic() + 30
        while _delivered(shop) < 20 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _delivered(shop) == 20
    finally:
        worker.send_signal(signal.SIGTERM)
        _out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err


def test_a_malformed_retry_setting_is_one_line_naming_it(shop, environment):
    result = CliRunner().invoke(cli, ["worker", "--once"], env={**environment, "LOOM_OUTBOX_BACKOFF": "soon"})
    assert result.exit_code != 0
    assert "LOOM_OUTBOX_BACKOFF = soon is not valid" in str(result.exception)
