"""Alembic environment for every Loom branch: runs on the connection the kernel hands it.

The kernel builds the alembic ``Config`` in code (no alembic.ini) and passes the connection, the
target metadata and an ``include_object`` filter through ``config.attributes``; see
:mod:`loom.kernel.migrator`.
"""

from alembic import context

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=config.attributes.get("metadata"),
    include_object=config.attributes.get("include_object"),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    user_module_prefix=None,
    process_revision_directives=config.attributes.get("process_revision_directives"),
)
with context.begin_transaction():
    context.run_migrations()
