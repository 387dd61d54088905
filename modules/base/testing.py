"""Builders for tests of base and of the modules that depend on it.

They work on an environment over a database where base is installed (``base_env`` in the
project's tests) and return records, so a dependent module's test reads as its story::

    company = create_company(env, "Beijing branch", "BJ")
    chair = create_product(env, "Office chair", list_price=Decimal("399.00"))
"""

from __future__ import annotations

from typing import Any

from loom.kernel.external_ids import ref
from loom.modules.base.tax import copy_company_taxes


def create_company(env: Any, name: str, code: str, *, currency: str = "CNY", **details: Any) -> Any:
    """A company keeping its books in ``currency`` (a code), with a copy of the main company's taxes."""
    currency_id = env["base.currency"].search([["code", "=", currency]], active_test=False)[0].id
    company = env["loom.company"].create({"name": name, "code": code, "currency_id": currency_id, **details})
    copy_company_taxes(env, ref(env, "kernel.main_company").id, company.id)
    return company


def create_product(env: Any, name: str, *, uom: str = "base.uom_unit", **values: Any) -> Any:
    """A shared product counted in the unit named ``uom`` (an external id)."""
    return env["base.product"].create({"name": name, "uom_id": ref(env, uom).id, **values})
