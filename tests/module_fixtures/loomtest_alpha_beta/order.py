"""What the bridge adds to alpha orders: the ticket opened at confirmation."""

from loom.kernel.fields import Many2One
from loom.kernel.model import Index, Model


class Order(Model):
    """Alpha orders link to the beta ticket opened for them."""

    __model__ = "alpha.order"
    __indexes__ = (Index("state", "ticket_id"),)

    ticket_id = Many2One("beta.ticket")
