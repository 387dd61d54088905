"""The bridge opens a ticket for each confirmed order."""

from loom.kernel.hooks import hookimpl


@hookimpl
def on_alpha_confirmed(env, orders):
    """Open one support ticket per confirmed order and link it."""
    tickets = env["beta.ticket"].create([{"subject": f"Follow up {o.name}", "partner_id": o.partner_id}
                                         for o in orders])
    for order, ticket in zip(orders, tickets, strict=True):
        env["alpha.order"].write([order], {"ticket_id": ticket.id})
