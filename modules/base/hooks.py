"""base's hook implementations: its settings, company currencies when base is installed, and its
dashboard tiles."""

from __future__ import annotations

from typing import Any

from loom.kernel.external_ids import ref
from loom.kernel.hooks import hookimpl
from loom.kernel.web.menus import MenuItem
from loom.modules.base.tax import TAX_ROUNDING

#: base's menu: each master under its model's label, for whoever may read it.
MENU = tuple(MenuItem(f"base.{key}", f"base.model.{model.replace('.', '_')}", f"/m/{model}", model=model,
                      sequence=sequence)
             for sequence, key, model in ((10, "partners", "base.partner"), (20, "products", "base.product"),
                                          (30, "product_categories", "base.product.category"),
                                          (40, "uoms", "base.uom"), (50, "currencies", "base.currency"),
                                          (60, "taxes", "base.tax")))


@hookimpl
def register_settings() -> list[Any]:
    """``base.tax_rounding``: ``line`` (default) or ``document``, per company."""
    return [TAX_ROUNDING]


@hookimpl
def on_module_installed(env: Any, module: str) -> None:
    """When base itself is installed, every company without a currency keeps its books in CNY."""
    if module != "base":
        return
    companies = env["loom.company"].search([["currency_id", "is_null", True]], active_test=False)
    if companies:
        env["loom.company"].write(companies, {"currency_id": ref(env, "base.cny").id})


@hookimpl
def register_dashboard_tiles() -> list[Any]:
    """Customers and suppliers, and partners by country (:mod:`loom.modules.base.web`)."""
    from loom.modules.base.web import TILES

    return TILES


@hookimpl
def register_menus() -> list[Any]:
    """Partners, products, their categories, units, currencies and taxes, under their models' labels."""
    return list(MENU)
