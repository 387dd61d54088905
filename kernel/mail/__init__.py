"""Mail leaves through the outbox: ``send_mail`` renders a template and emits a ``mail.send`` event.

The message is rendered (Jinja2; HTML bodies autoescaped) and its headers checked in the
caller's transaction, so a bad address or a missing template fails the business action; the
event is sent by ``loom worker`` after commit through the backend named by ``LOOM_MAIL_URL``
(``smtp://host:port``, ``smtps://user:password@host:port`` or ``file:///folder`` writing ``.eml``
files). See docs/outbox-and-jobs.md.
"""

from loom.kernel.mail.sending import MAIL_TOPIC, send_mail
from loom.kernel.mail.templates import TemplateFolder, render

__all__ = ["MAIL_TOPIC", "TemplateFolder", "render", "send_mail"]
