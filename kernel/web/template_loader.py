"""Templates from the kernel and every installed module, with inheritance across modules.

Each provider (the kernel's ``kernel/web/templates``, then each installed module's ``templates/``
folder, in dependency order) may ship a template under any name. A name resolves to the *last*
provider shipping it, so a module overrides a template of a module it depends on. An override does
not copy the template: it extends it under its own name::

    {# modules/sales_margin/templates/print/sales.order.html #}
    {% extends "print/sales.order.html" %}
    {% block totals %}{{ super() }}<p>Margin: …</p>{% endblock %}

A template extending its own name extends the same name one provider down (here the ``sales``
module's), so overrides chain in dependency order. ``"<provider>::<name>"`` names one provider's
file explicitly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, Environment, TemplateNotFound

#: The kernel's provider name and template folder.
KERNEL = "kernel"
KERNEL_TEMPLATES = Path(__file__).parent / "templates"
#: Separates a provider from a template name in an explicit name.
SEPARATOR = "::"


class ModuleTemplateLoader(BaseLoader):
    """Jinja loader over ``providers``: ``(name, folder)`` pairs, lowest first (the kernel)."""

    def __init__(self, providers: list[tuple[str, Path]]) -> None:
        self.providers = [(name, folder) for name, folder in providers if folder.is_dir()]

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        """The source of ``template`` (``name`` or ``provider::name``), its self-extension pointed
        one provider down."""
        provider, _, name = template.rpartition(SEPARATOR)
        chain = self._chain(name)
        if not chain:
            raise TemplateNotFound(template)
        index = len(chain) - 1
        if provider:
            index = next((i for i, (owner, _) in enumerate(chain) if owner == provider), -1)
            if index < 0:
                raise TemplateNotFound(template)
        owner, file = chain[index]
        source = file.read_text(encoding="utf-8")
        below = chain[index - 1][0] if index > 0 else None
        source = _point_self_extension(source, name, below, template)
        mtime = file.stat().st_mtime
        return source, str(file), lambda: file.exists() and file.stat().st_mtime == mtime

    def list_templates(self) -> list[str]:
        """Every template name some provider ships."""
        names = {str(file.relative_to(folder)).replace("\\", "/")
                 for _, folder in self.providers for file in folder.rglob("*") if file.is_file()}
        return sorted(names)

    def _chain(self, name: str) -> list[tuple[str, Path]]:
        """The providers shipping ``name``, lowest first, with their file."""
        if ".." in Path(name).parts:
            return []
        return [(owner, folder / name) for owner, folder in self.providers if (folder / name).is_file()]


def _point_self_extension(source: str, name: str, below: str | None, template: str) -> str:
    """``source`` with ``{% extends "name" %}`` turned into the provider below's explicit name."""
    pattern = re.compile(r"""(\{%-?\s*extends\s+)(["'])""" + re.escape(name) + r"""\2""")
    if not pattern.search(source):
        return source
    if below is None:
        raise TemplateNotFound(f"{template} extends itself but no module below ships it")
    return pattern.sub(lambda m: f'{m.group(1)}"{below}{SEPARATOR}{name}"', source)


def module_template_loader(registry: Any) -> ModuleTemplateLoader:
    """The loader over the kernel's templates and those of ``registry``'s installed modules."""
    providers = [(KERNEL, KERNEL_TEMPLATES)]
    providers += [(module, registry.manifests[module].path / "templates")
                  for module in registry.modules if module in registry.manifests]
    return ModuleTemplateLoader(providers)
