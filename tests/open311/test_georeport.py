"""Open311 GeoReport v2: a key issued by the administrator, a report posted and read back, in
JSON and XML, within the key's area and without anything about a person."""

import re
import uuid
from xml.etree import ElementTree as ET

import pytest

from app.audit.tables import AuditLog
from app.auth.tables import User
from app.jurisdictions.tables import Jurisdiction

KEY_RE = re.compile(r'<code class="key" id="issued-key">([^<]+)</code>')


async def issue_key(cast, username: str, name: str = "市社会治理平台") -> str:
    admin = await cast.browser("demo-admin")
    account = await User.select(User.id).where(User.username == username).first()
    r = await admin.post_form("/admin/open311", {"name": name, "account": account["id"]})
    assert r.status_code == 201, r.text
    found = KEY_RE.search(r.text)
    assert found, "the key is shown once, on the answer"
    return found.group(1)


@pytest.fixture
async def township_key(cast):
    return await issue_key(cast, "demo-township")


async def grid_point(cast, username="demo-grid"):
    """The centroid of the user's grid (the demo grids are convex)."""
    grid = cast.me[username]["jurisdiction"]["id"]
    row = await Jurisdiction.select().where(Jurisdiction.id == grid).first()
    return row["centroid_lon"], row["centroid_lat"]


async def test_a_report_posted_is_read_back_in_json_and_xml(cast, client, township_key):
    lon, lat = await grid_point(cast)
    r = await client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": township_key,
            "service_code": "neighbours",
            "lat": lat,
            "long": lon,
            "description": "Open311 上报：邻居排水沟堵塞",
            "first_name": "张",
            "phone": "13600001111",
        },
    )
    assert r.status_code == 201, r.text
    number = r.json()[0]["service_request_id"]
    assert number.startswith("BY-")

    one = await client.get(f"/open311/v2/requests/{number}.json", params={"api_key": township_key})
    assert one.status_code == 200
    [item] = one.json()
    assert item["status"] == "open" and item["service_code"] == "neighbours"
    assert item["description"].startswith("Open311 上报")
    assert abs(item["lat"] - lat) < 0.001 and abs(item["long"] - lon) < 0.001
    assert "13600001111" not in one.text and "张" not in one.text

    xml = await client.get(f"/open311/v2/requests/{number}.xml", params={"api_key": township_key})
    assert xml.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(xml.content)
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text == number

    # the case is a real case: located to its grid, held by the village, in the ledger
    county = cast.api["demo-county"]
    listed = (await county.get("/api/v1/disputes", params={"q": "Open311 上报"})).json()
    [case] = [c for c in listed["items"] if c["case_no"] == number]
    full = (await county.get(f"/api/v1/disputes/{case['id']}")).json()
    assert full["grid"]["id"] == cast.me["demo-grid"]["jurisdiction"]["id"]
    assert full["level"] == "village" and full["source"] == "online"


async def test_services_list_the_categories_with_their_national_group(client, township_key):
    r = await client.get("/open311/v2/services.json", params={"api_key": township_key})
    codes = {s["service_code"]: s for s in r.json()}
    assert "neighbours" in codes and codes["neighbours"]["metadata"] is False
    xml = await client.get("/open311/v2/services.xml", params={"api_key": township_key})
    assert ET.fromstring(xml.content).find("service/service_code") is not None


async def test_a_key_reads_only_its_area_and_never_a_person(cast, client, township_key):
    other_key = await issue_key(cast, "demo-grid-2", "另一平台")
    mine = await cast.log_case(
        "demo-grid",
        title="只在本镇的事",
        category="debt",
        parties=[{"name": "钱七", "phone": "13500002222"}],
    )
    r = await client.get(
        f"/open311/v2/requests/{mine['case_no']}.json", params={"api_key": other_key}
    )
    assert r.status_code == 404
    listed = await client.get("/open311/v2/requests.json", params={"api_key": other_key})
    assert mine["case_no"] not in listed.text
    ours = await client.get("/open311/v2/requests.json", params={"api_key": township_key})
    assert mine["case_no"] in ours.text
    assert "钱七" not in ours.text and "13500002222" not in ours.text


async def test_a_repeated_post_with_one_idempotency_key_is_one_case(cast, client, township_key):
    lon, lat = await grid_point(cast)
    body = {
        "api_key": township_key,
        "service_code": "debt",
        "lat": lat,
        "long": lon,
        "description": "重复提交的欠款纠纷",
    }
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = await client.post("/open311/v2/requests.json", data=body, headers=key)
    again = await client.post("/open311/v2/requests.json", data=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]


async def test_bad_reports_and_keys_are_refused_as_georeport_errors(cast, client, township_key):
    lon, lat = await grid_point(cast, "demo-grid-2")  # another township's grid
    r = await client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": township_key,
            "service_code": "debt",
            "lat": lat,
            "long": lon,
            "description": "区域外",
        },
    )
    assert r.status_code == 400 and r.json()[0]["code"] == 400
    missing = await client.post(
        "/open311/v2/requests.xml",
        data={"api_key": township_key, "service_code": "debt", "description": "x"},
    )
    assert missing.status_code == 400 and ET.fromstring(missing.content).tag == "errors"
    wrong = await client.get("/open311/v2/requests.json", params={"api_key": "nope"})
    assert wrong.status_code == 403


async def test_a_revoked_key_stops_working_and_both_are_in_the_audit_log(
    cast, client, township_key
):
    admin = await cast.browser("demo-admin")
    page = await admin.get("/admin/open311")
    client_id = re.findall(r'id="client-(\d+)"', page.text)[0]
    assert township_key not in page.text  # shown once only
    r = await admin.post_form(f"/admin/open311/{client_id}/revoke", {})
    assert r.status_code == 303
    gone = await client.get("/open311/v2/services.json", params={"api_key": township_key})
    assert gone.status_code == 403
    entries = await AuditLog.select(AuditLog.what).where(AuditLog.kind == "open311")
    whats = " ".join(e["what"] for e in entries)
    assert "issue Open311 key" in whats and "revoke Open311 key" in whats


@pytest.mark.parametrize("username", ["demo-county", "demo-township", "demo-grid"])
async def test_only_the_administrator_issues_keys(cast, username):
    browser = await cast.browser(username)
    assert (await browser.get("/admin/open311")).status_code == 403
