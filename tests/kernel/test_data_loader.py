"""Module data files: keyed by external id, updated rather than duplicated, no-update respected.

Stories: upgrading a module reloads its data without creating anything twice; a company renamed
by its owner keeps its name when the kernel's data is reloaded (no-update); a broken data file
names the file, the row and the field, and writes nothing.
"""

from __future__ import annotations

import pytest

from loom.kernel import external_ids
from loom.kernel.data_loader import load_file
from loom.kernel.errors import LoomError, ValidationError


def write(tmp_path, text: str):
    path = tmp_path / "data.toml"
    path.write_text(text, "utf-8")
    return path


ROLES = """
[["loom.role"]]
id = "auditor"
code = "test.auditor"
name = "Auditor"

[["loom.access"]]
id = "access_auditor_company"
role_id = { ref = "auditor" }
model = "loom.company"
perm_read = true
"""


def test_loading_twice_updates_instead_of_duplicating(base_env, tmp_path):
    path = write(tmp_path, ROLES)
    first = load_file(base_env, "test", path)
    assert first.created == {"loom.role": 1, "loom.access": 1}
    path.write_text(ROLES.replace('name = "Auditor"', 'name = "Internal auditor"'), "utf-8")
    second = load_file(base_env, "test", path)
    assert second.created == {} and second.updated == {"loom.role": 1, "loom.access": 1}
    role = external_ids.ref(base_env, "test.auditor")
    assert role.name == "Internal auditor"
    assert base_env["loom.role"].count([["code", "=", "test.auditor"]]) == 1


def test_no_update_records_keep_what_users_changed(base_env, tmp_path):
    company = external_ids.ref(base_env, "kernel.main_company")
    base_env["loom.company"].write([company], {"name": "Minghui Electronics"})
    path = write(tmp_path, '[["loom.company"]]\nid = "kernel.main_company"\nname = "My Company"\ncode = "MAIN"\n')
    report = load_file(base_env, "kernel", path)
    assert report.updated == {} and report.created == {}
    assert company.name == "Minghui Electronics"


@pytest.mark.parametrize("text, field", [
    ('[["loom.role"]]\nid = "r"\ncode = "x.r"\nname = 42\n', "name"),
    ('[["loom.access"]]\nid = "a"\nrole_id = { ref = "nowhere.role" }\nmodel = "loom.company"\n', None),
    ('[["loom.role"]]\nid = "r"\ncode = "x.r"\n', "name"),
    ('[["loom.role"]]\nid = "r"\ncode = "x.r"\nname = "R"\nflavour = "mint"\n', "flavour"),
])
def test_a_bad_row_names_the_file_the_row_and_the_field_and_nothing_is_written(base_env, tmp_path, text, field):
    path = write(tmp_path, ROLES + "\n" + text)
    roles_before = base_env["loom.role"].count()
    with pytest.raises(LoomError) as caught:
        load_file(base_env, "test", path)
    assert caught.value.params.get("row") == 1 or "row" in " ".join(caught.value.__notes__)
    assert str(path) in " ".join(caught.value.__notes__)
    if field:
        assert caught.value.field == field
    base_env.session.rollback()
    assert base_env["loom.role"].count() == roles_before


def test_a_malformed_file_is_refused_with_its_name(base_env, tmp_path):
    path = write(tmp_path, '[["loom.role"]\nid = ')
    with pytest.raises(ValidationError) as caught:
        load_file(base_env, "test", path)
    assert caught.value.params["file"] == str(path)
