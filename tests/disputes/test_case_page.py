"""The case page: the actions this person may take, as forms that work with and without
JavaScript; the ladder, the time limit, the file's completeness, the printable file."""

import re
from datetime import datetime

from tests.support.lifecycle import accepted_case, act, current, today

FORM_RE = re.compile(r'<form method="post" action="/disputes/[^/]+/actions/([a-z-]+)"')


async def forms_on(cast, username: str, case_id: str) -> list[str]:
    page = await (await cast.browser(username)).get(f"/disputes/{case_id}")
    assert page.status_code == 200
    return FORM_RE.findall(page.text)


async def test_each_person_sees_only_the_actions_the_rules_give_them(cast):
    case = await cast.log_case("demo-grid")
    assert await forms_on(cast, "demo-village", case["id"]) == [
        "accept",
        "resolve",
        "withdraw",
        "extend",
        "mark-duplicate",
    ]
    assert await forms_on(cast, "demo-grid", case["id"]) == ["resolve", "mark-duplicate"]
    assert await forms_on(cast, "demo-township", case["id"]) == ["supervise", "move"]
    assert await forms_on(cast, "demo-admin", case["id"]) == []


async def test_an_action_form_works_without_javascript(cast):
    case = await cast.log_case("demo-grid")
    village = await cast.browser("demo-village")
    r = await village.post_form(
        f"/disputes/{case['id']}/actions/accept",
        {"_csrf_token": village.csrf, "version": "1", "rights_notified": "1", "note": "已告知"},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/disputes/{case['id']}"
    assert (await current(cast, case["id"]))["status"] == "accepted"


async def test_with_htmx_an_action_swaps_the_case_in_place(cast):
    case = await accepted_case(cast)
    village = await cast.browser("demo-village")
    version = (await current(cast, case["id"]))["version"]
    r = await village.post_form(
        f"/disputes/{case['id']}/actions/record",
        {"version": str(version), "kind": "visit", "note": "上门了解情况"},
        htmx=True,
    )
    assert r.status_code == 200
    assert (
        r.text.lstrip().startswith('<article class="case-file" id="case">')
        and "<html" not in r.text
    )
    assert "上门了解情况" in r.text


async def test_bad_form_fields_reopen_the_form_with_the_messages_and_the_input(cast):
    case = await accepted_case(cast)
    village = await cast.browser("demo-village")
    version = (await current(cast, case["id"]))["version"]
    r = await village.post_form(
        f"/disputes/{case['id']}/actions/escalate",
        {"version": str(version), "reason": "", "note": "保留这段备注"},
        htmx=True,
    )
    assert r.status_code == 422
    assert '<details class="action" id="action-escalate" open>' in r.text
    assert "此项必填" in r.text and "保留这段备注" in r.text


async def test_a_stale_form_shows_the_case_as_it_now_is_with_the_reason(cast):
    case = await accepted_case(cast)
    village = await cast.browser("demo-village")
    stale = (await current(cast, case["id"]))["version"]
    await act(cast, "demo-village", case["id"], "record", kind="visit", note="另一位调解员刚走访过")
    r = await village.post_form(
        f"/disputes/{case['id']}/actions/escalate",
        {"version": str(stale), "reason": "上报"},
        htmx=True,
    )
    assert r.status_code == 409
    assert "已有变动" in r.text and "另一位调解员刚走访过" in r.text


async def test_a_refused_action_is_403_on_the_page_too(cast):
    case = await cast.log_case("demo-grid")
    township = await cast.browser("demo-township")
    r = await township.post_form(f"/disputes/{case['id']}/actions/accept", {"version": "1"})
    assert r.status_code == 403


async def test_the_page_shows_the_ladder_the_time_limit_and_what_the_file_still_lacks(cast):
    case = await accepted_case(cast, parties=[{"role": "applicant", "name": "赵大"}])
    await act(
        cast,
        "demo-village",
        case["id"],
        "record",
        kind="attempt",
        outcome="no_agreement",
        note="第一次调解",
    )
    text = (await (await cast.browser("demo-village")).get(f"/disputes/{case['id']}")).text
    assert "村级已调解 1 次（最多 3 次）" in text
    assert "办结期限" in text and "deadline-on_time" in text
    assert re.search(r'class="present">.*?调解申请书或口头申请记录', text, re.S)
    assert re.search(r'class="missing">.*?回访记录', text, re.S)


async def test_after_an_agreement_the_page_counts_down_the_court_confirmation_window(cast):
    case = await accepted_case(cast)
    await act(
        cast,
        "demo-village",
        case["id"],
        "resolve",
        kind="agreement",
        terms=[{"text": "赔偿两千元", "due_on": "2099-01-01"}],
        signed_by="双方及调解员",
        signed_on=today(),
    )
    text = (await (await cast.browser("demo-village")).get(f"/disputes/{case['id']}")).text
    assert "司法确认" in text and "还剩 30 天" in text
    assert "赔偿两千元" in text


async def test_the_printable_case_file_holds_the_ledger_and_the_completeness_check(cast):
    case = await accepted_case(cast)
    page = await (await cast.browser("demo-county")).get(f"/disputes/{case['id']}/file")
    assert page.status_code == 200
    assert "人民调解卷宗" in page.text and "案件台账" in page.text and "卷宗材料" in page.text
    assert "<form" not in page.text.split("<main", 1)[1].split("</main>", 1)[0]
    assert '<button type="button" class="button primary" data-print>打印</button>' in page.text
    assert "/static/js/print" in page.text  # the button's script (no inline script: the CSP)


async def test_the_case_page_of_another_area_is_404(cast):
    case = await cast.log_case("demo-grid")
    outsider = await cast.browser("demo-grid-2")
    assert (await outsider.get(f"/disputes/{case['id']}/file")).status_code == 404
    r = await outsider.post_form(f"/disputes/{case['id']}/actions/accept", {"version": "1"})
    assert r.status_code == 404


async def test_a_yes_or_no_in_the_ledger_reads_as_a_word(cast):
    case = await cast.log_case("demo-grid")
    village = await cast.browser("demo-village")
    r = await village.post_form(
        f"/disputes/{case['id']}/actions/accept", {"_csrf_token": village.csrf, "version": "1"}
    )
    assert r.status_code == 303
    page = (await village.get(f"/disputes/{case['id']}")).text
    assert re.search(r"<dt>已告知权利义务</dt><dd>否</dd>", page), page
    assert "False" not in page and "True" not in page


async def test_a_limit_counted_in_days_reads_as_its_last_day(cast):
    from datetime import date

    from app.disputes import deadlines
    from app.disputes.tables import Dispute

    case = await cast.log_case("demo-grid")
    village = await cast.browser("demo-village")
    counted_from_the_minute = datetime.fromisoformat((await current(cast, case["id"]))["due_at"])
    page = await village.get(f"/disputes/{case['id']}")
    assert (
        counted_from_the_minute.astimezone(deadlines.CHINA).strftime("%Y-%m-%d %H:%M") in page.text
    )

    # a limit counted in (working) days ends at the midnight after its last day
    await Dispute.update({Dispute.due_at: deadlines.end_of_day(date(2027, 1, 8))}).where(
        Dispute.id == case["id"]
    )
    page = await village.get(f"/disputes/{case['id']}")
    assert "</strong> 2027-01-08" in page.text
    assert "2027-01-09" not in page.text
