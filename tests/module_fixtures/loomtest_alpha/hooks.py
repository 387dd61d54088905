"""Alpha's kernel hook implementations."""

import os
import time

from loom.kernel.hooks import hookimpl
from loom.kernel.outbox import EventConsumer, emit
from loom.kernel.settings import Setting

#: The outbox topic alpha emits when orders are confirmed.
CONFIRMED = "alpha.order.confirmed"


@hookimpl
def register_settings():
    """Alpha declares one setting: the largest order amount a clerk may confirm."""
    return [Setting("loomtest_alpha.max_amount", "decimal", 1000, "Largest order amount")]


@hookimpl
def on_alpha_confirmed(env, orders):
    """Alpha tells the world, after commit, through the outbox: one event per confirmed order."""
    emit(env, CONFIRMED, [{"name": order.name, "amount_total": order.amount_total} for order in orders],
         model="alpha.order", ids=[order.id for order in orders])


def receive_confirmation(env, event):
    """A stand-in receiver for the outbox tests: appends ``<event id> <attempt> ok|fail`` to the file
    named by ``LOOMTEST_ALPHA_RECEIVER``, takes ``payload["pause"]`` seconds before its transaction
    commits, and fails while ``attempts <= payload["fail_first"]``."""
    failing = event.attempts <= event.payload.get("fail_first", 0)
    path = os.environ.get("LOOMTEST_ALPHA_RECEIVER")
    if path:
        with open(path, "a", encoding="utf-8") as receiver:
            receiver.write(f"{event.event_id} {event.attempts} {'fail' if failing else 'ok'}\n")
    time.sleep(event.payload.get("pause", 0))
    if failing:
        raise RuntimeError(f"receiver unavailable (attempt {event.attempts})")


@hookimpl
def register_event_consumers():
    """Alpha consumes its own confirmations (a stand-in for a webhook receiver)."""
    return [EventConsumer(CONFIRMED, "loomtest_alpha.receiver", receive_confirmation)]
