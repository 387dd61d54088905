"""The OpenAPI 3 document of ``/api/v1``, generated from the registry's field metadata.

Each installed model gets a read schema (every field, read-only ones marked ``readOnly``) and a
write schema (only the fields a client may send: read-only and system fields absent,
``additionalProperties: false``, as the API refuses anything else with 422), and the paths of the
record routes, its workflow transitions included. Decimals are strings (exact), links are ids.
Fields no role may read (password hashes, token hashes) are left out. Schemas and properties carry
the English label as ``title`` and every language's in ``x-labels``; selection values their labels
in ``x-enum-labels`` (the values sent and received stay the stored ones).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from loom.kernel.fields import FieldInfo
from loom.kernel.i18n import LANGUAGES, labels
from loom.kernel.models.security import NOBODY

if TYPE_CHECKING:
    from loom.kernel.registry import Registry

_SCALARS: dict[str, dict[str, Any]] = {
    "integer": {"type": "integer", "format": "int64"},
    "string": {"type": "string"},
    "text": {"type": "string"},
    "boolean": {"type": "boolean"},
    "decimal": {"type": "string", "format": "decimal"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "many2one": {"type": "integer", "format": "int64"},
    "many2many": {"type": "array", "items": {"type": "integer", "format": "int64"}},
    "json": {},
}
_STATUSES = {"400": "Malformed request, unknown field or operator", "401": "No valid token",
             "403": "Permission denied", "404": "Missing, or hidden by record rules or companies",
             "409": "Stale version or reused idempotency key", "413": "Body too large",
             "422": "Unknown or read-only field, invalid value, business rule",
             "429": "Too many failed logins: retry after Retry-After", "503": "Busy: retry after Retry-After"}
#: Answered by the HTTP server (gunicorn) before the API sees the request, so not in the JSON contract.
_SERVER_STATUSES = {"414": "Request line (method, path and query string) over 4,094 bytes"}


_documents: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def openapi_document(registry: Registry) -> dict[str, Any]:
    """The OpenAPI 3.0 document of the API over ``registry``'s models (built once per registry)."""
    if registry not in _documents:
        _documents[registry] = _document(registry)
    return _documents[registry]


def _document(registry: Registry) -> dict[str, Any]:
    from loom.kernel.workflow import find_workflow

    schemas: dict[str, Any] = {"Error": _ERROR}
    paths: dict[str, Any] = {
        "/api/v1/auth/token": {"post": _token_operation()},
    }
    for model in sorted(registry.models):
        fields = registry.fields(model)
        schemas[model] = _schema(registry, model, fields, write=False)
        schemas[f"{model}.write"] = _schema(registry, model, fields, write=True)
        workflow = find_workflow(registry, model)
        model_paths = _model_paths(model, sorted(workflow.transitions) if workflow else [])
        if registry[model].__managed__:  # rows the kernel alone writes: read them, nothing else
            model_paths = {path: {"get": ops["get"]} for path, ops in model_paths.items() if "get" in ops}
        paths.update(model_paths)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Loom JSON API", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
                       "responses": {**{code: {"description": text, "content": _json_ref("Error")}
                                        for code, text in _STATUSES.items()},
                                     **{code: {"description": text} for code, text in _SERVER_STATUSES.items()}}},
        "security": [{"token": []}],
    }


def _schema(registry: Registry, model: str, fields: dict[str, FieldInfo], *, write: bool) -> dict[str, Any]:
    properties = {}
    for name, info in fields.items():
        if (write and info.readonly) or info.roles == frozenset(NOBODY):
            continue
        prop = {**_property(registry, info, write=write), **_labels(model, name, info)}
        if info.readonly:
            prop["readOnly"] = True
        properties[name] = prop
    names = {lang: labels.model_label(registry, model, lang) for lang in LANGUAGES}
    schema: dict[str, Any] = {"type": "object", "title": names["en"], "x-labels": names, "properties": properties}
    if write:
        schema["additionalProperties"] = False
        required = sorted(n for n, i in fields.items() if i.required and not i.readonly and n != "company_id")
        if required:
            schema["required"] = required
    return schema


def _property(registry: Registry, info: FieldInfo, *, write: bool) -> dict[str, Any]:
    if info.kind == "one2many":
        if write:
            line = {"$ref": f"#/components/schemas/{info.target}.write"}
            return {"oneOf": [{"type": "array", "items": line},
                              {"type": "object", "additionalProperties": False, "properties": {
                                  "create": {"type": "array", "items": line},
                                  "update": {"type": "array", "items": {"type": "object"}},
                                  "delete": {"type": "array", "items": {"type": "integer"}}}}]}
        return {"type": "array", "items": {"type": "integer", "format": "int64"}}
    prop = dict(_SCALARS.get(info.kind, {"type": "string"}))
    if info.kind == "selection":
        prop["enum"] = list(info.selection)
    if info.size:
        prop["maxLength"] = info.size
    if not info.required:
        prop["nullable"] = True
    return prop


def _labels(model: str, name: str, info: FieldInfo) -> dict[str, Any]:
    """The field's ``title`` (English), its label per language and its selection values' labels."""
    names = {lang: labels.field_label(model, name, info, lang) for lang in LANGUAGES}
    found: dict[str, Any] = {"title": names["en"], "x-labels": names}
    if info.selection:
        found["x-enum-labels"] = {value: {lang: labels.selection_label(model, name, info, value, lang)
                                          for lang in LANGUAGES} for value in info.selection}
    return found


def _model_paths(model: str, transitions: list[str]) -> dict[str, Any]:
    read, write = _json_ref(model), _json_ref(f"{model}.write")
    record_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    query = [{"name": name, "in": "query", "required": False, "schema": {"type": kind}, "description": text}
             for name, kind, text in (
                 ("filter", "string", "A domain-language filter as JSON"), ("order", "string", "name desc, id"),
                 ("limit", "integer", "Rows per page (50 by default)"), ("offset", "integer", "Rows to skip"),
                 ("cursor", "string", "next_cursor of the previous page"),
                 ("fields", "string", "Comma-separated field names"),
                 ("total", "string", "exact, estimated or none"))]
    page = {"type": "object", "properties": {
        "records": {"type": "array", "items": {"$ref": f"#/components/schemas/{model}"}},
        "total": {"type": "integer"}, "total_relation": {"type": "string"},
        "next_cursor": {"type": "string", "nullable": True}}}
    base, one = f"/api/v1/{model}", f"/api/v1/{model}/{{id}}"
    paths: dict[str, Any] = {
        base: {"get": _operation(f"List {model}", {"200": {"description": "A page", "content": {
                   "application/json": {"schema": page}}}}, parameters=query),
               "post": _operation(f"Create {model}", {"201": {"description": "Created", "content": read}},
                                  body=write, idempotent=True)},
        f"{base}/onchange": {"post": _operation(f"Recompute a draft of {model}", {"200": {"description": "Values"}},
                                                body={"application/json": {"schema": {"type": "object"}}})},
        one: {"get": _operation(f"Read {model}", {"200": {"description": "The record", "content": read}},
                                parameters=[record_id]),
              "patch": _operation(f"Change {model}", {"200": {"description": "The record", "content": read}},
                                  parameters=[record_id], body={"application/json": {"schema": {
                                      "allOf": [{"$ref": f"#/components/schemas/{model}.write"}],
                                      "description": "Fields to change, plus the version read"}}}),
              "delete": _operation(f"Delete {model}", {"200": {"description": "Deleted"}}, parameters=[record_id])},
    }
    for name in transitions:
        paths[f"{one}/{name}"] = {"post": _operation(f"{name} {model}", {"200": {"description": "The record",
                                                                                  "content": read}},
                                                     parameters=[record_id], idempotent=True)}
    return paths


def _operation(summary: str, responses: dict[str, Any], *, parameters: list | None = None,
               body: dict[str, Any] | None = None, idempotent: bool = False) -> dict[str, Any]:
    params = list(parameters or [])
    if idempotent:
        params.append({"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"}})
    operation: dict[str, Any] = {"summary": summary, "responses": {
        **responses, **{code: {"$ref": f"#/components/responses/{code}"} for code in (*_STATUSES, *_SERVER_STATUSES)}}}
    if params:
        operation["parameters"] = params
    if body is not None:
        operation["requestBody"] = {"required": True, "content": body}
    return operation


def _token_operation() -> dict[str, Any]:
    credentials = {"type": "object", "required": ["login", "password"], "properties": {
        "login": {"type": "string"}, "password": {"type": "string"}, "name": {"type": "string"}}}
    token = {"type": "object", "properties": {"token": {"type": "string"}}}
    return {"summary": "A token for a login and password", "security": [],
            "requestBody": {"required": True, "content": {"application/json": {"schema": credentials}}},
            "responses": {"201": {"description": "The token (shown once)",
                                  "content": {"application/json": {"schema": token}}},
                          **{code: {"$ref": f"#/components/responses/{code}"}
                             for code in ("400", "401", "413", "414", "429", "503")}}}


def _json_ref(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "field": {"type": "string", "nullable": True}, "details": {"type": "object"}}}}}
