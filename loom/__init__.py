"""Loom: a modular business platform.

The distribution maps kernel/, modules/ and cli/ onto ``loom.kernel``, ``loom.modules`` and
``loom.cli``. When this file is imported straight from a source checkout (``python -m loom`` at the
repository root), the checkout's root joins the package path so those folders resolve the same way.
"""

import os as _os

__version__ = "0.1.0"

_checkout = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
if _os.path.isfile(_os.path.join(_checkout, "kernel", "__init__.py")) and _os.path.isfile(
        _os.path.join(_checkout, "pyproject.toml")):
    __path__.append(_checkout)  # noqa: F821 - __path__ is defined for packages
