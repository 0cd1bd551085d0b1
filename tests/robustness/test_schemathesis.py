"""Schemathesis against the OpenAPI schema, in process, signed in as the county officer (the
widest scope that mediates): no 5xx, and every answer as the schema describes it."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar.serialization import encode_json
from schemathesis.config._checks import PositiveDataAcceptanceConfig
from schemathesis.python import asgi

from app.main import create_app
from app.seed.demo import DEMO_PASSWORD

MAX_EXAMPLES = 15

APP = create_app(run_scheduler=False)
schema = schemathesis.openapi.from_dict(json.loads(encode_json(APP.openapi_schema.to_schema())))
schema.app = APP
# positive_data_acceptance: a schema-valid body may still break a rule JSON Schema cannot state
# (a grid or a GPS point; an agreement needs terms; a session lasts 15 minutes; a reply needs an
# open supervision order), which the API answers with 422 and the fields at fault.
schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
    expected_statuses=["2xx", "3xx", "401", "403", "404", "409", "422", "429"]
)


@pytest.fixture(scope="module")
def token():
    with asgi.get_client(APP) as client:
        r = client.post(
            "/api/v1/auth/login", json={"username": "demo-county", "password": DEMO_PASSWORD}
        )
        assert r.status_code == 200, r.text
        yield r.json()["token"]
    # The app's lifespan (its database pool) runs in schemathesis' event-loop thread: end it, so
    # the tests after this module start their own.
    asgi.shutdown_lifespans()


# Signing out would end the token the run uses (tests/auth covers it).
@schema.exclude(path="/api/v1/auth/logout").parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
