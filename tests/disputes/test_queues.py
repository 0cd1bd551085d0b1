"""Role homes are work queues; lists filter, page and count within bounds, always in scope."""

import pytest

from tests.support.lifecycle import accepted_case, act


def in_section(html: str, section_id: str, text: str) -> bool:
    start = html.find(f'id="{section_id}"')
    assert start >= 0, f"no section {section_id}"
    end = html.find("</section>", start)
    return text in html[start:end]


async def test_a_fresh_case_waits_in_the_villages_to_accept_queue_then_moves_to_in_progress(cast):
    case = await cast.log_case("demo-grid", title="新登记：邻里通行道路争议")
    village = await cast.browser("demo-village")
    home = (await village.get("/")).text
    assert in_section(home, "queue-to-accept", case["case_no"])
    await act(cast, "demo-village", case["id"], "accept")
    home = (await village.get("/")).text
    assert not in_section(home, "queue-to-accept", case["case_no"])
    assert in_section(home, "queue-in-progress", case["case_no"])


async def test_an_escalated_case_waits_in_the_townships_escalated_to_me_queue(cast):
    case = await accepted_case(cast)
    await act(cast, "demo-village", case["id"], "escalate", reason="需要镇里协调")
    home = (await (await cast.browser("demo-township")).get("/")).text
    assert in_section(home, "queue-escalated", case["case_no"])
    listed = (
        await cast.api["demo-township"].get(
            "/api/v1/disputes", params={"queue": "escalated", "per_page": 100}
        )
    ).json()
    assert case["id"] in [c["id"] for c in listed["items"]]


async def test_a_supervised_case_shows_under_supervision_for_the_holder_and_the_issuer(cast):
    case = await accepted_case(cast)
    await act(
        cast,
        "demo-township",
        case["id"],
        "supervise",
        instructions="请三日内回复进展",
        due_on="2099-01-01",
    )
    for username in ("demo-village", "demo-township"):
        listed = (
            await cast.api[username].get(
                "/api/v1/disputes", params={"queue": "supervised", "per_page": 100}
            )
        ).json()
        assert case["id"] in [c["id"] for c in listed["items"]]
    await act(cast, "demo-village", case["id"], "reply", reply="已约双方本周调解")
    listed = (
        await cast.api["demo-village"].get(
            "/api/v1/disputes", params={"queue": "supervised", "per_page": 100}
        )
    ).json()
    assert case["id"] not in [c["id"] for c in listed["items"]]


async def test_a_grid_workers_home_lists_their_grid_and_the_follow_ups_due(cast):
    case = await cast.log_case("demo-grid", title="待回访：噪音扰民已当场化解")
    await act(cast, "demo-grid", case["id"], "resolve", kind="on_the_spot", note="当场劝解")

    async def follow_ups() -> list[str]:
        # the whole queue: the home page shows its five most urgent (other suites of the run
        # leave the grid worker older follow-ups), and links to the rest
        listed = await cast.api["demo-grid"].get(
            "/api/v1/disputes", params={"queue": "follow_up", "per_page": 100}
        )
        return [c["id"] for c in listed.json()["items"]]

    home = (await (await cast.browser("demo-grid")).get("/")).text
    assert in_section(home, "queue-mine", case["case_no"])
    assert in_section(home, "queue-follow-up", "/disputes?queue=follow_up")
    assert case["id"] in await follow_ups()
    await act(
        cast, "demo-grid", case["id"], "follow-up", method="visit", honoured="yes", satisfaction=5
    )
    assert case["id"] not in await follow_ups()
    home = (await (await cast.browser("demo-grid")).get("/")).text
    assert not in_section(home, "queue-follow-up", case["case_no"])


async def test_the_overdue_queue_covers_the_officers_whole_area_most_overdue_first(cast):
    listed = (
        await cast.api["demo-county"].get(
            "/api/v1/disputes", params={"queue": "overdue", "per_page": 50}
        )
    ).json()
    dues = [c["due_at"] for c in listed["items"]]
    # the seeded year leaves overdue cases all over the county: an order to check
    assert len(dues) >= 2, listed
    assert dues == sorted(dues) and all(c["overdue"] for c in listed["items"])


@pytest.mark.parametrize(
    "params",
    [
        {"status": "closed"},
        {"level": "township"},
        {"category": "land"},
        {"risk_level": "high"},
        {"overdue": "1"},
        {"from": "2026-01-01", "to": "2026-12-31"},
        {"q": "纠纷"},
        {"q": "宅基地纠纷"},
        {"queue": "in_progress"},
    ],
)
async def test_every_filter_keeps_to_the_scope(cast, params):
    # each filter has a case of the township to find, whatever the seed holds
    if params.get("q") == "宅基地纠纷":
        await cast.log_case("demo-grid", title="宅基地纠纷：院墙越界", category="land")
    if params.get("queue") == "in_progress":
        case = await accepted_case(cast)
        await act(cast, "demo-village", case["id"], "escalate", reason="村级调解未果")
        await act(cast, "demo-township", case["id"], "accept")
    me = cast.me["demo-township"]["jurisdiction"]["id"]
    listed = (
        await cast.api["demo-township"].get("/api/v1/disputes", params=params | {"per_page": 100})
    ).json()
    assert listed["items"], f"nothing listed for {params}: the test would check nothing"
    for item in listed["items"]:
        case = (await cast.api["demo-county"].get(f"/api/v1/disputes/{item['id']}")).json()
        assert case["township"]["id"] == me


async def test_counts_stop_at_a_hundred_and_pages_at_a_thousand_cases(cast):
    r = await cast.api["demo-county"].get("/api/v1/disputes", params={"per_page": 100, "page": 11})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "page"
    page = (await cast.api["demo-county"].get("/api/v1/disputes", params={"per_page": 5})).json()
    assert page["total"] == 100 and page["total_capped"] and page["has_next"]
    deep = (
        await cast.api["demo-county"].get("/api/v1/disputes", params={"per_page": 100, "page": 3})
    ).json()
    assert len(deep["items"]) == 100
    case = await cast.log_case("demo-grid", title="独一无二的分页测试标题")
    past_the_end = (
        await cast.api["demo-grid"].get(
            "/api/v1/disputes", params={"q": "独一无二的分页测试", "page": 2}
        )
    ).json()
    assert (
        past_the_end["items"] == [] and past_the_end["total"] == 1 and not past_the_end["has_next"]
    )
    first = (
        await cast.api["demo-grid"].get("/api/v1/disputes", params={"q": "独一无二的分页测试"})
    ).json()
    assert [c["id"] for c in first["items"]] == [case["id"]] and first["total"] == 1


@pytest.mark.parametrize("term", ["渠", "灌溉渠", "Canal", "canal"])
async def test_text_search_finds_short_and_long_terms_in_title_and_description(cast, term):
    case = await cast.log_case(
        "demo-grid", title="灌溉渠堵塞", description="Irrigation canal blocked by rubbish"
    )
    listed = (
        await cast.api["demo-village"].get("/api/v1/disputes", params={"q": term, "per_page": 100})
    ).json()
    assert case["id"] in [c["id"] for c in listed["items"]]


async def test_an_unknown_queue_is_422(cast):
    r = await cast.api["demo-village"].get("/api/v1/disputes", params={"queue": "everything"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "queue"
