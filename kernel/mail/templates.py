"""Mail templates: folders of Jinja2 files per message and language, contributed through a hook.

``kernel.activity_assigned`` is ``activity_assigned.en.subject.txt``, ``activity_assigned.en.txt``
and ``activity_assigned.en.html`` (and the same with ``zh_CN``) in the folder the kernel registers
under the prefix ``kernel``. HTML bodies are autoescaped; a parameter the template uses but the
caller did not give is an error, never an empty string.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from loom.kernel.errors import ConfigurationError, ValidationError

_BY_REGISTRY: weakref.WeakKeyDictionary[Any, dict[str, Path]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class TemplateFolder:
    """The mail templates of one module: ``send_mail(env, "<prefix>.<name>", ...)`` reads ``path``."""

    prefix: str
    path: Path


@dataclass(frozen=True)
class Rendered:
    """A message rendered in one language."""

    subject: str
    text: str
    html: str | None
    lang: str


def template_folders(registry: Any) -> dict[str, Path]:
    """Every registered template folder by prefix (collected once per registry)."""
    if registry not in _BY_REGISTRY:
        found: dict[str, Path] = {}
        for contribution in registry.pm.hook.register_mail_templates():
            for folder in contribution:
                if folder.prefix in found:
                    raise ConfigurationError("kernel.mail_template_prefix_duplicate", prefix=folder.prefix)
                found[folder.prefix] = Path(folder.path)
        _BY_REGISTRY[registry] = found
    return _BY_REGISTRY[registry]


def render(registry: Any, template: str, params: dict[str, Any], lang: str = "en") -> Rendered:
    """Render ``template`` (``prefix.name``) in ``lang`` (English when it has no such language)."""
    import jinja2

    prefix, _, name = template.partition(".")
    folder = template_folders(registry).get(prefix)
    if folder is None or not name:
        raise ValidationError("kernel.mail_template_missing", field="template", template=template)
    environment = _environment(folder)
    lang = lang if (folder / f"{name}.{lang}.subject.txt").exists() else "en"
    if not (folder / f"{name}.{lang}.subject.txt").exists():
        raise ValidationError("kernel.mail_template_missing", field="template", template=template)
    try:
        subject = environment.get_template(f"{name}.{lang}.subject.txt").render(params)
        text = environment.get_template(f"{name}.{lang}.txt").render(params)
        html_file = f"{name}.{lang}.html"
        html = environment.get_template(html_file).render(params) if (folder / html_file).exists() else None
    except jinja2.UndefinedError as exc:
        raise ValidationError("kernel.mail_template_params", field="params", template=template,
                              problem=str(exc)) from None
    except jinja2.TemplateError as exc:
        raise ValidationError("kernel.mail_template_broken", field="template", template=template,
                              problem=str(exc)) from None
    return Rendered(subject.strip(), text, html, lang)


@cache
def _environment(folder: Path) -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)),
                              autoescape=jinja2.select_autoescape(enabled_extensions=("html",),
                                                                  default_for_string=False, default=False),
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
