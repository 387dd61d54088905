"""The web shell: a Flask application over one database and its registry (``loom serve``).

:func:`loom.kernel.web.app.create_app` builds it; every request acts through an
:class:`~loom.kernel.environment.Environment` in one unit of work (:mod:`loom.kernel.web.state`),
so permissions, record rules and companies apply exactly as in the CLI. The JSON API
(:mod:`loom.kernel.api`) is a blueprint of the same application.
"""
