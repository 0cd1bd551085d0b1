"""The OpenAPI description is what the API does: a replay's 200 is documented, and the bounds
and allowed values the API enforces are declared, so a body the description allows is not
refused for a rule it did not state."""

from __future__ import annotations

import json
import uuid

from litestar.serialization import encode_json

from app.jurisdictions.tables import Jurisdiction
from tests.support.lifecycle import accepted_case, current
from tests.support.photos import camera_jpeg


def _description(app) -> dict:
    return json.loads(encode_json(app.openapi_schema.to_schema()))


def _body_schema(description: dict, path: str, method: str = "post") -> dict:
    ref = description["paths"][path][method]["requestBody"]["content"]["application/json"]
    ref = ref["schema"]["$ref"].rsplit("/", 1)[-1]
    return description["components"]["schemas"][ref]


async def test_replays_answer_200_and_the_description_says_so(app, cast):
    description = _description(app)
    api = cast.api["demo-grid"]
    grid = cast.me["demo-grid"]["jurisdiction"]["id"]
    case = {"id": str(uuid.uuid4()), "title": "屋檐滴水纠纷", "category": "neighbours"}
    photo = f"/api/v1/disputes/{case['id']}/photos/{uuid.uuid4()}"
    # a point inside the worker's own grid (a point must lie in the grid it is sent with)
    node = await Jurisdiction.select().where(Jurisdiction.id == grid).first()
    checkin = {
        "id": str(uuid.uuid4()),
        "grid_id": grid,
        "lon": node["centroid_lon"],
        "lat": node["centroid_lat"],
    }
    sends = [
        ("/api/v1/disputes", "post", lambda: api.post("/api/v1/disputes", json=case)),
        (
            "/api/v1/disputes/{dispute_id}/photos/{photo_id}",
            "put",
            lambda: api.put(photo, content=camera_jpeg()),
        ),
        ("/api/v1/checkins", "post", lambda: api.post("/api/v1/checkins", json=checkin)),
    ]
    for path, method, send in sends:
        first, again = await send(), await send()
        assert (first.status_code, again.status_code) == (201, 200), (path, again.text)
        documented = description["paths"][path][method]["responses"]
        assert {"200", "201"} <= set(documented), path


async def test_an_actions_version_bounds_and_allowed_values_are_declared_and_kept(app, cast):
    description = _description(app)
    follow_up = _body_schema(description, "/api/v1/disputes/{dispute_id}/actions/follow-up")
    assert follow_up["properties"]["version"]["minimum"] == 1
    satisfaction = follow_up["properties"]["satisfaction"]
    assert (satisfaction["minimum"], satisfaction["maximum"]) == (1, 5)
    assert set(follow_up["properties"]["method"]["enum"]) == {"visit", "phone", "meeting"}

    case = await cast.log_case("demo-grid")
    r = await cast.api["demo-village"].post(
        f"/api/v1/disputes/{case['id']}/actions/accept", json={"version": 0}
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "version"
    assert r.json()["errors"][0]["message"] == "不能小于 1。"


async def test_the_description_states_what_the_decoder_refuses_down_to_list_items(app, cast):
    """A body's schema is the decoder's own: a list's items keep their bounds, blank text is
    refused by the description as by the API, and the photo's body is described."""
    description = _description(app)
    booking = _body_schema(description, "/api/v1/sessions")
    mediators = booking["properties"]["mediator_ids"]
    assert (mediators["minItems"], mediators["items"]["minimum"]) == (1, 1)
    assert mediators["items"]["maximum"] == 2**31 - 1
    title = _body_schema(description, "/api/v1/disputes")["properties"]["title"]
    assert (title["minLength"], title["maxLength"], title["pattern"]) == (1, 200, r"\S")
    photo = description["paths"]["/api/v1/disputes/{dispute_id}/photos/{photo_id}"]["put"]
    assert set(photo["requestBody"]["content"]) == {"image/jpeg", "image/png", "image/webp"}

    case = await accepted_case(cast)
    version = (await current(cast, case["id"]))["version"]
    r = await cast.api["demo-village"].post(
        f"/api/v1/disputes/{case['id']}/actions/escalate", json={"version": version, "reason": " "}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason", r.text
