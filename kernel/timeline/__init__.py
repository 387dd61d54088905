"""The record timeline: transitions, tracked changes, notes, activities and approval steps.

Every event is a row of ``loom.record_event`` (model, record id, kind, who, when in UTC, ...).
Kernel services and modules write them in the caller's transaction with :func:`log_events` (one
INSERT for many records); people read a record's events with :func:`timeline`, post notes with
:func:`add_note` and schedule activities with :func:`add_activity` / :func:`mark_activity_done`::

    from loom.kernel.timeline import log_events, timeline
    log_events(env, "sales.order", [o.id for o in orders], "note", body="Sent to the customer")
    for event in timeline(env, "sales.order", order.id):
        print(event["at"], event["who"], event["kind"])
"""

from loom.kernel.timeline.activities import add_activity, add_note, mark_activity_done
from loom.kernel.timeline.events import log_events
from loom.kernel.timeline.reading import timeline
from loom.kernel.timeline.tracking import tracked_fields

__all__ = ["add_activity", "add_note", "log_events", "mark_activity_done", "timeline", "tracked_fields"]
