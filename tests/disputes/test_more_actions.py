"""The rest of the road: supervision and its reply, referral and its result, performance of
an agreement, withdrawal, closing as unresolvable, reopening."""

from app.disputes.tables import AgreementTerm
from tests.support.lifecycle import accepted_case, act, current, ledger, today


async def test_a_township_supervises_a_village_case_and_the_village_replies(cast):
    case = await accepted_case(cast)
    await act(
        cast,
        "demo-township",
        case["id"],
        "supervise",
        instructions="请于本周内组织调解并报告",
        due_on="2099-01-01",
    )
    supervised = await current(cast, case["id"])
    assert (
        supervised["level"] == "village" and supervised["open_supervisions"] == 1
    )  # the village keeps the case
    await act(cast, "demo-village", case["id"], "reply", reply="已于周三组织双方调解")
    assert (await current(cast, case["id"]))["open_supervisions"] == 0
    kinds = [(e["kind"], e["level"]) for e in await ledger(cast, case["id"])]
    assert kinds[-2:] == [("supervised", "township"), ("supervision_replied", "village")]


async def test_the_county_may_supervise_a_township_case_but_not_its_own(cast):
    case = await accepted_case(cast)
    await act(cast, "demo-village", case["id"], "escalate", reason="需镇级协调")
    await act(
        cast, "demo-county", case["id"], "supervise", instructions="县里督办", due_on="2099-01-01"
    )
    await act(cast, "demo-township", case["id"], "accept")
    await act(cast, "demo-township", case["id"], "escalate", reason="需县级协调")
    await act(
        cast,
        "demo-county",
        case["id"],
        "supervise",
        instructions="自己督办",
        due_on="2099-01-01",
        expect=403,
    )


async def test_a_referred_case_stays_open_until_the_channel_concludes_then_is_followed_up_and_closed(
    cast,
):
    case = await accepted_case(cast)
    await act(
        cast,
        "demo-village",
        case["id"],
        "refer",
        channel="court",
        body="泌阳县人民法院",
        reason="涉及合同效力认定",
    )
    referred = await current(cast, case["id"])
    assert referred["status"] == "referred" and referred["due_at"] is None
    await act(cast, "demo-village", case["id"], "close", expect=409)
    await act(
        cast,
        "demo-village",
        case["id"],
        "referral-result",
        outcome="judged",
        result="法院判决已生效",
    )
    concluded = await current(cast, case["id"])
    assert concluded["status"] == "concluded" and concluded["due_kind"] == "follow_up"
    await act(
        cast,
        "demo-village",
        case["id"],
        "follow-up",
        method="phone",
        honoured="yes",
        satisfaction=4,
    )
    assert (
        await act(
            cast, "demo-village", case["id"], "close", override_reason="法院判决结案，卷宗在法院"
        )
    ).json()["status"] == "closed"


async def test_a_referral_returned_for_mediation_goes_back_to_the_holder_with_a_new_limit(cast):
    case = await accepted_case(cast)
    await act(cast, "demo-village", case["id"], "refer", channel="agency", reason="属行政职责")
    await act(
        cast,
        "demo-village",
        case["id"],
        "referral-result",
        outcome="returned",
        result="部门建议先行调解",
    )
    back = await current(cast, case["id"])
    assert back["status"] == "mediating" and back["due_kind"] == "resolve"


async def test_each_agreement_term_is_tracked_as_done_or_not(cast):
    case = await accepted_case(cast)
    await act(
        cast,
        "demo-village",
        case["id"],
        "resolve",
        kind="agreement",
        terms=[
            {"text": "三日内拆除违建围墙", "due_on": "2099-01-01"},
            {"text": "赔偿青苗损失八百元"},
        ],
        signed_by="双方及调解员",
        signed_on=today(),
    )
    await act(cast, "demo-grid", case["id"], "performance", term=1, state="done", note="已当面支付")
    terms = (
        await AgreementTerm.select()
        .where(AgreementTerm.dispute == case["id"])
        .order_by(AgreementTerm.position)
    )
    assert [t["state"] for t in terms] == ["pending", "done"]
    event = (await ledger(cast, case["id"]))[-1]
    assert event["kind"] == "performance" and event["data"]["text"] == "赔偿青苗损失八百元"
    await act(cast, "demo-village", case["id"], "performance", term=5, state="done", expect=422)


async def test_an_applicant_may_withdraw_which_ends_the_case(cast):
    case = await accepted_case(cast)
    await act(cast, "demo-village", case["id"], "withdraw", reason="双方已自行和解", expect=200)
    ended = await current(cast, case["id"])
    assert ended["status"] == "withdrawn" and ended["closed_at"] and ended["due_at"] is None
    await act(cast, "demo-village", case["id"], "record", kind="visit", note="x", expect=409)


async def test_only_the_county_closes_a_case_as_unresolvable_after_its_session(cast):
    case = await accepted_case(cast)
    await act(cast, "demo-village", case["id"], "terminate", reason="一方拒绝调解", expect=409)
    await act(cast, "demo-village", case["id"], "escalate", reason="村级无法化解")
    await act(cast, "demo-township", case["id"], "accept")
    await act(cast, "demo-township", case["id"], "escalate", reason="镇级无法化解")
    await act(cast, "demo-county", case["id"], "accept")
    await act(
        cast,
        "demo-county",
        case["id"],
        "record",
        kind="attempt",
        outcome="no_agreement",
        note="县级调解未果",
    )
    r = await act(
        cast,
        "demo-county",
        case["id"],
        "record",
        kind="attempt",
        outcome="no_agreement",
        note="再调一次",
        expect=409,
    )
    assert "分流或终止调解" in r.json()["detail"]
    await act(cast, "demo-county", case["id"], "terminate", reason="双方分歧无法弥合，告知诉讼途径")
    assert (await current(cast, case["id"]))["status"] == "unresolvable"


async def test_a_closed_case_is_reopened_with_a_reason_when_the_agreement_breaks_down(cast):
    case = await cast.log_case("demo-grid")
    await act(cast, "demo-grid", case["id"], "resolve", kind="on_the_spot", note="当场调和")
    await act(
        cast, "demo-grid", case["id"], "follow-up", method="visit", honoured="no", satisfaction=2
    )
    await act(cast, "demo-village", case["id"], "close", override_reason="当场化解，未另作笔录")
    await act(cast, "demo-village", case["id"], "reopen", expect=422)
    await act(cast, "demo-township", case["id"], "reopen", reason="对方反悔，协议未履行")
    reopened = await current(cast, case["id"])
    assert (
        reopened["status"] == "mediating"
        and reopened["closed_at"] is None
        and reopened["due_kind"] == "resolve"
    )
    assert (await ledger(cast, case["id"]))[-1]["level"] == "township"


async def test_a_hand_back_can_skip_a_level_and_carries_its_own_deadline(cast):
    case = await accepted_case(cast)
    await act(cast, "demo-village", case["id"], "escalate", reason="村里调不了")
    await act(cast, "demo-township", case["id"], "accept")
    await act(cast, "demo-township", case["id"], "escalate", reason="镇里调不了")
    await act(
        cast,
        "demo-county",
        case["id"],
        "hand-back",
        to_level="county",
        instructions="x",
        expect=422,
    )
    await act(
        cast,
        "demo-county",
        case["id"],
        "hand-back",
        to_level="village",
        instructions="请村里按此方案调解",
        due_on="2099-01-01",
    )
    back = await current(cast, case["id"])
    assert (back["level"], back["status"], back["due_kind"]) == ("village", "accepted", "hand_back")
    assert back["due_at"].startswith("2099-01-01T16:00:00")  # the end of 1 January, China time
    assert back["holder"]["id"] == cast.me["demo-village"]["jurisdiction"]["id"]


async def test_the_reply_by_day_reads_as_the_day_the_officer_chose(cast):
    # stored as the midnight that ends the day; shown as that day, not the next one
    case = await accepted_case(cast)
    await act(
        cast,
        "demo-township",
        case["id"],
        "supervise",
        instructions="请按期回复",
        due_on="2099-03-14",
    )
    village = await cast.browser("demo-village")
    page = (await village.get(f"/disputes/{case['id']}")).text
    assert "2099-03-14 前回复" in page and "2099-03-15" not in page
    notices = (await village.get("/notifications")).text
    assert f"{case['case_no']}“{case['title']}”收到督办，请于 2099-03-14 前回复" in notices
    assert "2099-03-15" not in notices
