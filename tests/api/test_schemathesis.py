"""A bounded schemathesis run against a live ``loom serve`` finds no 500 and no answer the OpenAPI
document does not describe (status codes, content types, headers, response bodies).

The server runs over a committed database with base; an administrator's token reaches every
operation. Every operation of base's models is fuzzed, and every read of the kernel's own ``loom.*``
models; writes to ``loom.*`` are left out, because an administrator's random writes there revoke
the run's own token, deactivate its user or record modules that do not exist, after which every
answer is a 401 and the run tests nothing. The size follows the test profile (docs/testing.md):
``ci`` a few examples per operation, no coverage phase, a fixed seed (under a minute on 2 cores);
``full`` many examples, the coverage phase, a new seed each run.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from loom_test_support import PROFILE, committed_shop, size

LOOM = str(Path(sys.executable).with_name("loom"))
SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
#: What every answer must satisfy.
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance")
#: Writes to the kernel's own models (see the module docstring).
KERNEL_WRITES = r"^(POST|PATCH|DELETE) /api/v1/loom\."


@pytest.fixture(scope="module")
def shop(database_factory):
    """A committed database of its own with base installed."""
    yield from committed_shop(database_factory, "base")


@pytest.fixture(scope="module")
def served(shop):
    """``loom serve`` over ``shop`` on a free port, and an administrator's token: ``(port, token)``."""
    from loom.kernel.api.tokens import create_token
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.users import create_user

    def people(session):
        env = Environment(shop.registry, session, su=True)
        env["base.partner"].create([{"name": "Acme Ltd", "email": "sales@acme.example"}, {"name": "Bolt Ltd"}])
        return create_token(env, create_user(env, "fuzzer", "Fuzzer", "a long fuzzing password",
                                             roles=["kernel.administrator"]), "schemathesis")[1]

    token = run_unit_of_work(shop.engine, people)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "LOOM_SECRET_KEY": secrets.token_hex(32)}
    server = subprocess.Popen([LOOM, "-d", shop.url, "serve", "--port", str(port), "--workers", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.perf_counter() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).read()
                break
            except OSError:
                if time.perf_counter() > deadline:
                    raise
                time.sleep(0.1)
        yield port, token
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_a_bounded_schemathesis_run_finds_no_500_and_every_answer_matches_the_document(served, tmp_path):
    port, token = served
    argv = [SCHEMATHESIS, "run", f"http://127.0.0.1:{port}/api/v1/openapi.json",
            "--header", f"Authorization: Bearer {token}", "--checks", ",".join(CHECKS),
            "--exclude-name-regex", KERNEL_WRITES, "--max-examples", str(size(5, 50)),
            "--phases", "examples,fuzzing" if PROFILE != "full" else "examples,coverage,fuzzing",
            "--workers", "2", "--request-timeout", "20", "--generation-database", "none",
            "--report", "json", "--report-json-path", str(tmp_path / "report.json"), "--no-color"]
    if PROFILE != "full":
        argv += ["--seed", "20261205"]
    run = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, timeout=size(300, 3600), check=False)
    output = run.stdout + run.stderr
    print(output[-3000:])
    tested = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json").read())["paths"]
    assert run.returncode == 0, output[-20000:]
    assert "Selected: " in output and len(tested) > 50
    still_valid = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/base.partner?limit=1",
                                         headers={"Authorization": f"Bearer {token}"})
    assert urllib.request.urlopen(still_valid, timeout=10).status == 200  # the run tested with a valid token


def test_a_json_field_keeps_a_number_with_a_fraction_sent_by_a_client(shop):
    """The run's first finding: a JSON number with a fraction (read as a Decimal) in a JSON field was a 500."""
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment

    def store(session):
        env = Environment(shop.registry, session, su=True)
        from decimal import Decimal

        setting = env["loom.setting"].create({"key": "fuzz.numbers", "value": {
            "price": Decimal("12.50"), "count": Decimal("3"), "big": Decimal("1E+400"), "huge": Decimal("1E+5000"),
            "nan": Decimal("NaN")}})
        return setting.id

    setting_id = run_unit_of_work(shop.engine, store)
    value = run_unit_of_work(shop.engine, lambda s: Environment(shop.registry, s, su=True)["loom.setting"]
                             .browse([setting_id])[0].value)
    assert value == {"price": 12.5, "count": 3, "big": 10**400, "huge": "1E+5000", "nan": "NaN"}


def test_an_id_beyond_32_bits_names_no_record_rather_than_failing(shop, served):
    """Another finding (PostgreSQL refused to cast such an id to its integer column: a 500)."""
    _port, token = served
    from loom.kernel.web.app import create_app

    app = create_app(shop.url, config={"SECRET_KEY": secrets.token_hex(32)})
    client, headers, huge = app.test_client(), {"Authorization": f"Bearer {token}"}, 661_851_268_549
    try:
        assert client.get(f"/api/v1/base.partner/{huge}", headers=headers).status_code == 404
        assert client.delete(f"/api/v1/base.partner/{huge}", headers=headers).status_code == 404
        refused = client.post("/api/v1/base.product", headers=headers, json={"name": "Bolt", "uom_id": huge})
        assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "uom_id"
        either = [["or", ["id", "=", huge], ["parent_id", "in", [huge]]]]
        listed = client.get("/api/v1/base.partner", headers=headers, query_string={"filter": json.dumps(either)})
        assert listed.status_code == 200 and listed.get_json()["records"] == []
    finally:
        app.extensions["loom"].engine.dispose()
