"""Loom: a modular business platform.

The distribution maps kernel/, modules/ and cli/ onto ``loom.kernel``, ``loom.modules`` and
``loom.cli``. When this file is imported straight from a source checkout (``python -m loom`` at the
repository root), the checkout's root joins the package path so those folders resolve the same way.
"""

from pathlib import Path as _Path

__version__ = "0.1.0"

_checkout = _Path(__file__).resolve().parent.parent
if (_checkout / "kernel" / "__init__.py").is_file() and (_checkout / "pyproject.toml").is_file():
    __path__.append(str(_checkout))  # noqa: F821 - __path__ is defined for packages
