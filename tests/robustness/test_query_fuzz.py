"""The list and map routes read their filters from the query string themselves (the OpenAPI
description does not enumerate them), so Schemathesis does not generate them: here Hypothesis
does, with the values that break parsers (huge and negative numbers, NaN, impossible dates,
NUL, SQL, malformed boxes). Whatever comes, the answer is a 2xx or a 4xx problem+json,
never a 5xx."""

from __future__ import annotations

import os
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.python import asgi

from app.main import create_app
from app.seed.demo import DEMO_PASSWORD

APP = create_app(run_scheduler=False)
DATES = ["from", "to"]
ROUTES = {
    "/api/v1/disputes": [
        "page",
        "per_page",
        "status",
        "level",
        "category",
        "risk_level",
        "q",
        "open",
        "overdue",
        "jurisdiction",
        "counted",
        "escalated",
        "referred",
        "skip_level",
        "repeat",
        "group",
        "resolved",
        "resolved_level",
        "on_time",
        "followed_up",
        "rated",
        "holder",
        "overdue_for",
        "queue",
        *DATES,
    ],
    "/api/v1/disputes/near": ["lon", "lat", "radius_m", "limit"],
    "/api/v1/jurisdictions/locate": ["lon", "lat"],
    "/api/v1/jurisdictions": ["parent"],
    "/api/v1/map/areas": ["node", "category", "status", "level", "zoom", *DATES],
    "/api/v1/map/cases": ["node", "category", "status", "bbox", "page", "per_page", *DATES],
    "/api/v1/map/hotspots": ["node", "category", "days", "bbox", *DATES],
    "/api/v1/map/rooms": ["node"],
    "/api/v1/stats": ["jurisdiction", "category", *DATES],
    "/api/v1/alerts": ["state", "kind", "page"],
    "/api/v1/sweeps/coverage": ["jurisdiction"],
    "/api/v1/reports": ["kind"],
    "/api/v1/rooms": [],
    "/api/v1/jurors": ["jurisdiction"],
}
NASTY = [
    "",
    "0",
    "-1",
    "1",
    "2147483648",
    "9223372036854775808",
    "1e309",
    "-1e309",
    "nan",
    "inf",
    "1.5",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "2026-13-01",
    "113,32,114,33",
    "114,33,113,32",
    "1,2,3",
    "a,b,c,d",
    "-180,-90,180,90",
    "1e400,0,0,0",
    "\x00",
    "a\x00b",
    "true",
    "false",
    "%",
    "%%",
    "'; DROP TABLE dispute;--",
    "北京",
    "all",
    "open",
    "village",
    "county",
    "neighbours",
    "high",
    "mine",
    "overdue",
    "x" * 300,
]
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.text(alphabet=string.digits + ",.-e", max_size=24),
)


@pytest.fixture(scope="module")
def client():
    with asgi.get_client(APP) as c:
        r = c.post(
            "/api/v1/auth/login", json={"username": "demo-county", "password": DEMO_PASSWORD}
        )
        assert r.status_code == 200, r.text
        c.headers["Authorization"] = f"Bearer {r.json()['token']}"
        yield c
    asgi.shutdown_lifespans()  # the app's database pool lives in schemathesis' loop thread


@pytest.mark.parametrize("path", list(ROUTES))
def test_any_query_string_gets_a_2xx_or_a_4xx_problem(client, path):
    names = ROUTES[path] + ["unknown"]

    @settings(
        max_examples=int(os.environ.get("PINGLI_FUZZ_EXAMPLES", "40")),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(st.dictionaries(st.sampled_from(names), VALUES, max_size=5))
    def probe(params):
        r = client.get(path, params=params)
        assert r.status_code < 500, (params, r.text)
        if r.status_code >= 400:
            assert r.headers["content-type"].startswith("application/problem+json"), (
                params,
                r.text,
            )
        else:
            r.json()

    probe()
