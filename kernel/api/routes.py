"""The API's routes: authentication, records by dotted model name, on-change and transitions.

Each view declares its permission (:func:`~loom.kernel.api.permissions.declares`) and runs its
work through :func:`~loom.kernel.api.calls.call`, as the token's user, in one unit of work.
Permissions, record rules, companies and field restrictions are those of ``env[model]``: the
views add no access logic of their own.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from loom.kernel.api.body import choice_param, int_param, json_body, json_param, parse_object, raw_body
from loom.kernel.api.calls import as_token_user, call, json_response
from loom.kernel.api.errors import AuthenticationError, MalformedRequestError, RouteMissingError, ThrottledError
from loom.kernel.api.listing import TOTALS, Page, field_names, list_page
from loom.kernel.api.permissions import declares
from loom.kernel.api.tokens import create_token
from loom.kernel.api.warnings import acknowledged
from loom.kernel.environment import Environment
from loom.kernel.errors import MissingError, StaleRecordError
from loom.kernel.records import MAX_LIMIT, Records
from loom.kernel.web.state import loom_state

#: Rows per page when the client gives no ``limit``.
DEFAULT_LIMIT = 50
#: The longest login name a token request may give.
LOGIN_SIZE = 100


def add_routes(api: Blueprint) -> None:
    """Add every route of the API to the ``/api/v1`` blueprint."""

    @api.get("/health")
    @declares("public")
    def health():
        """Whether the application answers (no database access, no authentication)."""
        return jsonify({"status": "ok"})

    @api.post("/auth/token")
    @declares("public")
    def issue_token():
        """A new token for a login and password: 401, one body, for an unknown user or a wrong password;
        429 with ``Retry-After`` once a login name has failed too often (the web shell's throttle)."""
        from loom.kernel.web.login import attempt_login
        from loom.kernel.web.requests import client_ip, request_id

        body = json_body()
        login, password, name = body.get("login"), body.get("password"), body.get("name") or "api"
        if not isinstance(login, str) or not isinstance(password, str) or not 0 < len(login) <= LOGIN_SIZE:
            raise AuthenticationError("kernel.api_login_failed")
        state = loom_state()
        outcome = attempt_login(state, login, password, {"request_id": request_id(), "ip": client_ip(),
                                                         "channel": "api"})
        if outcome.wait:
            raise ThrottledError("kernel.api_login_throttled", field="login", retry_after=outcome.wait)
        if outcome.uid is None:
            raise AuthenticationError("kernel.api_login_failed")
        token = state.run(outcome.uid, lambda env: create_token(env.sudo(), env.user, name)[1])  # audited as the user
        return json_response(201, {"token": token})

    @api.get("/openapi.json")
    @declares("public")
    def openapi():
        """The OpenAPI 3 document of every installed model."""
        from loom.kernel.api.openapi import openapi_document

        return jsonify(openapi_document(loom_state().registry))

    @api.get("/<model>")
    @declares("read")
    def list_records(model: str):
        """A page of records: ``filter``, ``order``, ``limit``, ``offset`` or ``cursor``, ``fields``, ``total``."""
        fields = request.args.get("fields")
        page = Page(domain=_domain(), order=request.args.get("order") or "", cursor=request.args.get("cursor"),
                    limit=int_param("limit", DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT),
                    offset=int_param("offset", 0, minimum=0, maximum=2**31) or 0,
                    fields=[f.strip() for f in fields.split(",") if f.strip()] if fields else None,
                    total=choice_param("total", TOTALS, "none"))
        if page.cursor is not None and page.offset:
            raise MalformedRequestError("kernel.api_cursor_with_offset", field="cursor")
        return call(lambda env: (200, list_page(_records(env, model), _ordered(env, model, page))))

    @api.post("/<model>")
    @declares("create")
    def create_record(model: str):
        """Create one record (one-to-many lines as lists of objects); answers 201 with it."""
        data = raw_body()
        values = parse_object(data)
        accepted = acknowledged(values)

        def work(env: Environment) -> tuple[int, Any]:
            records = _records(env, model)
            record = records.create(values)
            return 201, records.read([record])[0]

        return call(work, write=True, body=data, acknowledged=accepted)

    @api.post("/<model>/onchange")
    @declares("read")
    def onchange(model: str):
        """Recompute a draft: ``{"values": {...}, "changed": "field"}`` in, changed values out; nothing saved."""
        body = json_body()
        values, changed = body.get("values"), body.get("changed")
        if not isinstance(values, dict) or not isinstance(changed, str):
            raise MalformedRequestError("kernel.api_onchange_malformed", field="values")
        return call(lambda env: (200, {"values": _records(env, model).onchange(values, changed)}))

    @api.get("/<model>/<int:record_id>")
    @declares("read")
    def read_record(model: str, record_id: int):
        """One record (404, same body, when it is missing or hidden by record rules or companies)."""
        fields = request.args.get("fields")
        names = [f.strip() for f in fields.split(",") if f.strip()] if fields else None

        def work(env: Environment) -> tuple[int, Any]:
            records = _records(env, model)
            return 200, records.read([records.get(record_id)], field_names(records, names) if names else None)[0]

        return call(work)

    @api.patch("/<model>/<int:record_id>")
    @declares("write")
    def update_record(model: str, record_id: int):
        """Change fields; ``version`` (required) is the one read: a stale one answers 409 with the current values."""
        values = json_body()
        version = values.pop("version", None)
        if isinstance(version, bool) or not isinstance(version, int):
            raise MalformedRequestError("kernel.api_version_required", field="version")
        accepted = acknowledged(values)

        def work(env: Environment) -> tuple[int, Any]:
            records = _records(env, model)
            record = records.get(record_id, perm="write")
            records.write([record], values, expected_version=version)
            return 200, records.read([record])[0]

        try:
            return call(work, write=True, acknowledged=accepted)
        except StaleRecordError as exc:
            if "current" in exc.params:
                raise
            # another transaction saved it between our read and our UPDATE: answer with what it saved
            current = as_token_user(lambda env: _records(env, model).read([_records(env, model).get(record_id)])[0])
            raise StaleRecordError("kernel.stale_record", model=model, id=record_id, version=current["version"],
                                   current=current) from exc

    @api.delete("/<model>/<int:record_id>")
    @declares("delete")
    def delete_record(model: str, record_id: int):
        """Delete one record (422 naming what still refers to it)."""

        def work(env: Environment) -> tuple[int, Any]:
            records = _records(env, model)
            records.delete([records.get(record_id, perm="delete")])
            return 200, {"deleted": record_id}

        return call(work, write=True, acknowledged=acknowledged())

    @api.post("/<model>/<int:record_id>/<transition>")
    @declares("write")
    def transition(model: str, record_id: int, transition: str):
        """Run workflow transition ``transition`` on one record; answers the record after it
        (``?acknowledge=id,id`` accepts the warnings a first try answered)."""
        data = raw_body()

        def work(env: Environment) -> tuple[int, Any]:
            records = _records(env, model)
            record = records.get(record_id)
            records.transition(transition, [record])
            env.session.refresh(record)
            return 200, records.read([record])[0]

        return call(work, write=True, body=data, acknowledged=acknowledged())

    @api.route("/<path:rest>", methods=["GET", "POST", "PATCH", "PUT", "DELETE"])
    @declares("public")
    def no_route(rest: str):
        """Any other path under ``/api/v1``: a JSON 404."""
        raise RouteMissingError("kernel.api_route_missing", method=request.method, path=request.path[:100])


def _records(env: Environment, model: str) -> Records:
    """``env[model]``, or 404 when no installed module declares ``model``."""
    if model not in env.registry:
        raise MissingError("kernel.api_model_unknown", field="model", model=model[:100])
    return env[model]


def _ordered(env: Environment, model: str, page: Page) -> Page:
    order = page.order or env.registry[model].__order__
    return Page(page.domain, order, page.limit, page.offset, page.cursor, page.fields, page.total)


def _domain() -> list:
    domain = json_param("filter")
    if domain is None:
        return []
    if not isinstance(domain, list):
        raise MalformedRequestError("kernel.api_param_invalid", field="filter", value=str(domain)[:60],
                                    expected="a JSON list (the domain language)")
    return domain

