"""Role homes are work queues; lists filter, page and count within bounds, always in scope."""

import pytest

from tests.support.lifecycle import accepted_case, act, today


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


# ----- overdue, split by what is overdue; due soon apart from what waits to be accepted -------


async def _overdue_pair(cast) -> tuple[dict, dict]:
    """Two cases of demo-village's village whose time ran out yesterday: one open (its limit to
    resolve), one resolved (its follow-up visit)."""
    from datetime import UTC, datetime, timedelta

    from app.disputes.tables import Dispute

    open_case = await accepted_case(cast, title="办结超期：灌溉渠放水纠纷")
    visit = await accepted_case(cast, title="回访超期：宅前道路纠纷")
    await act(
        cast,
        "demo-village",
        visit["id"],
        "resolve",
        kind="agreement",
        terms=[{"text": "共同出资修路"}],
        signed_by="甲、乙",
        signed_on=today(),
    )
    yesterday = datetime.now(UTC) - timedelta(days=1)
    await Dispute.update({Dispute.due_at: yesterday}).where(
        Dispute.id.is_in([open_case["id"], visit["id"]])
    )
    return open_case, visit


async def _queue(cast, username: str, code: str) -> list[str]:
    listed = await cast.api[username].get(
        "/api/v1/disputes", params={"queue": code, "per_page": 100}
    )
    assert listed.status_code == 200, listed.text
    return [c["id"] for c in listed.json()["items"]]


async def test_overdue_resolution_and_overdue_follow_up_are_two_queues_with_their_own_actions(
    cast,
):
    open_case, visit = await _overdue_pair(cast)
    for who in ("demo-village", "demo-township"):
        resolution = await _queue(cast, who, "overdue_resolution")
        follow_up = await _queue(cast, who, "overdue_follow_up")
        assert open_case["id"] in resolution and visit["id"] not in resolution
        assert visit["id"] in follow_up and open_case["id"] not in follow_up
    home = (await (await cast.browser("demo-village")).get("/")).text
    assert 'id="queue-overdue"' not in home  # the mixed list is gone from homes
    assert in_section(home, "queue-overdue-resolution", "督办")
    assert in_section(home, "queue-overdue-follow-up", "登记回访")
    assert not in_section(home, "queue-overdue-follow-up", "督办")
    # the case list filters the same way, from the figures' parameter too
    listed = (
        await cast.api["demo-village"].get(
            "/api/v1/disputes", params={"overdue_kind": "follow_up", "per_page": 100}
        )
    ).json()
    ids = [c["id"] for c in listed["items"]]
    assert visit["id"] in ids and open_case["id"] not in ids
    page = (
        await (await cast.browser("demo-village")).get("/disputes?queue=overdue_follow_up")
    ).text
    assert "回访超期" in page and visit["case_no"] in page and open_case["case_no"] not in page


async def test_due_soon_leaves_out_what_waits_to_be_accepted(cast):
    case = await cast.log_case("demo-grid", title="待受理不算即将到期")
    assert case["id"] in await _queue(cast, "demo-village", "to_accept")
    assert case["id"] not in await _queue(cast, "demo-village", "due_soon")
    home = (await (await cast.browser("demo-village")).get("/")).text
    assert in_section(home, "queue-to-accept", case["case_no"])
    assert not in_section(home, "queue-due-soon", case["case_no"])


def _home_count(html: str, section_id: str) -> str:
    import re

    start = html.find(f'id="{section_id}"')
    found = re.search(r'<span class="count">(\d+\+?)</span>', html[start:])
    assert found, section_id
    return found.group(1)


async def test_home_and_dashboard_agree_on_overdue_counts_over_the_same_period(cast):
    from datetime import UTC, datetime, timedelta

    from app.disputes.tables import Dispute

    open_case, visit = await _overdue_pair(cast)
    # logged two years ago: on the home (every case of the area), not in the dashboard's
    # default twelve months
    old = datetime.now(UTC) - timedelta(days=730)
    await Dispute.update({Dispute.created_at: old}).where(Dispute.id == open_case["id"])
    village = cast.me["demo-village"]["jurisdiction"]["id"]
    home = (await (await cast.browser("demo-village")).get("/")).text

    async def figure(code: str, **period) -> int:
        r = await cast.api["demo-village"].get(
            "/api/v1/stats", params={"jurisdiction": village} | period
        )
        assert r.status_code == 200, r.text
        return next(f["value"] for f in r.json()["figures"] if f["code"] == code)

    # the longest period a dashboard shows (three years), which holds every case of the demo
    since_ever = {"from": (datetime.now(UTC) - timedelta(days=3 * 365)).date().isoformat()}
    for code in ("overdue_resolution", "overdue_follow_up"):
        shown = _home_count(home, "queue-" + code.replace("_", "-"))
        assert not shown.endswith("+"), "the village's overdue cases fit under the count cap"
        assert int(shown) == await figure(code, **since_ever) > 0
    # over the default period the dashboard counts one fewer: the home says why
    assert (
        await figure("overdue_resolution") == await figure("overdue_resolution", **since_ever) - 1
    )
    assert in_section(home, "queue-overdue-resolution", "不论登记时间")
