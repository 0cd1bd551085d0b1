import asyncio
import uuid

import pytest

from app.disputes.tables import CaseEvent, Dispute
from app.jurisdictions.tables import Jurisdiction


async def test_a_grid_worker_logs_a_case_in_their_own_grid_with_a_case_number(cast):
    case = await cast.log_case(
        "demo-grid",
        title="宅基地边界纠纷",
        category="land",
        people_involved=3,
        parties=[
            {
                "role": "applicant",
                "name": "张三",
                "phone": "13812345678",
                "id_number": "411726198001011234",
            },
            {"role": "respondent", "name": "李四"},
        ],
    )
    me = cast.me["demo-grid"]
    assert case["grid"]["id"] == me["jurisdiction"]["id"]
    assert case["case_no"].startswith("BY-")
    assert case["status"] == "logged" and case["level"] == "village" and case["version"] == 1
    assert case["due_at"] is not None
    applicant = case["parties"][0]
    assert applicant["name"] == "张三"
    assert applicant["phone"] == "138****5678" and "1980" not in applicant["id_number"]
    events = await cast.api["demo-grid"].get(f"/api/v1/disputes/{case['id']}/events")
    assert [e["kind"] for e in events.json()] == ["logged"]


async def test_the_answer_to_a_new_case_is_the_case_as_it_is_read_back(cast):
    """The 201 is made from the row as written (not read back): it must be what a reader of the
    case then gets, to the last field — masked parties in order, times, place names, actions."""
    api = cast.api["demo-grid"]
    me = cast.me["demo-grid"]
    grid = (
        await Jurisdiction.select(Jurisdiction.centroid_lon, Jurisdiction.centroid_lat)
        .where(Jurisdiction.id == me["jurisdiction"]["id"])
        .first()
    )
    body = {
        "id": str(uuid.uuid4()),
        "title": "鸡鸭越界啄食菜地",
        "category": "neighbours",
        "description": "第二次反映",
        "people_involved": 6,
        "risk_level": "high",
        "occurred_at": "2026-12-01T09:30:00+08:00",
        "captured_at": "2026-12-06T18:05:07.123456+08:00",
        "parties": [
            {"role": "applicant", "name": "王五", "phone": "13912345678", "address": "三组"},
            {"role": "respondent", "name": "赵六", "id_number": "411726198001011234"},
            {"role": "other", "name": "钱七"},
        ],
    }
    body |= {"lon": grid["centroid_lon"], "lat": grid["centroid_lat"], "gps_accuracy_m": 8}
    created = await api.post("/api/v1/disputes", json=body)
    assert created.status_code == 201, created.text
    read = await api.get(f"/api/v1/disputes/{body['id']}")
    assert created.json() == read.json()
    assert [p["name"] for p in created.json()["parties"]] == ["王五", "赵六", "钱七"]


async def test_case_numbers_are_unique_and_increasing(cast):
    a = await cast.log_case("demo-grid")
    b = await cast.log_case("demo-grid")
    assert int(b["case_no"].rsplit("-", 1)[1]) > int(a["case_no"].rsplit("-", 1)[1])


async def test_posting_the_same_id_twice_gives_one_case_and_the_same_answer(cast):
    api = cast.api["demo-grid"]
    body = {"id": str(uuid.uuid4()), "title": "工资拖欠", "category": "wages"}
    first = await api.post("/api/v1/disputes", json=body)
    second = await api.post("/api/v1/disputes", json=body)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json() == second.json()
    assert await Dispute.count().where(Dispute.id == uuid.UUID(body["id"])) == 1


async def test_ten_concurrent_posts_of_one_case_store_it_once(cast):
    api = cast.api["demo-grid"]
    body = {
        "id": str(uuid.uuid4()),
        "title": "噪音扰民",
        "category": "neighbours",
        "people_involved": 4,
    }
    answers = await asyncio.gather(*[api.post("/api/v1/disputes", json=body) for _ in range(10)])
    assert sorted(a.status_code for a in answers) == [200] * 9 + [201]
    assert len({a.text for a in answers}) == 1
    dispute_id = uuid.UUID(body["id"])
    assert await Dispute.count().where(Dispute.id == dispute_id) == 1
    assert await CaseEvent.count().where(CaseEvent.dispute == dispute_id) == 1


async def test_the_same_id_with_different_content_is_a_conflict(cast):
    api = cast.api["demo-grid"]
    body = {"id": str(uuid.uuid4()), "title": "借款纠纷", "category": "debt"}
    assert (await api.post("/api/v1/disputes", json=body)).status_code == 201
    r = await api.post("/api/v1/disputes", json=body | {"title": "另一件事"})
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lon": 200, "lat": 32.7}, "lon"),
        ({"lon": 113.3, "lat": -95}, "lat"),
        ({"category": "aliens"}, "category"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"people_involved": 0}, "people_involved"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"parties": [{"name": ""}]}, "parties[0].name"),
        ({"title": "bad\u0000byte"}, "title"),
    ],
)
async def test_bad_input_answers_422_naming_the_field(cast, fields, field):
    body = {"id": str(uuid.uuid4()), "title": "一件纠纷", "category": "debt"} | fields
    r = await cast.api["demo-grid"].post("/api/v1/disputes", json=body)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert field in [e["field"] for e in problem["errors"]]
    assert await Dispute.count().where(Dispute.id == uuid.UUID(body["id"])) == 0


async def test_a_missing_title_key_and_a_wrong_type_are_422_too(cast):
    api = cast.api["demo-grid"]
    r = await api.post("/api/v1/disputes", json={"category": "debt"})
    assert r.status_code == 422 and "title" in r.text
    r = await api.post("/api/v1/disputes", json={"title": "x", "category": "debt", "lon": "east"})
    assert r.status_code == 422 and "lon" in r.text


async def test_malformed_json_is_a_clear_client_error_not_a_crash(cast):
    r = await cast.api["demo-grid"].post(
        "/api/v1/disputes", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code in (400, 422)
    assert r.json()["status"] == r.status_code


async def test_a_gps_point_places_the_case_in_the_grid_under_it(cast):
    from app.jurisdictions.tables import Jurisdiction

    grid = (
        await Jurisdiction.select()
        .where(Jurisdiction.id == cast.me["demo-village"]["jurisdiction"]["id"])
        .first()
    )
    # a point inside one of demo-village's grids: log it as the village mediator
    child = (
        await Jurisdiction.select()
        .where(Jurisdiction.parent == grid["id"])
        .order_by(Jurisdiction.code)
        .first()
    )
    case = await cast.log_case("demo-village", lon=child["centroid_lon"], lat=child["centroid_lat"])
    assert case["grid"]["id"] == child["id"]
    assert case["lon"] == child["centroid_lon"]


async def test_a_grid_outside_the_users_area_is_refused(cast):
    other_grid = cast.me["demo-grid-2"]["jurisdiction"]["id"]
    r = await cast.api["demo-village"].post(
        "/api/v1/disputes", json={"title": "越界", "category": "other", "grid_id": other_grid}
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "grid_id"


async def test_an_administrator_cannot_log_cases(cast):
    r = await cast.api["demo-admin"].post(
        "/api/v1/disputes", json={"title": "x", "category": "other"}
    )
    assert r.status_code == 403


async def test_categories_are_listed_with_labels_in_the_users_language(client):
    r = await client.get("/api/v1/categories", headers={"accept-language": "en"})
    land = {"code": "land", "national": "forest_land"}  # and the national category it rolls up to
    assert land | {"label": "Land and boundaries"} in r.json()
    r = await client.get("/api/v1/categories")
    assert land | {"label": "土地山林"} in r.json()


async def test_the_log_form_creates_a_case_and_shows_it(cast):
    browser = await cast.browser("demo-grid")
    form = await browser.get("/disputes/new")
    assert form.status_code == 200
    case_id = str(uuid.uuid4())
    r = await browser.post_form(
        "/disputes",
        {
            "id": case_id,
            "title": "邻里排水纠纷",
            "category": "neighbours",
            "people_involved": "2",
            "risk_level": "low",
            "source": "patrol",
            "grid_id": "",
            "lon": "",
            "lat": "",
            "party_role": ["applicant", "respondent", "other"],
            "party_name": ["王五", "赵六", ""],
            "party_phone": ["13900001111", "", ""],
            "party_id_number": ["", "", ""],
        },
    )
    assert r.status_code == 302 and r.headers["location"] == f"/disputes/{case_id}"
    page = await browser.get(r.headers["location"])
    assert "邻里排水纠纷" in page.text and "王五" in page.text and "139****1111" in page.text


async def test_the_log_form_shows_field_errors_in_chinese_and_keeps_the_input(cast):
    browser = await cast.browser("demo-grid")
    r = await browser.post_form(
        "/disputes",
        {"id": str(uuid.uuid4()), "title": "", "category": "neighbours", "description": "保留我"},
    )
    assert r.status_code == 422
    assert "此项必填" in r.text and "保留我" in r.text
