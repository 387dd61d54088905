"""The application factory serves a database with Loom installed and refuses one without, or one
without a strong secret key (W7)."""

from __future__ import annotations

import os
import stat

import pytest

from loom.kernel.errors import ConfigurationError, ModuleError
from loom.kernel.web.app import create_app
from loom.kernel.web.secret import key_file, load_secret_key
from loom.kernel.web.state import loom_state

KEY = os.urandom(32)


def test_the_application_serves_an_installed_database(installed):
    item = installed("base")
    app = create_app(item.url, config={"SECRET_KEY": KEY})
    assert app.test_client().get("/api/v1/health").get_json() == {"status": "ok"}
    count = loom_state(app).run(None, lambda env: env["base.partner"].count(), write=False)
    assert count >= 0
    assert app.debug is False


def test_a_database_without_loom_is_refused_in_one_line(database_url):
    with pytest.raises(ModuleError) as refused:
        create_app(database_url, config={"SECRET_KEY": KEY})
    assert "loom init" in str(refused.value)


@pytest.mark.parametrize("weak", [b"dev", b"changeme", b"x" * 64, "short-but-not-32-bytes", b"secret-key"])
def test_startup_refuses_a_default_or_short_secret_key(installed, weak):
    with pytest.raises(ConfigurationError) as refused:
        create_app(installed("base").url, config={"SECRET_KEY": weak})
    assert "at least 32 random bytes" in str(refused.value)


def test_startup_without_any_secret_key_says_how_to_get_one(installed, monkeypatch, tmp_path):
    monkeypatch.delenv("LOOM_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)  # a server database's key file lives in the working directory
    url = installed("base").url
    if key_file(url).exists():
        pytest.skip("this SQLite test database already has a key file beside it")
    with pytest.raises(ConfigurationError) as refused:
        create_app(url)
    assert "LOOM_SECRET_KEY" in str(refused.value)


def test_the_environment_key_is_used_and_checked(installed, monkeypatch):
    monkeypatch.setenv("LOOM_SECRET_KEY", "k" * 40)
    with pytest.raises(ConfigurationError):
        create_app(installed("base").url)
    monkeypatch.setenv("LOOM_SECRET_KEY", os.urandom(24).hex())
    assert create_app(installed("base").url).secret_key == os.environ["LOOM_SECRET_KEY"].encode()


def test_serve_writes_a_private_key_file_beside_a_sqlite_database_once(tmp_path, monkeypatch):
    monkeypatch.delenv("LOOM_SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    first = load_secret_key(url, create=True)
    assert key_file(url) == tmp_path / "shop.db.secret"
    assert stat.S_IMODE(key_file(url).stat().st_mode) == 0o600
    assert len(first) == 32
    assert load_secret_key(url) == first


def test_startup_refuses_a_request_timeout_that_is_no_number_of_seconds(installed, monkeypatch):
    from loom.kernel.errors import ConfigurationError

    monkeypatch.setenv("LOOM_REQUEST_TIMEOUT", "soon")
    with pytest.raises(ConfigurationError) as raised:
        create_app(installed("base").url, config={"SECRET_KEY": KEY})
    assert raised.value.field == "LOOM_REQUEST_TIMEOUT"
