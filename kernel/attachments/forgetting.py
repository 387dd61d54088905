"""Attachment rows of records that are gone, forgotten when they go.

An attachment names its record by model and id, so no foreign key removes it. Deleting records
(``on_records_deleted``) or uninstalling the module of their model (``on_module_uninstalling``)
deletes the attachment rows in the same transaction; the files stay in the filestore until
:func:`loom.kernel.attachments.collect_garbage` finds them unreferenced (a backup may need them).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from loom.kernel.attachments.service import MODEL
from loom.kernel.hooks import hookimpl


@hookimpl
def on_records_deleted(env: Any, model: str, ids: list[int]) -> None:
    """Deleted records take their attachment rows with them (one statement)."""
    cls = env.registry[MODEL]
    env.session.execute(delete(cls).where(cls.model == model, cls.res_id.in_(ids)),
                        execution_options={"synchronize_session": False})


@hookimpl
def on_module_uninstalling(env: Any, module: str) -> None:
    """A leaving module's models take their attachment rows with them."""
    models = env.registry.model_names_of(module)
    if models:
        cls = env.registry[MODEL]
        env.session.execute(delete(cls).where(cls.model.in_(models)), execution_options={"synchronize_session": False})
