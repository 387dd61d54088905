"""An import names records in its own namespace: it may update a record a module's data file created
(by that module's external id), but a new id it creates goes under ``__import__``, never a module's
namespace, so no module upgrade later overwrites an imported record or fails on a planted id."""

from __future__ import annotations

import pytest

from loom.kernel.db import create_engine, run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.installer import ModuleManager
from loom.kernel.transfer import ImportFailedError, import_file
from loom_test_support import ROOTS, Installed


@pytest.fixture(scope="module")
def shop(database_factory):
    """A database with base installed (its product category ``base.product_category_all``)."""
    url = database_factory()
    engine = create_engine(url)
    manager = ModuleManager(engine, roots=ROOTS)
    manager.install(["base"])
    yield Installed(url, engine, manager)
    engine.dispose()


def _work(shop, fn):
    return run_unit_of_work(shop.engine, lambda s: fn(Environment(shop.registry, s, su=True)))


def _ids(shop):
    return _work(shop, lambda env: sorted((r.module, r.name) for r in env["loom.external_id"].search(
        [["model", "=", "base.product.category"]])))


def test_a_new_id_in_a_modules_namespace_is_refused_naming_its_row(shop, tmp_path):
    before = _ids(shop)
    path = tmp_path / "categories.csv"
    path.write_text("id,name\nfurniture,Furniture\nbase.future_category,Planted\n")
    with pytest.raises(ImportFailedError) as caught:
        _work(shop, lambda env: import_file(env, "base.product.category", path))
    [problem] = caught.value.report.errors
    assert (problem.row, problem.column) == (3, "id") and "base.future_category" in problem.message
    assert _ids(shop) == before  # nothing written, not even the good row


def test_an_import_updates_a_modules_record_and_creates_its_own_ids(shop, tmp_path):
    path = tmp_path / "categories.csv"
    path.write_text("id,name\nbase.product_category_all,Everything\nchairs,Chairs\n__import__.desks,Desks\n")
    report = _work(shop, lambda env: import_file(env, "base.product.category", path))
    assert (report.created, report.updated) == (2, 1)
    assert {("__import__", "chairs"), ("__import__", "desks"), ("base", "product_category_all")} <= set(_ids(shop))
    names = _work(shop, lambda env: {c.name for c in env["base.product.category"].search()})
    assert {"Everything", "Chairs", "Desks"} <= names
