"""The OpenAPI document describes every installed model from the registry and validates."""

from __future__ import annotations

import json

import openapi_spec_validator


def _document(bench) -> dict:
    answer = bench.get("/api/v1/openapi.json", who=None)
    assert answer.status_code == 200
    return answer.get_json()


def test_the_document_validates_against_the_openapi_3_schema(bench):
    openapi_spec_validator.validate(_document(bench))


def test_every_reference_resolves_and_every_operation_answers_the_error_contract(bench):
    document = _document(bench)
    assert document["openapi"].startswith("3.")
    text = json.dumps(document)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
        node = document
        for key in ref.removeprefix("#/").split("/"):
            node = node[key]  # a KeyError names a dangling reference
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["responses"], (method, path)
            if path != "/api/v1/auth/token":
                assert {"400", "401", "403", "404", "409", "422", "503"} <= set(operation["responses"]), (method, path)


def test_the_schemas_follow_the_field_metadata(bench):
    schemas = _document(bench)["components"]["schemas"]
    order, write = schemas["alpha.order"], schemas["alpha.order.write"]
    assert order["properties"]["state"]["readOnly"] is True
    assert set(order["properties"]["state"]["enum"]) >= {"draft", "confirmed", "done", "cancelled"}
    assert "state" not in write["properties"] and "id" not in write["properties"]
    assert "amount_total" not in write["properties"] and write["additionalProperties"] is False
    assert "partner_id" in write["required"]
    assert order["properties"]["amount_total"]["type"] == "string"  # decimals travel exactly, as text
    assert "/api/v1/alpha.order/{id}/confirm" in _document(bench)["paths"]
    assert schemas["loom.user"]["properties"]["login"]["maxLength"] == 100
    assert "password_hash" not in schemas["loom.user"]["properties"]
    assert "token_hash" not in schemas["loom.api_token"]["properties"]
