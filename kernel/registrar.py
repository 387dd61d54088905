"""What a module's ``register(loom)`` function receives: one explicit list of contributions.

Every module's ``__init__.py`` defines::

    def register(loom):
        \"\"\"Everything the sales module contributes.\"\"\"
        loom.models(order.Order, order.OrderLine, partner.Partner)
        loom.hookspecs(hookspecs)
        loom.hooks(hooks)

so one glance shows every model, extension and hook implementation a module brings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType

from loom.kernel.errors import ConfigurationError
from loom.kernel.model import Model


@dataclass
class ModuleRegistrar:
    """Collects one module's models, hook specs and hook implementations."""

    module: str
    model_classes: list[type] = field(default_factory=list)
    spec_modules: list[ModuleType] = field(default_factory=list)
    plugins: list[object] = field(default_factory=list)
    schema_objects: list[object] = field(default_factory=list)

    def models(self, *classes: type) -> None:
        """Declare models (or extensions of models declared by a dependency)."""
        for cls in classes:
            if not isinstance(getattr(cls, "__model__", None), str) or not issubclass(cls, Model):
                raise ConfigurationError("kernel.model_without_name", module=self.module, cls=cls.__name__)
            self.model_classes.append(cls)

    def hookspecs(self, *modules: ModuleType) -> None:
        """Declare the business hook specifications this module owns (its ``hookspecs.py``)."""
        self.spec_modules.extend(modules)

    def triggers(self, *objects: object) -> None:
        """Declare database triggers or views (:class:`loom.kernel.schema_objects.Trigger`, ``View``).

        They are re-created after every migration, since SQLite's batch mode drops them."""
        self.schema_objects.extend(objects)

    def hooks(self, *plugins: object) -> None:
        """Register hook implementations (a Python module or object with ``@hookimpl`` functions)."""
        self.plugins.extend(plugins)
