"""demo-grid-2 works in another township: demo-grid's case must not exist for them."""

import pytest


@pytest.fixture
async def grid_case(cast):
    return await cast.log_case("demo-grid", title="只属于第一网格的案件", category="land")


@pytest.mark.parametrize(
    "path",
    ["/api/v1/disputes/{id}", "/api/v1/disputes/{id}/events"],
)
async def test_an_out_of_scope_case_is_404_on_every_api_route_like_a_missing_one(
    cast, grid_case, path
):
    outsider = cast.api["demo-grid-2"]
    r = await outsider.get(path.format(id=grid_case["id"]))
    missing = await outsider.get(path.format(id="00000000-0000-4000-8000-000000000000"))
    assert r.status_code == missing.status_code == 404
    assert r.json()["title"] == missing.json()["title"]


async def test_an_out_of_scope_case_is_404_on_its_page(cast, grid_case):
    browser = await cast.browser("demo-grid-2")
    r = await browser.get(f"/disputes/{grid_case['id']}")
    assert r.status_code == 404
    assert grid_case["title"] not in r.text


async def test_an_out_of_scope_case_never_appears_in_lists(cast, grid_case):
    outsider = cast.api["demo-grid-2"]
    listed = await outsider.get("/api/v1/disputes", params={"q": "只属于第一网格", "per_page": 100})
    assert grid_case["id"] not in [c["id"] for c in listed.json()["items"]]
    browser = await cast.browser("demo-grid-2")
    owner = await cast.browser("demo-grid")
    for url in ("/", "/disputes?q=只属于第一网格", "/disputes?q=只属于第一网格&category=land"):
        page = await browser.get(url)
        assert page.status_code == 200, url
        assert grid_case["case_no"] not in page.text
        # the same page shows it to the grid worker who logged it: the page can list it
        assert grid_case["case_no"] in (await owner.get(url)).text, url
    # and so does the list's htmx reply to the search box
    htmx = {"HX-Request": "true", "HX-Target": "results"}
    url = "/disputes?q=只属于第一网格"
    assert grid_case["case_no"] not in (await browser.get(url, headers=htmx)).text
    assert grid_case["case_no"] in (await owner.get(url, headers=htmx)).text


async def test_replaying_someone_elses_id_does_not_reveal_the_case(cast, grid_case):
    body = {"id": grid_case["id"], "title": grid_case["title"], "category": "land"}
    r = await cast.api["demo-grid-2"].post("/api/v1/disputes", json=body)
    assert r.status_code in (404, 409)
    assert grid_case["case_no"] not in r.text


@pytest.mark.parametrize("username", ["demo-village", "demo-township", "demo-county", "demo-admin"])
async def test_everyone_above_the_grid_in_its_chain_sees_the_case(cast, grid_case, username):
    r = await cast.api[username].get(f"/api/v1/disputes/{grid_case['id']}")
    assert r.status_code == 200


async def test_every_listed_case_lies_in_the_users_subtree(cast):
    # each has a case of their own to list, whatever the seed holds
    await cast.log_case("demo-grid-2", title="第二乡镇网格的案件")
    for username in ("demo-grid-2", "demo-township", "demo-village"):
        me = cast.me[username]["jurisdiction"]
        listed = (await cast.api[username].get("/api/v1/disputes", params={"per_page": 100})).json()
        assert listed["items"], f"{username} lists nothing: the test would check nothing"
        for item in listed["items"]:
            case = (await cast.api["demo-county"].get(f"/api/v1/disputes/{item['id']}")).json()
            assert case[me["level"]]["id"] == me["id"]
