"""Module manifests: reading and validating ``module.toml``, discovery, resolution and planning.

Every module here is a real folder with a ``module.toml`` under ``tmp_path``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from loom.kernel.errors import ModuleError
from loom.kernel.manifest import (
    Manifest,
    bridges_to_remove,
    check_installed_present,
    closure,
    dependents,
    discover,
    graph,
    plan_install,
    plan_uninstall,
    read_manifest,
    resolve,
    tree,
)

REPO = Path(__file__).resolve().parents[2]

ERP = {"sales": [], "scm": [], "finance": [], "crm": ["sales"], "sales_scm": ["sales", "scm"],
       "sales_finance": ["sales", "finance"], "scm_finance": ["scm", "finance"]}
ERP_BRIDGES = ("sales_scm", "sales_finance", "scm_finance")


def toml_value(value: Any) -> str:
    """``value`` written as TOML (strings, numbers, booleans, lists, inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f'"{key}" = {toml_value(item)}' for key, item in value.items()) + " }"
    return json.dumps(value)


def write_module(root: Path, folder: str, **keys: Any) -> Path:
    """A module folder ``root/folder`` whose ``module.toml`` holds ``keys`` (``None`` leaves a key out).

    ``name`` defaults to the folder's name and ``version`` to 1.0.0.
    """
    path = root / folder
    path.mkdir(parents=True, exist_ok=True)
    keys = {"name": folder, "version": "1.0.0", **keys}
    text = "".join(f"{key} = {toml_value(value)}\n" for key, value in keys.items() if value is not None)
    (path / "module.toml").write_text(text, encoding="utf-8")
    return path


def build(root: Path, spec: dict[str, list[str]], bridges: tuple[str, ...] = (),
          with_base: bool = True) -> dict[str, Manifest]:
    """Manifests read from folders written for ``spec`` (name -> depends), ``base`` included."""
    spec = {"base": [], **spec} if with_base else spec
    return {name: read_manifest(write_module(root, name, depends=deps, auto_install=name in bridges), name)
            for name, deps in spec.items()}


@pytest.fixture
def erp(tmp_path: Path) -> dict[str, Manifest]:
    """base, sales, scm, finance, crm (on sales) and the three bridges between sales, scm and finance."""
    return build(tmp_path, ERP, ERP_BRIDGES)


def invalid(folder: Path, package: str | None = None, distribution: str | None = None) -> ModuleError:
    """The ``kernel.manifest_invalid`` error reading ``folder`` raises."""
    with pytest.raises(ModuleError) as caught:
        read_manifest(folder, package or folder.name, distribution)
    assert caught.value.message_id == "kernel.manifest_invalid"
    return caught.value


def refused(message_id: str, call: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The parameters of the ``message_id`` error ``call(*args, **kwargs)`` raises."""
    with pytest.raises(ModuleError) as caught:
        call(*args, **kwargs)
    assert caught.value.message_id == message_id
    return caught.value.params


# -- reading ----------------------------------------------------------------------------------------


def test_a_full_manifest_is_read_with_kernel_implicit_and_base_added(tmp_path: Path) -> None:
    folder = write_module(tmp_path, "sales", summary="Orders", depends=["kernel", "crm_core"],
                          data=["data/sequences.toml"], demo=["demo/orders.toml"],
                          cli={"sales": "loom.modules.sales.cli:group"})
    for name in ("data/sequences.toml", "demo/orders.toml"):
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text("")

    manifest = read_manifest(folder, "loom.modules.sales")

    assert manifest == Manifest(name="sales", version="1.0.0", summary="Orders", depends=("base", "crm_core"),
                                auto_install=False, data=("data/sequences.toml",), demo=("demo/orders.toml",),
                                cli={"sales": "loom.modules.sales.cli:group"}, path=folder,
                                package="loom.modules.sales", distribution=None)


def test_base_depends_on_nothing_but_the_implicit_kernel(tmp_path: Path) -> None:
    assert read_manifest(write_module(tmp_path, "base", depends=["kernel"]), "base").depends == ()


def test_malformed_toml_names_the_folder_and_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "sales"
    folder.mkdir()
    (folder / "module.toml").write_text('name = "sales"\nversion = \n')

    error = invalid(folder)

    assert error.params["module"] == "sales"
    assert error.params["path"] == str(folder / "module.toml")
    assert "not valid TOML" in error.params["problem"]


def test_a_folder_without_module_toml_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "sales").mkdir()
    assert "cannot be read" in invalid(tmp_path / "sales").params["problem"]


def test_unknown_key_is_named(tmp_path: Path) -> None:
    error = invalid(write_module(tmp_path, "sales", requires=["base"]))
    assert error.params["module"] == "sales"
    assert error.params["problem"] == "unknown key 'requires'"


def test_missing_required_keys_are_all_named(tmp_path: Path) -> None:
    error = invalid(write_module(tmp_path, "sales", name=None, version=None, summary="x"))
    assert error.params["module"] == "sales"
    assert error.params["problem"] == "missing key 'name'; missing key 'version'"


@pytest.mark.parametrize(("key", "value", "kind"), [
    ("name", 1, "a string"),
    ("version", 1.0, "a string"),
    ("summary", ["x"], "a string"),
    ("depends", "base", "a list of strings"),
    ("depends", [1], "a list of strings"),
    ("auto_install", "yes", "true or false"),
    ("auto_install", 1, "true or false"),
    ("data", {"a": "b"}, "a list of strings"),
    ("demo", "demo.toml", "a list of strings"),
    ("cli", ["sales"], "a table of strings"),
    ("cli", {"sales": 1}, "a table of strings"),
])
def test_wrong_types_are_named(tmp_path: Path, key: str, value: Any, kind: str) -> None:
    error = invalid(write_module(tmp_path, "sales", **{key: value}))
    assert error.params["problem"] == f"'{key}' must be {kind}"


@pytest.mark.parametrize("name", ["Sales", "s", "1sales", "sales-x", "sales.x", "s" * 42, "sälès"])
def test_bad_names_are_refused(tmp_path: Path, name: str) -> None:
    error = invalid(write_module(tmp_path, "mod", name=name))
    assert error.params["module"] == name
    assert error.params["problem"].startswith(f"name '{name}' must be a lowercase letter")


def test_the_kernel_name_is_reserved(tmp_path: Path) -> None:
    assert invalid(write_module(tmp_path, "kernel")).params["problem"] == "the name 'kernel' is reserved"


def test_a_shipped_module_is_named_after_its_folder(tmp_path: Path) -> None:
    folder = write_module(tmp_path, "sales", name="sale")
    assert invalid(folder).params["problem"] == "name 'sale' differs from its folder name 'sales'"
    assert read_manifest(folder, "acme_sale", distribution="acme-sale").name == "sale"


@pytest.mark.parametrize("version", ["1.0", "v1.0.0", "1.0.0-beta", "1.0.x", "1.0.0\n"])
def test_bad_versions_are_refused(tmp_path: Path, version: str) -> None:
    error = invalid(write_module(tmp_path, "sales", version=version))
    assert error.params["problem"] == f"version {version!r} must look like 1.2.3"


@pytest.mark.parametrize(("folder", "keys", "problem"), [
    ("sales", {"depends": ["sales"]}, "depends on itself"),
    ("sales", {"depends": ["Base"]}, "depends names an invalid module 'Base'"),
    ("sales", {"depends": ["scm", "scm"]}, "depends lists 'scm' twice"),
    ("base", {"depends": ["sales"]}, "base may depend on nothing but kernel, not sales"),
    ("bridge", {"depends": ["base"], "auto_install": True},
     "auto_install needs depends to name the modules the bridge joins"),
])
def test_bad_dependencies_are_refused(tmp_path: Path, folder: str, keys: dict, problem: str) -> None:
    assert invalid(write_module(tmp_path, folder, **keys)).params["problem"] == problem


@pytest.mark.parametrize(("key", "file", "problem"), [
    ("data", "data/partners.toml", "data file 'data/partners.toml' does not exist"),
    ("demo", "demo.toml", "demo file 'demo.toml' does not exist"),
    ("data", "../base/module.toml",
     "data file '../base/module.toml' must be a relative path inside the module folder"),
    ("data", "/etc/passwd", "data file '/etc/passwd' must be a relative path inside the module folder"),
])
def test_data_files_must_exist_inside_the_module(tmp_path: Path, key: str, file: str, problem: str) -> None:
    write_module(tmp_path, "base")
    assert invalid(write_module(tmp_path, "sales", **{key: [file]})).params["problem"] == problem


@pytest.mark.parametrize(("cli", "problem"), [
    ({"sales": "loom.modules.sales.cli"}, "cli group 'sales' entry 'loom.modules.sales.cli' must look like"),
    ({"Sales Orders": "a.b:c"}, "cli group name 'Sales Orders' must be"),
])
def test_cli_entries_are_checked(tmp_path: Path, cli: dict, problem: str) -> None:
    assert invalid(write_module(tmp_path, "sales", cli=cli)).params["problem"].startswith(problem)


def test_every_problem_of_a_manifest_is_named_at_once(tmp_path: Path) -> None:
    error = invalid(write_module(tmp_path, "sales", version="1", data=["missing.toml"], depends=["sales"]))
    assert error.params["problem"] == ("version '1' must look like 1.2.3; depends on itself; "
                                       "data file 'missing.toml' does not exist")


# -- discovery --------------------------------------------------------------------------------------


def test_discover_reads_extra_module_folders_and_folders_of_modules(tmp_path: Path) -> None:
    single = write_module(tmp_path / "one", "zz_alpha")
    write_module(tmp_path / "many", "zz_gamma")
    write_module(tmp_path / "many", "zz_beta", depends=["zz_alpha"])
    (tmp_path / "many" / "not_a_module").mkdir()

    found = discover(extra_paths=[single, str(tmp_path / "many")])

    assert {"zz_alpha", "zz_beta", "zz_gamma"} <= found.keys()
    assert list(found) == sorted(found)
    beta = found["zz_beta"]
    assert (beta.package, beta.path, beta.distribution) == ("zz_beta", tmp_path / "many" / "zz_beta", None)
    assert beta.depends == ("base", "zz_alpha")
    assert found["base"].package == "loom.modules.base"


def test_discover_refuses_one_name_in_two_places(tmp_path: Path) -> None:
    first = write_module(tmp_path / "a", "zz_twice")
    second = write_module(tmp_path / "b", "zz_twice")

    params = refused("kernel.module_duplicate", discover, extra_paths=[tmp_path / "a", tmp_path / "b"])

    assert params["module"] == "zz_twice"
    assert params["locations"] == f"zz_twice: {first}, {second}"


def test_discover_refuses_a_missing_extra_folder(tmp_path: Path) -> None:
    params = refused("kernel.manifest_invalid", discover, extra_paths=[tmp_path / "nowhere"])
    assert params["problem"] == "the folder does not exist"


def test_discover_fails_on_a_bad_manifest(tmp_path: Path) -> None:
    write_module(tmp_path, "zz_bad", version="one")
    params = refused("kernel.manifest_invalid", discover, extra_paths=[tmp_path])
    assert params["module"] == "zz_bad"


def install_distribution(site: Path, entry: str, package: str = "zz_acme") -> None:
    """A package ``site/package`` whose import fails, and a dist-info declaring ``entry``."""
    folder = write_module(site, package)
    (folder / "__init__.py").write_text("raise RuntimeError('discovery must not import module code')\n")
    info = site / "zz_acme-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: zz-acme\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[loom.modules]\n{entry}\n")


def test_discover_finds_entry_point_modules_without_importing_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_distribution(tmp_path, "zz_acme = zz_acme")
    monkeypatch.syspath_prepend(str(tmp_path))

    acme = discover()["zz_acme"]

    assert (acme.package, acme.path, acme.distribution) == ("zz_acme", tmp_path / "zz_acme", "zz-acme")
    assert "zz_acme" not in sys.modules


@pytest.mark.parametrize(("entry", "problem"), [
    ("zz_other = zz_acme", "the package's module.toml names 'zz_acme'"),
    ("zz_acme = zz_nowhere", "'zz_nowhere' is not an importable package"),
])
def test_discover_refuses_a_bad_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            entry: str, problem: str) -> None:
    install_distribution(tmp_path, entry)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert refused("kernel.manifest_invalid", discover)["problem"] == problem


# -- resolution -------------------------------------------------------------------------------------


def test_resolution_order_is_topological_and_ties_are_broken_by_name(tmp_path: Path) -> None:
    spec = {"aaa": ["zzz"], "zzz": [], "mmm": ["aaa"], "bbb": []}
    forward = build(tmp_path / "f", spec)
    backward = build(tmp_path / "b", dict(reversed(spec.items())))

    assert resolve(forward, ["mmm", "bbb"]) == ["base", "bbb", "zzz", "aaa", "mmm"]
    assert resolve(backward, ["bbb", "mmm", "mmm"]) == ["base", "bbb", "zzz", "aaa", "mmm"]


def test_resolution_adds_base_and_every_bridge_whose_dependencies_are_all_there(erp: dict) -> None:
    assert resolve(erp, ["crm", "scm"]) == ["base", "sales", "crm", "scm", "sales_scm"]
    assert resolve(erp, ["kernel"]) == []
    assert closure(erp, "crm") == ["base", "sales", "crm"]
    assert closure(erp, "sales_scm") == ["base", "sales", "scm", "sales_scm"]


def test_unknown_modules_are_named_with_the_request_and_what_exists(erp: dict) -> None:
    params = refused("kernel.module_unknown", resolve, erp, ["sales", "salez", "hr"])
    assert params == {"module": "hr, salez", "requested": "sales, salez, hr",
                      "available": "base, crm, finance, sales, sales_finance, sales_scm, scm, scm_finance"}
    assert refused("kernel.module_unknown", closure, erp, "hr")["module"] == "hr"


def test_missing_dependencies_name_every_module_and_what_it_misses(tmp_path: Path) -> None:
    manifests = build(tmp_path, {"crm": ["sales"], "mrp": ["scm"], "sales_ok": []})

    params = refused("kernel.module_missing_dependency", resolve, manifests, ["mrp", "crm", "sales_ok"])

    assert params == {"module": "crm, mrp", "missing": "sales, scm", "details": "crm → sales, mrp → scm"}


def test_a_missing_base_is_a_missing_dependency(tmp_path: Path) -> None:
    manifests = build(tmp_path, {"sales": []}, with_base=False)
    params = refused("kernel.module_missing_dependency", resolve, manifests, ["sales"])
    assert params["details"] == "sales → base"


def test_a_cycle_of_two_names_both_modules(tmp_path: Path) -> None:
    manifests = build(tmp_path, {"a_mod": ["b_mod"], "b_mod": ["a_mod"]})
    params = refused("kernel.module_cycle", resolve, manifests, ["b_mod"])
    assert params == {"module": "a_mod, b_mod", "cycle": "a_mod → b_mod → a_mod"}


@pytest.mark.parametrize(("spec", "cycle"), [
    ({"xx": ["yy"], "yy": ["zz"], "zz": ["xx"]}, "xx → yy → zz → xx"),
    ({"xx": ["zz"], "zz": ["yy"], "yy": ["xx"]}, "xx → zz → yy → xx"),
])
def test_a_cycle_of_three_names_its_members_in_cycle_order(tmp_path: Path, spec: dict, cycle: str) -> None:
    manifests = build(tmp_path, {**spec, "aa_top": ["zz"]})
    params = refused("kernel.module_cycle", resolve, manifests, ["aa_top"])
    assert params["cycle"] == cycle
    assert params["module"] == ", ".join(cycle.split(" → ")[:3])


# -- planning ---------------------------------------------------------------------------------------


def test_a_bridge_arrives_with_its_last_dependency(erp: dict) -> None:
    assert plan_install(erp, {"kernel", "base"}, ["sales"]) == ["sales"]
    assert plan_install(erp, {"base", "sales"}, ["scm"]) == ["scm", "sales_scm"]
    assert plan_install(erp, {"base", "sales", "scm", "sales_scm"}, ["sales"]) == []
    assert plan_install(erp, set(), ["finance", "scm", "sales"]) == [
        "base", "finance", "sales", "sales_finance", "scm", "sales_scm", "scm_finance"]


def test_a_bridge_of_bridges_arrives_once_its_bridges_are_there(tmp_path: Path) -> None:
    manifests = build(tmp_path, {**ERP, "triple": ["sales_finance", "scm"]}, (*ERP_BRIDGES, "triple"))
    assert plan_install(manifests, {"base", "sales", "scm", "sales_scm"}, ["finance"]) == [
        "finance", "sales_finance", "scm_finance", "triple"]


def test_a_bridge_leaves_with_its_first_dependency(erp: dict) -> None:
    installed = {"kernel", "base", "sales", "scm", "sales_scm"}
    assert plan_uninstall(erp, installed, "scm") == ["sales_scm", "scm"]
    assert bridges_to_remove(erp, {"base", "sales", "sales_scm"}) == {"sales_scm"}
    assert bridges_to_remove(erp, installed) == set()


def test_uninstall_is_refused_while_other_modules_depend_on_it_unless_cascading(erp: dict) -> None:
    installed = {"base", "sales", "scm", "crm", "sales_scm"}

    params = refused("kernel.module_has_dependents", plan_uninstall, erp, installed, "sales")

    assert params == {"module": "sales", "dependents": "crm"}
    assert plan_uninstall(erp, installed, "sales", cascade=True) == ["sales_scm", "crm", "sales"]


def test_dependents_come_in_uninstall_order(erp: dict) -> None:
    installed = {"base", "sales", "scm", "crm", "sales_scm"}
    assert dependents(erp, installed, "base") == ["sales_scm", "scm", "crm", "sales"]
    assert dependents(erp, installed, "crm") == []


@pytest.mark.parametrize("name", ["base", "kernel"])
def test_base_and_kernel_can_never_be_uninstalled(erp: dict, name: str) -> None:
    installed = {"kernel", "base", "sales"}
    assert refused("kernel.module_base_required", plan_uninstall, erp, installed, name, cascade=True) == {
        "module": name}


def test_uninstalling_a_module_not_installed_is_refused(erp: dict) -> None:
    params = refused("kernel.module_not_installed", plan_uninstall, erp, {"base"}, "sales")
    assert params == {"module": "sales"}


def test_installed_modules_whose_code_is_gone_are_all_named(erp: dict) -> None:
    installed = {"kernel", "base", "sales", "ghost", "phantom"}
    for call, args in ((check_installed_present, ()), (plan_install, (["scm"],)),
                       (plan_uninstall, ("sales",)), (dependents, ("base",))):
        params = refused("kernel.module_code_missing", call, erp, installed, *args)
        assert params == {"module": "ghost, phantom"}
    check_installed_present(erp, {"kernel", "base", "sales"})


# -- rendering --------------------------------------------------------------------------------------


def test_graph_draws_direct_dependencies_and_dashes_bridges(erp: dict) -> None:
    dot = graph(erp, ["kernel", "base", "sales", "scm", "crm", "sales_scm"])
    assert dot.startswith("digraph loom_modules {\n")
    assert '"sales_scm" [label="sales_scm\\n1.0.0", style=dashed];' in dot
    edges = set(re.findall(r'"(\w+)" -> "(\w+)"', dot))
    assert edges == {("sales", "base"), ("scm", "base"), ("crm", "sales"),
                     ("sales_scm", "sales"), ("sales_scm", "scm")}


def test_tree_hangs_each_module_under_what_it_depends_on(erp: dict) -> None:
    assert tree(erp, ["base", "sales", "scm", "crm", "sales_scm"]) == (
        "base 1.0.0\n"
        "├── sales 1.0.0\n"
        "│   ├── crm 1.0.0\n"
        "│   └── sales_scm 1.0.0 (bridge)\n"
        "└── scm 1.0.0\n"
        "    └── sales_scm 1.0.0 (bridge)\n")


def test_tree_expands_a_module_under_several_parents_once(tmp_path: Path) -> None:
    manifests = build(tmp_path, {"left": [], "right": [], "join": ["left", "right"], "leaf": ["join"]})
    assert tree(manifests, manifests) == (
        "base 1.0.0\n"
        "├── left 1.0.0\n"
        "│   └── join 1.0.0\n"
        "│       └── leaf 1.0.0\n"
        "└── right 1.0.0\n"
        "    └── join 1.0.0 …\n")


# -- documentation ----------------------------------------------------------------------------------


def test_every_message_id_is_documented_in_english_and_chinese() -> None:
    source = "".join(file.read_text(encoding="utf-8") for file in sorted((REPO / "kernel" / "manifest").glob("*.py")))
    lines = (REPO / "docs" / "modules.md").read_text(encoding="utf-8").splitlines()
    rows = {row.split("|")[1].strip(" `"): row for row in lines if row.startswith("| `kernel.")}
    used = set(re.findall(r'"(kernel\.[a-z_]+)"', source))
    assert used == rows.keys()
    for row in rows.values():
        english, chinese = (cell.strip() for cell in row.split("|")[2:4])
        assert english and re.search(r"[\u4e00-\u9fff]", chinese), row
