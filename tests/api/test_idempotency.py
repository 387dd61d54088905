"""A client that retries a POST with the same Idempotency-Key gets the first answer and no second
record, even when the retries race each other (L6)."""

from __future__ import annotations

import datetime as dt
import threading

from api_bench import error
from sqlalchemy import select


def _partners_named(bench, name: str) -> int:
    return bench.unit(lambda env: env["base.partner"].count([["name", "=", name]]))


def test_retries_get_the_first_answer_and_create_one_record(bench):
    headers = {"Idempotency-Key": "retry-1"}
    answers = [bench.post("/api/v1/base.partner", json={"name": "Retried Ltd."}, headers=headers) for _ in range(5)]
    assert {a.status_code for a in answers} == {201}
    assert len({a.get_json()["id"] for a in answers}) == 1
    assert _partners_named(bench, "Retried Ltd.") == 1


def test_concurrent_retries_create_one_record(bench):
    headers, answers = {"Idempotency-Key": "race-1"}, []

    def send():
        answers.append(bench.post("/api/v1/base.partner", json={"name": "Raced Ltd."}, headers=headers))

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * 10, [a.get_json() for a in answers]
    assert len({a.get_json()["id"] for a in answers}) == 1
    assert _partners_named(bench, "Raced Ltd.") == 1


def test_a_key_reused_with_another_body_is_refused_and_changes_nothing(bench):
    headers = {"Idempotency-Key": "reuse-1"}
    assert bench.post("/api/v1/base.partner", json={"name": "First Body"}, headers=headers).status_code == 201
    reused = bench.post("/api/v1/base.partner", json={"name": "Second Body"}, headers=headers)
    assert reused.status_code == 409 and error(reused)["code"] == "idempotency_key_reused"
    assert _partners_named(bench, "Second Body") == 0


def test_a_refused_request_keeps_no_key(bench):
    headers = {"Idempotency-Key": "fix-and-retry"}
    refused = bench.post("/api/v1/base.partner", json={"name": "Fixed", "nickname": "x"}, headers=headers)
    assert refused.status_code == 422
    assert bench.post("/api/v1/base.partner", json={"name": "Fixed"}, headers=headers).status_code == 201


def test_keys_belong_to_their_user(bench):
    headers = {"Idempotency-Key": "shared-words"}
    mine = bench.post("/api/v1/alpha.order.line/onchange", json={"values": {"quantity": "1", "price": "1"},
                                                                  "changed": "price"}, headers=headers)
    theirs = bench.post("/api/v1/base.partner", json={"name": "Ada's"}, headers=headers)
    assert mine.status_code == 200 and theirs.status_code == 201


def test_a_transition_retried_with_its_key_runs_once(bench):
    order = bench.post("/api/v1/alpha.order", json={"partner_id": bench.unit(
        lambda env: env["base.partner"].create({"name": "Cancel Co."}).id)}).get_json()
    headers = {"Idempotency-Key": "cancel-once"}
    first = bench.post(f"/api/v1/alpha.order/{order['id']}/cancel", headers=headers)
    again = bench.post(f"/api/v1/alpha.order/{order['id']}/cancel", headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()  # a second cancel would be refused: the answer is replayed


def test_keys_older_than_a_day_are_pruned_by_the_periodic_job(bench):
    from loom.kernel.jobs.periodic import periodic_jobs

    bench.post("/api/v1/base.partner", json={"name": "Old Key"}, headers={"Idempotency-Key": "old-key"})
    bench.post("/api/v1/base.partner", json={"name": "New Key"}, headers={"Idempotency-Key": "new-key"})
    keys = bench.shop.registry["loom.idempotency_key"]

    def age(env):
        env.session.execute(keys.__table__.update().where(keys.key == "old-key").values(
            created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)))

    bench.unit(age)
    job = periodic_jobs(bench.shop.registry)["kernel.api_idempotency_prune"]
    assert bench.unit(job.run) >= 1
    remaining = bench.unit(lambda env: set(env.session.scalars(select(keys.key))))
    assert "old-key" not in remaining and "new-key" in remaining
