"""Schemathesis against the OpenAPI schema, in process, signed in as the county officer (the
widest scope that mediates), with all its checks: no 5xx, and every answer (status, content
type, headers, body) as the schema describes it. Twice: once with every parameter generated
(ids that exist nowhere, so mostly 404s and refusals), once with the path ids pinned to
records that exist (a case logged for the run, a township, a reasoning room), so the
generated bodies and queries reach the code behind the lookups."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar.serialization import encode_json
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.main import create_app
from app.seed.demo import DEMO_PASSWORD

# More for a deeper hunt by hand: PINGLI_FUZZ_EXAMPLES=200 pytest tests/robustness
MAX_EXAMPLES = int(os.environ.get("PINGLI_FUZZ_EXAMPLES", "15"))
# A case of our own for the pinned run: generated actions may change it, never a seeded case
# other tests read.
OWN_CASE = str(uuid.uuid5(uuid.NAMESPACE_URL, "pingli:schemathesis-case"))

APP = create_app(run_scheduler=False)
DESCRIPTION = json.loads(encode_json(APP.openapi_schema.to_schema()))


def _first_id(sql: str) -> int:
    url = os.environ["PINGLI_DATABASE_URL"]
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql).fetchone()[0]
    import asyncpg

    async def fetch() -> int:
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetchval(sql)
        finally:
            await conn.close()

    return asyncio.run(fetch())


# The rules no JSON Schema states, checked against stored data, the clock or another field of
# the body: each operation's description names them, and only these fields may be refused
# (422) in a body the description allows. Anything else refused is the description's fault.
STATE_RULES: dict[str, set[str]] = {
    # the category list is the county's; a point in its grid; times against the clock
    "POST /api/v1/disputes": {"category", "lon", "lat", "grid_id", "occurred_at", "captured_at"},
    "POST /api/v1/checkins": {"lon", "lat", "grid_id", "checked_at"},
    # a day after today; a time against the clock; a term, case or grid that exists
    "POST /api/v1/disputes/{dispute_id}/actions/record": {"occurred_at"},
    "POST /api/v1/disputes/{dispute_id}/actions/hand-back": {"due_on"},
    "POST /api/v1/disputes/{dispute_id}/actions/supervise": {"due_on"},
    "POST /api/v1/disputes/{dispute_id}/actions/performance": {"term"},
    "POST /api/v1/disputes/{dispute_id}/actions/mark-duplicate": {"duplicate_of"},
    "POST /api/v1/disputes/{dispute_id}/actions/move": {"grid"},
    # times against each other and the clock, records of the area
    "POST /api/v1/sessions": {
        "dispute_id",
        "room_id",
        "starts_at",
        "ends_at",
        "mediator_ids",
        "juror_ids",
        "party_ids",
        "confirmed_juror_ids",
    },
    # one body for four actions (the action is in the path, which JSON Schema cannot follow):
    # what each action needs is in the operation's description — hold an outcome (an
    # agreement its terms and performance), cancel a reason, reschedule new times as for a
    # booking and a reason. Separate bodies per action would let the schema say it.
    "POST /api/v1/sessions/{session_id}/actions/{action}": {
        "outcome",
        "agreement_terms",
        "performance",
        "performance_deadline",
        "attended_party_ids",
        "attended_juror_ids",
        "reason",
        "starts_at",
        "ends_at",
        "room_id",
    },
    # the month is the current one; the cases found are of your grid
    "POST /api/v1/sweeps": {"month", "dispute_ids"},
    # the bytes must be a picture that decodes within the memory budget
    "PUT /api/v1/disputes/{dispute_id}/photos/{photo_id}": {"photo"},
}
ACCEPTED = {401, 403, 404, 409, 429}
# ...and the bytes decide a photo's type: what is not a JPEG, PNG or WebP is 415
OTHER_STATUSES = {"PUT /api/v1/disputes/{dispute_id}/photos/{photo_id}": {415}}


def accepted_but_for_stored_rules(ctx, response, case) -> None:
    """Schemathesis' positive_data_acceptance, with the operation's own STATE_RULES: a body
    the description allows is answered 2xx/3xx, or refused for who, where or when (401, 403,
    404, 409, 429), or 422 naming only fields of a rule the description names."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    status = response.status_code
    if status < 400 or status in ACCEPTED or status >= 500:  # 5xx: not_a_server_error's
        return
    if status in OTHER_STATUSES.get(case.operation.label, ()):
        return
    allowed = STATE_RULES.get(case.operation.label, set())
    named = set()
    if status == 422:
        named = {e["field"].split("[")[0].split(".")[0] for e in response.json().get("errors", [])}
    assert status == 422 and named and named <= allowed, (
        f"Schema-valid input rejected: {status} naming {sorted(named)}"
        f" (rules beyond the schema: {sorted(allowed)})\n{response.text[:500]}"
    )


def _load(pinned: dict[str, object] | None = None):
    loaded = schemathesis.openapi.from_dict(DESCRIPTION)
    loaded.app = APP
    # A NUL character is refused in any text (PostgreSQL cannot store one): a rule of every
    # route, said once in the description's 422, not a pattern on every string.
    loaded.config.generation.update(allow_x00=False)
    if pinned:
        loaded.config.parameters = {f"path.{k}": v for k, v in pinned.items()}
    # Left out, each for harm to the shared test database rather than to the app:
    # signing out would end the token the run uses; generated current passwords would count as
    # failed sign-ins and pause the officer's account for the rest of the run; a generated push
    # endpoint would be a device that later drains try to reach. tests/auth and tests/notify
    # cover these routes' bad input.
    return (
        loaded.exclude(path="/api/v1/auth/logout")
        .exclude(path="/api/v1/account/password")
        .exclude(path="/api/v1/push/subscriptions", method="POST")
    )


schema = _load()
PINNED = {
    "dispute_id": OWN_CASE,
    "node_id": _first_id(
        "SELECT id FROM jurisdiction WHERE level = 'township' ORDER BY id LIMIT 1"
    ),
    "room_id": _first_id("SELECT id FROM room ORDER BY id LIMIT 1"),
}
pinned_schema = _load(PINNED).include(path_regex=r"\{(dispute_id|node_id|room_id)\}")


@pytest.fixture(scope="module")
def token():
    with asgi.get_client(APP) as client:
        r = client.post(
            "/api/v1/auth/login", json={"username": "demo-county", "password": DEMO_PASSWORD}
        )
        assert r.status_code == 200, r.text
        token = r.json()["token"]
        grid = client.post(
            "/api/v1/auth/login", json={"username": "demo-grid", "password": DEMO_PASSWORD}
        ).json()["token"]
        case = {"id": OWN_CASE, "title": "邻居排水沟堵塞", "category": "neighbours"}
        r = client.post("/api/v1/disputes", json=case, headers={"Authorization": f"Bearer {grid}"})
        assert r.status_code in (200, 201), r.text
        yield token
    # The app's lifespan (its database pool) runs in schemathesis' event-loop thread: end it, so
    # the tests after this module start their own.
    asgi.shutdown_lifespans()


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api(case, token):
    _call_and_validate(case, token)


@pinned_schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_on_existing_records(case, token):
    assert case.path_parameters.get("dispute_id", OWN_CASE) == OWN_CASE
    _call_and_validate(case, token)


def _call_and_validate(case, token) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[accepted_but_for_stored_rules],
    )
