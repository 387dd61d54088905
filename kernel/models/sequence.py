"""Document numbering: a sequence per company and document type, and its counters per period."""

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.fields import Many2One
from loom.kernel.model import Model, Unique


class Sequence(Model):
    """How one company numbers one document type.

    ``kind`` is ``legal`` (gap-free: the counter row is locked in the posting transaction) or
    ``standard`` (advanced in its own short transaction: gaps allowed, no waits). ``pattern`` uses
    ``{yyyy}``, ``{yy}``, ``{mm}`` and ``{seq:05}``; ``reset`` is ``never``, ``yearly`` or ``monthly``."""

    __model__ = "loom.sequence"
    __company__ = "required"
    __indexes__ = (Unique("company_id", "code"),)

    code: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), info={"selection": ("legal", "standard")})
    pattern: Mapped[str] = mapped_column(String(100))
    reset: Mapped[str] = mapped_column(String(10), default="yearly", server_default="yearly",
                                       info={"selection": ("never", "yearly", "monthly")})


class SequenceCounter(Model):
    """The next number of a sequence in one period (``2026``, ``2026-11`` or ``all``)."""

    __model__ = "loom.sequence.counter"
    __managed__ = True
    __indexes__ = (Unique("sequence_id", "period"),)

    sequence_id = Many2One("loom.sequence", nullable=False, ondelete="CASCADE")
    period: Mapped[str] = mapped_column(String(10))
    next_value: Mapped[int] = mapped_column(BigInteger, default=1, server_default="1")
    step: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
