"""Rows Loom keeps itself — the module list, the audit log, the outbox, API tokens, timelines —
can be read by an administrator through the API but never forged: an administrator's token that
tries to record a module that does not exist, add an audit entry, change an outbox event or mint a
token row gets 403, and the database still opens afterwards."""

from __future__ import annotations

import pytest

MANAGED = ("loom.module", "loom.audit_log", "loom.outbox_event", "loom.api_token", "loom.external_id")


@pytest.mark.parametrize("model", MANAGED)
def test_an_administrator_reads_kernel_rows_but_cannot_create_them(bench, model):
    assert bench.get(f"/api/v1/{model}").status_code == 200
    answer = bench.post(f"/api/v1/{model}", json={"name": "ghost_module", "module_version": "9.9"})
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "access_denied"
    assert "kept by Loom itself" in answer.get_json()["error"]["message"]


def test_nobody_writes_a_note_on_a_timeline_by_hand(bench):
    answer = bench.post("/api/v1/loom.record_event", json={"model": "base.partner", "res_id": 1, "kind": "note"})
    assert answer.status_code == 403


def test_an_administrator_cannot_rewrite_or_delete_the_module_list(bench, shop):
    from loom.kernel.installer import ModuleManager

    base = bench.get("/api/v1/loom.module", query_string={"filter": '[["name", "=", "base"]]'}).get_json()
    row = base["records"][0]
    assert bench.patch(f"/api/v1/loom.module/{row['id']}",
                       json={"module_version": "0.0.1", "version": row["version"]}).status_code == 403
    assert bench.request("DELETE", f"/api/v1/loom.module/{row['id']}").status_code == 403
    assert "base" in ModuleManager(shop.engine).installed()  # the database still opens as before


def test_the_api_document_offers_only_reads_of_kernel_rows(bench):
    paths = bench.get("/api/v1/openapi.json", who=None).get_json()["paths"]
    assert set(paths["/api/v1/loom.module"]) == {"get"} and set(paths["/api/v1/loom.module/{id}"]) == {"get"}
    assert "/api/v1/loom.module/onchange" not in paths
    assert set(paths["/api/v1/base.partner"]) == {"get", "post"}  # business models stay writable


def test_the_shell_offers_no_new_button_on_kernel_rows(bench):
    from loom.kernel.environment import Environment
    from loom.kernel.web.form_views import form_offered

    def offers(env):
        ada = env["loom.user"].search([["login", "=", "ada"]])[0]
        as_ada = Environment(env.registry, env.session, uid=ada.id)
        return (form_offered(as_ada, "loom.module", "create"), form_offered(as_ada, "base.partner", "create"))

    assert bench.unit(offers) == (False, True)
