"""Names of shipped records in both languages Loom speaks.

Records that base ships as data (currencies, units and their categories, product categories,
taxes) and products carry ``name`` (English) and ``name_zh`` (Chinese, optional); channels show
:meth:`TranslatedName.label` in the user's language. Partners and tags keep the one name a
person typed.
"""

from __future__ import annotations


class TranslatedName:
    """Mixin for models that declare ``name`` and ``name_zh`` columns (it declares none itself)."""

    def label(self, lang: str) -> str:
        """The name in ``lang`` (``zh_CN`` or ``en``), falling back to the English name."""
        if lang == "zh_CN" and self.name_zh:
            return self.name_zh
        return self.name
