"""The objects the authorization table points at, built once per test run.

Two sides of the demo county: MINE lies in demo-grid's grid (in demo-village's village, in
demo-township's township), so everyone but demo-grid-2 may find it; THEIRS lies in demo-grid-2's
grid in another township, so demo-township, demo-village and demo-grid must get 404 for it,
exactly as for an id that does not exist. Objects are written through the API where the API
writes them, and as rows where only the scheduler or another user's own action would (alerts,
reports, notifications, feeds, a session on the other side).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.auth.passwords import hash_password
from app.auth.tables import User
from app.disputes.tables import Dispute
from app.jurisdictions.tables import Jurisdiction
from app.monitoring import areas, reports
from app.monitoring.tables import Alert, AlertCase, Report
from app.notify.tables import Notification
from app.sessions import ics
from app.sessions.rooms import CHINA
from app.sessions.tables import CalendarFeed, Juror, MediationSession, Room
from tests.support.photos import camera_jpeg

MARK = "越界哨兵"  # in the title of every THEIRS case: no list may ever show it to MINE's users

_built: dict[str, dict[str, Any]] = {}


def _parties(tag: str) -> list[dict]:
    return [
        {
            "name": f"甲{tag}",
            "role": "applicant",
            "phone": "13800001111",
            "id_number": "410000199001011234",
        },
        {"name": f"乙{tag}", "role": "respondent", "phone": "13900002222"},
    ]


async def log(cast, username: str, title: str, **fields) -> dict:
    return await cast.log_case(
        username, title=title, category="neighbours", parties=_parties(title[-2:]), **fields
    )


async def _photo(cast, username: str, case_id: str) -> str:
    photo_id = str(uuid.uuid4())
    r = await cast.api[username].put(
        f"/api/v1/disputes/{case_id}/photos/{photo_id}",
        content=camera_jpeg(64, 48),
        headers={"Content-Type": "image/jpeg"},
    )
    assert r.status_code == 201, r.text
    return photo_id


async def _room_of(village: int) -> int:
    room = await Room.select(Room.id).where(Room.village == village).order_by(Room.id).first()
    return room["id"]


async def _juror(node: dict, name: str) -> int:
    rows = await Juror.insert(
        Juror(
            name=name,
            kind="party_member",
            jurisdiction=node["id"],
            county=node["county"],
            township=node["township"],
            village=node["village"],
        )
    ).returning(Juror.id)
    return rows[0]["id"]


async def _session(case: dict, room_id: int, day: date) -> int:
    start = datetime(day.year, day.month, day.day, 9, tzinfo=CHINA)
    rows = await MediationSession.insert(
        MediationSession(
            dispute=case["id"],
            room=room_id,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            county=case["county"],
            township=case["township"],
            village=case["village"],
            grid=case["grid"],
        )
    ).returning(MediationSession.id)
    return rows[0]["id"]


async def _alert(case: dict, township: int) -> int:
    rows = await Alert.insert(
        Alert(
            kind="group",
            dedupe_key=f"authz:{case['id']}",
            dispute=case["id"],
            target=township,
            target_level="township",
            params=json.dumps({"case_no": case["case_no"], "title": case["title"], "people": 9}),
            county=case["county"],
            township=case["township"],
            village=case["village"],
            grid=case["grid"],
        )
    ).returning(Alert.id)
    await AlertCase.insert(AlertCase(alert=rows[0]["id"], dispute=case["id"]))
    return rows[0]["id"]


async def _report(township: int) -> int:
    """A daily report of a day long gone, so no other test's reports can meet it."""
    node = await Jurisdiction.select(*areas.NODE_COLUMNS).where(Jurisdiction.id == township).first()
    county = (
        await Jurisdiction.select(*areas.NODE_COLUMNS)
        .where(Jurisdiction.id == node["county"])
        .first()
    )
    day, now = date(2001, 1, 1), datetime.now(UTC)
    body = await reports.snapshot(areas.system_actor(county), node, day, day, now, "daily")
    rows = await Report.insert(
        Report(
            jurisdiction=township,
            **areas.placed(node),
            kind="daily",
            period_start=day,
            period_end=day,
            issued_at=now,
            body=json.dumps(body, ensure_ascii=False, default=str),
        )
    ).returning(Report.id)
    return rows[0]["id"]


async def _notification(user_id: int) -> int:
    rows = await Notification.insert(
        Notification(
            recipient=user_id,
            kind="authz",
            payload=json.dumps({"message": "Not found.", "params": {}, "link": "/"}),
            dedupe_key=f"authz:{user_id}:{secrets.token_hex(6)}",
            sent_at=datetime.now(UTC),  # an in-app notice is in the centre once sent
        )
    ).returning(Notification.id)
    return rows[0]["id"]


async def feed_of(user_id: int) -> tuple[int, str]:
    token = secrets.token_urlsafe(16)
    rows = await CalendarFeed.insert(
        CalendarFeed(token_hash=ics.token_hash(token), mediator=user_id, created_by=user_id)
    ).returning(CalendarFeed.id)
    return rows[0]["id"], token


async def _account(grid_id: int, tag: str) -> int:
    rows = await User.insert(
        User(
            username=f"authz-{secrets.token_hex(4)}",
            display_name=f"授权表用户{tag[-3:]}",
            role="grid_worker",
            jurisdiction=grid_id,
            password_hash=hash_password(secrets.token_urlsafe(12)),
        )
    ).returning(User.id)
    return rows[0]["id"]


async def _open311_client(account_id: int) -> int:
    from app.auth import sessions
    from app.auth.tables import LoginSession
    from app.open311.tables import Open311Client

    secret = await sessions.start(account_id, kind="open311")
    login = (
        await LoginSession.select(LoginSession.id)
        .where(LoginSession.token_hash == hashlib.sha256(secret.encode()).hexdigest())
        .first()
    )
    rows = await Open311Client.insert(
        Open311Client(name="授权表平台", login=login["id"], account=account_id)
    ).returning(Open311Client.id)
    return rows[0]["id"]


async def _ledger_import(county: int, by: int) -> int:
    from app.imports.tables import LedgerImport

    rows = await LedgerImport.insert(
        LedgerImport(
            county=county,
            created_by=by,
            filename="授权表台账.csv",
            headers=json.dumps(["登记日期"]),
            rows=json.dumps([["2025-01-01"]]),
            total=1,
        )
    ).returning(LedgerImport.id)
    return rows[0]["id"]


async def _case_row(case_id: str) -> dict:
    return await Dispute.select().where(Dispute.id == case_id).first()


async def build(cast) -> dict[str, dict[str, Any]]:
    """{"mine": {...}, "theirs": {...}}: the path parameters and markers of each side."""
    if _built:
        return _built
    me = cast.me
    sides: dict[str, dict[str, Any]] = {}
    for side, username, user_for_person in (
        ("mine", "demo-grid", "demo-village"),
        ("theirs", "demo-grid-2", "demo-grid-2"),
    ):
        tag = f"{MARK if side == 'theirs' else '本方案件'}{secrets.token_hex(3)}"
        case = await log(cast, username, tag)
        row = await _case_row(case["id"])
        grid = await Jurisdiction.select().where(Jurisdiction.id == row["grid"]).first()
        village = await Jurisdiction.select().where(Jurisdiction.id == row["village"]).first()
        room_id = await _room_of(row["village"])
        feed_id, token = await feed_of(
            me["demo-village"]["id"] if side == "mine" else me["demo-county"]["id"]
        )
        sides[side] = {
            "dispute_id": case["id"],
            "case_no": case["case_no"],
            "title": tag,
            "photo_id": await _photo(cast, username, case["id"]),
            "position": 0,
            "session_id": await _session(row, room_id, date.today() + timedelta(days=900)),
            "room_id": room_id,
            "juror_id": await _juror(village, f"评理员{tag[-3:]}"),
            "alert_id": await _alert(row, row["township"]),
            "report_id": await _report(row["township"]),
            "node_id": grid["id"],
            "township_id": row["township"],
            "user_id": me[user_for_person]["id"],
            # a login of no one's, for the administrator's actions that change a user
            "account_id": await _account(grid["id"], tag),
            # a login of its own: the table deactivates account_id, which would end the key
            "client_id": await _open311_client(await _account(grid["id"], tag + "o")),
            "import_id": await _ledger_import(row["county"], me["demo-admin"]["id"]),
            "feed_id": feed_id,
            "token": token + ".ics",
            "notifications": {},
        }
    # a notification of each user's own: the one they may open; anyone else's is 404
    for username in me:
        sides["mine"]["notifications"][username] = await _notification(me[username]["id"])
    _built.update(sides)
    return _built


async def user_id(username: str) -> int:
    return (await User.select(User.id).where(User.username == username).first())["id"]
