"""A third-party module, end to end: pip install its distribution, install it into a database, use
it, uninstall it, pip uninstall it, and meet the clear error of a database whose module code is gone.

The module is plugins_contrib/loom_partner_rating (distribution ``loom-partner-rating``, entry point
``partner_rating = "loom_partner_rating"`` in the group ``loom.modules``). It is pip-installed
offline (``--no-index --no-build-isolation``: the run's own setuptools builds it) into a throwaway
virtual environment made for this test, which sees the run's packages, loom-erp included, through a
``.pth`` file. It never goes into the run's own environment: other tests run beside this one under
pytest-xdist and discover modules from that environment's entry points, and a test killed half-way
must not leave a module installed there. Every ``loom`` command runs in a fresh interpreter of that
environment (entry points are read at startup), on the run's backend.
"""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import venv
from importlib import metadata
from pathlib import Path

import pytest

from conformance import schema_snapshot
from loom.kernel.db import create_engine

REPO = Path(__file__).resolve().parents[2]
DISTRIBUTION = REPO / "plugins_contrib" / "loom_partner_rating"
STORY = Path(__file__).resolve().parent / "partner_rating_story.py"


class ThrowawayEnvironment:
    """A virtual environment in ``root`` whose interpreter also sees the run's site-packages."""

    def __init__(self, root: Path) -> None:
        self.root = root
        venv.EnvBuilder(with_pip=False).create(root)
        self.python = str(root / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python"))
        purelib = Path(self.run("-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
        parents = [p for p in (*site.getsitepackages(), site.getusersitepackages()) if p in sys.path]
        # addsitedir, not a plain path line, so the run's own .pth files (an editable loom-erp) apply.
        (purelib / "_loom_run_site.pth").write_text(
            "".join(f"import site; site.addsitedir({p!r})\n" for p in parents), "utf-8")

    def run(self, *args: str, ok: bool = True) -> str:
        """Run this environment's python with ``args``; its output (stdout, then stderr)."""
        done = subprocess.run([self.python, *args], cwd=self.root.parent, capture_output=True, text=True,
                              timeout=180)
        output = done.stdout + done.stderr
        assert (done.returncode == 0) == ok, f"{args} exited {done.returncode}:\n{output}"
        return output

    def pip(self, *args: str) -> str:
        """``python -m pip ARGS`` inside this environment, offline."""
        return self.run("-m", "pip", "--disable-pip-version-check", "--no-input", *args)


@pytest.fixture
def environment(tmp_path: Path) -> ThrowawayEnvironment:
    """A throwaway environment and a copy of the distribution's source to build from."""
    if int(metadata.version("setuptools").split(".")[0]) < 77:
        pytest.fail("building plugins_contrib distributions offline needs setuptools>=77 in the test "
                    "environment: pip install '.[test]'")
    shutil.copytree(DISTRIBUTION, tmp_path / "src",
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    return ThrowawayEnvironment(tmp_path / "venv")


@pytest.mark.distribution
def test_a_pip_installed_module_is_installed_used_uninstalled_and_removed(
        environment: ThrowawayEnvironment, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOOM_ADMIN_PASSWORD", "admin-password")
    monkeypatch.setenv("LOOM_NEW_PASSWORD", "user-password")
    monkeypatch.setenv("LOOM_DATABASE_URL", database_url)

    def loom(*args: str, ok: bool = True) -> str:
        return environment.run("-m", "loom", *args, ok=ok)

    environment.pip("install", "--no-deps", "--no-build-isolation", "--no-index", str(environment.root.parent / "src"))
    try:
        installed_and_used_then_uninstalled(loom, environment, database_url)
        loom("module", "install", "partner_rating")  # installed once more: its code is about to go
    finally:
        removed = environment.pip("uninstall", "--yes", "loom-partner-rating")
    assert "Successfully uninstalled loom-partner-rating" in removed

    # The database still lists partner_rating, whose code is gone: one clear error naming it.
    refused = loom("module", "install", "partner_rating", ok=False)
    assert ("Error: The code of the installed modules partner_rating cannot be found; "
            "reinstall the packages that provide them") in refused.splitlines()


def installed_and_used_then_uninstalled(loom, environment: ThrowawayEnvironment, url: str) -> None:
    """The module's life in one database, from ``loom init`` back to the starting schema."""
    info = json.loads(loom("module", "info", "partner_rating", "--json"))
    assert info["distribution"] == "loom-partner-rating"
    assert Path(info["path"]).is_relative_to(environment.root)  # the installed copy, not the source
    assert "Installed 2 modules: kernel, base" in loom("init")
    assert not listed(loom)["partner_rating"]
    start = snapshot(url)

    assert loom("module", "install", "partner_rating").strip() == "Installed: partner_rating"
    assert listed(loom)["partner_rating"]
    assert "Schema matches the models" in loom("db", "check")
    assert loom("settings", "set", "partner_rating.review_months", "6").strip() == "partner_rating.review_months = 6"
    loom("user", "create", "rita", "--role", "partner_rating.rater")
    loom("user", "create", "sam", "--role", "base.user")

    story = json.loads(environment.run(str(STORY), url))
    assert_story(story)

    refused = loom("module", "uninstall", "partner_rating", ok=False)  # the ratings are business data
    assert "partner_rating: 2" in refused and "--purge" in refused and "Traceback" not in refused
    plan = json.loads(loom("module", "uninstall", "partner_rating", "--purge", "--json"))
    assert (plan["modules"], plan["business_rows"]) == (["partner_rating"], {"partner_rating": 2})
    assert plan["backup"] and Path(plan["backup"]).exists()  # taken before the ratings went
    assert snapshot(url) == start
    assert not listed(loom)["partner_rating"]
    users = {row["login"]: row["roles"] for row in json.loads(loom("user", "list", "--json"))}
    assert users["rita"] == []  # the role partner_rating shipped left with it


def assert_story(story: dict) -> None:
    """What test_third_party_module's story (partner_rating_story.py) must show."""
    assert [(p["name"], p["credit_rating"], p["credit_rated_on"]) for p in story["partners"]] == [
        ("Acme Trading", "A", "2026-03-02"), ("Brightwater Foods", "B", "2026-09-15"), ("Li Lei", None, None)]
    assert story["li_lei_effective"] == "A"  # a contact shares its company's rating
    assert story["due_for_review"] == ["Acme Trading"]  # rated more than 6 months before 2026-11-25
    assert story["sam_may_not_rate"] == {
        "code": "partner_rating.rater_only", "field": "credit_rating",
        "en": "sam may not change the credit rating of Brightwater Foods: only credit raters "
              "(role partner_rating.rater) may.",
        "zh_CN": "sam 无权修改 Brightwater Foods 的信用评级：只有信用评级员（角色 partner_rating.rater）可以修改。"}
    assert story["contact_refused"]["en"] == ("Li Lei belongs to Acme Trading: rate Acme Trading; its contacts "
                                              "and addresses share its rating.")
    assert (story["date_required"]["code"], story["date_required"]["field"]) == (
        "partner_rating.rated_on_required", "credit_rated_on")
    assert story["unknown_rating"]["code"] == "kernel.value_not_in_selection"


def listed(loom) -> dict[str, bool]:
    """``loom module list --json``: module name -> installed."""
    return {row["name"]: row["installed"] for row in json.loads(loom("module", "list", "--json"))}


def snapshot(url: str) -> dict[str, list]:
    """Tables, columns, indexes and foreign keys of the database at ``url``."""
    engine = create_engine(url)
    try:
        return schema_snapshot(engine)
    finally:
        engine.dispose()
