"""The application factory serves a database with Loom installed and refuses one without."""

from __future__ import annotations

import pytest

from loom.kernel.errors import ModuleError
from loom.kernel.web.app import create_app
from loom.kernel.web.state import loom_state


def test_the_application_serves_an_installed_database(installed):
    item = installed("base")
    app = create_app(item.url)
    assert app.test_client().get("/api/v1/health").get_json() == {"status": "ok"}
    count = loom_state(app).run(None, lambda env: env["base.partner"].count(), write=False)
    assert count >= 0


def test_a_database_without_loom_is_refused_in_one_line(database_url):
    with pytest.raises(ModuleError) as refused:
        create_app(database_url)
    assert "loom init" in str(refused.value)
