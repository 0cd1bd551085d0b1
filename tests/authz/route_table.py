"""The authorization table: every route of the app, who may use it, on what.

One line per (method, path template) exactly as `create_app()` registers it; the coverage test
(`test_route_table.py::test_every_route_of_the_app_is_in_the_table`) fails naming any route
missing here, or any line here that no longer matches a route.

Who: the demo cast by letter, A admin, C county officer, T township officer (of MINE's township),
V village mediator (of MINE's village), G grid worker (of MINE's grid); `PUBLIC` needs no login.
demo-grid-2 (the grid worker of another township) is G as well, and is the outsider for MINE.

What: `obj` names the kind of object the path (or the query) points at; `world.py` builds one on
MINE's side and one on THEIRS. `SEEN[kind]` says who of A C T V G may find MINE's object at all;
the rest get 404. The expected answer for a person and an object:

    not signed in                        → 401 (API) or a redirect to /login (pages)
    THEIRS's object (for T, V, G), or MINE's for demo-grid-2 → 404, like an id that does not exist
    MINE's object, not in SEEN[kind]     → 404
    in `who`                             → allowed: anything but 401, 403, 404 or a 5xx
    otherwise                            → 403

Case actions (`obj="case@<state>"`) get a fresh case in that state for every allowed request,
since the request changes it; `body(ctx, allowed)` gives the request's body. A route that
writes shared things answers the allowed people with a body the server refuses (422), and the
others with a valid one: they must be stopped by who they are, not by what they sent.

Adding a route: add one `R(...)` line below (and, if it points at a new kind of object, a
`SEEN` entry and the object in `world.py`). For example:

    R("GET", "/admin/users", "A"),                          # administrators only: others 403
    R("GET", "/admin/users/{user_id:int}", "A", obj="person"),  # demo-village; outside: 404
    R("GET", "/audit", "AC", query="q={case_no}"),          # a list: leak-checked as well
    R("POST", "/api/v1/push/subscriptions", ALL, body=js({"endpoint": "https://push.example/x"})),

A route that only administrators use still needs the table to say so; a route open to anyone
signed in says `ALL`. Run `tests/authz/` on both engines after adding lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

PUBLIC = "*"
ALL = "ACTVG"
MEDIATORS = "CTV"

SEEN = {
    "case": ALL,
    "session": ALL,
    "alert": ALL,
    "node": ALL,
    "notification": ALL,  # each person's own; anyone else's is 404
    "room": "ACTV",  # a village's room: grid workers see no rooms
    "juror": "ACTV",
    "person": "ACTV",  # demo-village as a mediator whose calendar one reads
    "report": "ACT",  # a township's report
    "feed": "V",  # demo-village's own calendar feed
    "account": "A",  # a login in MINE's grid, that only administrators manage
    "open311": "A",  # an Open311 client acting as that login
    "ledger_import": "AC",  # a ledger upload of the county
}

Body = Callable[[dict, bool], dict[str, Any]]


@dataclass(frozen=True)
class R:
    method: str
    path: str
    who: str
    obj: str = ""  # kind of object in the path or query ("case@accepted": a fresh case)
    query: str = ""  # query string, formatted with the object's parameters
    body: Body | None = None
    fill: tuple[tuple[str, str], ...] = ()  # fixed path parameters (action names, formats)
    ok: frozenset[int] = frozenset()  # a public route's expected statuses, when not 2xx/3xx
    fresh_login: bool = False  # it ends the login it uses: give it one of its own
    role_first: bool = False  # closed to other roles whatever the id: 403 before any lookup

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path


def _future(days: int = 7) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def _now() -> str:
    return datetime.now(UTC).isoformat()


def js(value: dict | Callable[[dict], dict]) -> Body:
    return lambda ctx, _allowed: {"json": value(ctx) if callable(value) else value}


def form(value: dict | Callable[[dict], dict]) -> Body:
    return lambda ctx, _allowed: {"data": value(ctx) if callable(value) else value}


def refused_when_allowed(kind: str, bad: dict, good: Callable[[dict], dict]) -> Body:
    """`bad` for the people allowed (so nothing shared changes), `good` for the others."""
    return lambda ctx, allowed: {kind: bad if allowed else good(ctx)}


def action(name: str, fields: Callable[[dict], dict] | dict) -> Body:
    def make(ctx: dict, _allowed: bool) -> dict:
        extra = fields(ctx) if callable(fields) else fields
        return {"json": {"version": ctx["version"], **extra}}

    return make


def _new_case(ctx: dict) -> dict:
    import uuid

    return {"id": str(uuid.uuid4()), "title": "授权表新案", "category": "neighbours"}


def _checkin(ctx: dict) -> dict:
    import uuid

    return {
        "id": str(uuid.uuid4()),
        "grid_id": ctx["node_id"],
        "lon": ctx["lon"],
        "lat": ctx["lat"],
        "gps_accuracy_m": 10,
        "checked_at": _now(),
    }


def _booking(ctx: dict) -> dict:
    start = datetime.fromisoformat(_future(950) + "T09:00:00+08:00")
    return {
        "dispute_id": ctx["dispute_id"],
        "room_id": ctx["room_id"],
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "mediator_ids": [ctx["village_user_id"]],
    }


_ROOM = {
    "name": "授权表评理室",
    "capacity": "20",
    "opens_at": "08:30",
    "closes_at": "17:30",
    "open_weekdays": ["1", "2", "3"],
}
_BAD_ROOM = _ROOM | {"capacity": "0"}
_JUROR = {"name": "授权表评理员", "kind": "teacher"}
_BAD_JUROR = {"name": "", "kind": "teacher"}
_SWEEP_GOOD = {"none_found": True, "note": "本月未发现"}
# "found these cases" and "none found" at once: refused before anything is filed
_SWEEP_BAD = {"none_found": True, "dispute_ids": ["00000000-0000-4000-8000-000000000000"]}


def _bad_booking(ctx: dict) -> dict:
    return _booking(ctx) | {"ends_at": _booking(ctx)["starts_at"]}


# the right current password (a wrong one would count towards throttling) and a new one too
# short: refused (422) before anything changes, whoever asks
_PASSWORD_MISMATCH = {
    "current_password": "pingli-demo-2026",
    "new_password": "short",
    "confirm_password": "short",
}
_NEW_USER = {
    "username": "authz-new",
    "display_name": "新用户",
    "role": "grid_worker",
    "password": "a-long-new-secret-1",
}

ACTIONS = "/api/v1/disputes/{dispute_id:uuid}/actions/"

# fmt: off
ROUTES: list[R] = [
    # --- open to everyone -------------------------------------------------------------------
    R("GET", "/healthz", PUBLIC),
    R("GET", "/login", PUBLIC),
    R("POST", "/login", PUBLIC, body=form({"username": "nobody", "password": "wrong"}), ok=frozenset({200, 400, 401, 403})),
    R("POST", "/api/v1/auth/login", PUBLIC, body=js({"username": "nobody", "password": "wrong"}), ok=frozenset({401})),
    R("GET", "/lang/{code:str}", PUBLIC, fill=(("code", "en"),)),
    R("GET", "/manifest.webmanifest", PUBLIC),
    R("GET", "/sw.js", PUBLIC),
    R("GET", "/offline", PUBLIC),
    R("GET", "/outbox", PUBLIC),
    R("GET", "/static/{file_path:path}", PUBLIC, fill=(("file_path", "css/app.css"),)),
    R("GET", "/api/v1/categories", PUBLIC),
    R("GET", "/schema", PUBLIC),
    R("GET", "/schema/openapi.json", PUBLIC),
    R("GET", "/schema/openapi.yaml", PUBLIC),
    R("GET", "/schema/openapi.yml", PUBLIC),
    R("GET", "/schema/{path:str}", PUBLIC, fill=(("path", "nothing-here"),), ok=frozenset({404})),
    # the token in the address is the key (calendar apps cannot sign in); a wrong one is 404
    R("GET", "/calendar/feeds/{token:str}", PUBLIC, obj="token"),
    # --- signed in: yourself ------------------------------------------------------------------
    R("POST", "/logout", ALL, fresh_login=True),
    R("POST", "/api/v1/auth/logout", ALL, fresh_login=True),
    R("GET", "/api/v1/me", ALL),
    R("GET", "/api/v1/session", ALL),
    # a phone's own report of its outbox, kept per (phone, worker): nobody else's to see
    R("PUT", "/api/v1/devices/{device_id:uuid}/outbox", ALL, fill=(("device_id", "3d9b1c52-7a4e-4f0b-9c61-2e8a5d7f0b14"),), body=js({"entries": []})),
    R("GET", "/notifications", ALL),
    R("POST", "/notifications/read", ALL),
    R("POST", "/notifications/{notification_id:int}/open", ALL, obj="notification"),
    # --- cases: lists, search, pages ----------------------------------------------------------
    R("GET", "/", ALL),
    R("GET", "/disputes", ALL, query="q={title}"),
    R("GET", "/api/v1/disputes", ALL, query="q={title}&per_page=100"),
    R("GET", "/api/v1/disputes", ALL, obj="node", query="jurisdiction={node_id}"),
    R("GET", "/api/v1/events", ALL, query="limit=1000"),
    R("GET", "/disputes/export.csv", ALL, query="q={title}"),
    R("GET", "/disputes/export.xlsx", ALL, query="q={title}"),
    R("GET", "/disputes/export.csv", ALL, obj="node", query="jurisdiction={node_id}"),
    R("GET", "/disputes/new", "CTVG"),
    R("POST", "/disputes", "CTVG", body=form(_new_case)),
    R("POST", "/api/v1/disputes", "CTVG", body=js(_new_case)),
    R("GET", "/api/v1/disputes/near", ALL, query="lon={lon}&lat={lat}&radius_m=20000"),
    R("GET", "/near", ALL, query="lon={lon}&lat={lat}"),
    R("GET", "/disputes/{dispute_id:uuid}", ALL, obj="case"),
    R("GET", "/disputes/{dispute_id:uuid}/file", ALL, obj="case"),
    R("GET", "/api/v1/disputes/{dispute_id:uuid}", ALL, obj="case"),
    R("GET", "/api/v1/disputes/{dispute_id:uuid}/events", ALL, obj="case"),
    R("GET", "/api/v1/disputes/{dispute_id:uuid}/duplicates", ALL, obj="case"),
    # a party's full numbers: the holder only (logged)
    R("POST", "/api/v1/disputes/{dispute_id:uuid}/parties/{position:int}/reveal", "V", obj="case"),
    R("POST", "/disputes/{dispute_id:uuid}/parties/{position:int}/reveal", "V", obj="case"),
    # --- case actions: the rules of app/disputes/states.py, on a case in a state that allows
    # the action to someone
    R("POST", ACTIONS + "accept", "V", obj="case@logged", body=action("accept", {"rights_notified": True})),
    R("POST", ACTIONS + "record", "V", obj="case@accepted", body=action("record", {"kind": "visit", "note": "走访双方"})),
    R("POST", ACTIONS + "escalate", "V", obj="case@accepted", body=action("escalate", {"reason": "村级无法化解"})),
    R("POST", ACTIONS + "hand-back", "T", obj="case@escalated", body=action("hand-back", {"to_level": "village", "instructions": "请村里继续调解"})),
    R("POST", ACTIONS + "supervise", "CT", obj="case@logged", body=action("supervise", lambda c: {"instructions": "请尽快受理", "due_on": _future()})),
    R("POST", ACTIONS + "reply", "V", obj="case@supervised", body=action("reply", lambda c: {"reply": "已受理", "supervision_id": c["supervision_id"]})),
    R("POST", ACTIONS + "refer", "V", obj="case@accepted", body=action("refer", {"channel": "court", "reason": "涉及诉讼"})),
    R("POST", ACTIONS + "referral-result", "V", obj="case@referred", body=action("referral-result", {"outcome": "settled", "result": "法院调解结案"})),
    R("POST", ACTIONS + "resolve", "VG", obj="case@logged", body=action("resolve", {"kind": "on_the_spot", "note": "当场化解"})),
    R("POST", ACTIONS + "withdraw", "V", obj="case@logged", body=action("withdraw", {"reason": "当事人撤回"})),
    R("POST", ACTIONS + "follow-up", "VG", obj="case@resolved", body=action("follow-up", {"method": "phone", "honoured": "yes", "satisfaction": 5})),
    R("POST", ACTIONS + "performance", "VG", obj="case@resolved", body=action("performance", {"term": 0, "state": "done"})),
    R("POST", ACTIONS + "close", "V", obj="case@followed", body=action("close", {"override_reason": "当场化解"})),
    R("POST", ACTIONS + "terminate", "C", obj="case@county", body=action("terminate", {"reason": "无法化解"})),
    R("POST", ACTIONS + "reopen", "CTV", obj="case@resolved", body=action("reopen", {"reason": "协议未履行"})),
    R("POST", ACTIONS + "extend", "V", obj="case@accepted", body=action("extend", {"days": 5, "reason": "当事人外出"})),
    # moving: a township or county officer of the case's area (to a grid that is not one: 422)
    R("POST", ACTIONS + "move", "CT", obj="case@logged", body=action("move", {"grid": 2147483646, "reason": "授权表"})),
    R("POST", ACTIONS + "mark-duplicate", "VG", obj="case@logged", body=action("mark-duplicate", lambda c: {"duplicate_of": c["other_id"]})),
    # the case page's forms post every action to one route
    R("POST", "/disputes/{dispute_id:uuid}/actions/{action:str}", "V", obj="case@logged", fill=(("action", "accept"),), body=lambda c, _a: {"data": {"version": str(c["version"]), "rights_notified": "1"}}),
    # --- photos ---------------------------------------------------------------------------------
    # Anyone who can see a case may add a photo to it (app/attachments/services.py), an
    # administrator and a level the case has left included: as built, not yet a decision.
    R("GET", "/api/v1/disputes/{dispute_id:uuid}/photos", ALL, obj="case"),
    # a correction is its author's: the grid worker who logged MINE's case; anyone else 403
    R("POST", "/api/v1/disputes/{dispute_id:uuid}/corrections/{correction_id:uuid}", "G", obj="case", fill=(("correction_id", "5f0c1b2e-8d3a-4c6f-9e21-7a4b3c2d1e0f"),), body=js({"note": "补充更正：双方住址写反了"})),
    R("GET", "/disputes/{dispute_id:uuid}/photos/{photo_id:uuid}", ALL, obj="case"),
    R("GET", "/disputes/{dispute_id:uuid}/photos/{photo_id:uuid}/thumb", ALL, obj="case"),
    R("PUT", "/api/v1/disputes/{dispute_id:uuid}/photos/{photo_id:uuid}", ALL, obj="case", body=lambda c, _a: {"content": c["jpeg"], "headers": {"Content-Type": "image/jpeg"}}),
    R("POST", "/disputes/{dispute_id:uuid}/photos", ALL, obj="case", body=lambda c, _a: {"files": {"photo": ("p.jpg", c["jpeg"], "image/jpeg")}}),
    # --- check-ins and sweeps: grid workers' own duties -----------------------------------------
    R("GET", "/checkins", ALL),
    R("POST", "/checkins", "CTVG", body=form(_checkin)),
    R("POST", "/api/v1/checkins", "CTVG", body=js(_checkin)),
    R("GET", "/sweeps", ALL),
    R("POST", "/sweeps", "G", body=refused_when_allowed("data", _SWEEP_BAD, lambda c: _SWEEP_GOOD)),
    R("POST", "/api/v1/sweeps", "G", body=refused_when_allowed("json", _SWEEP_BAD, lambda c: _SWEEP_GOOD)),
    R("GET", "/api/v1/sweeps/coverage", ALL, obj="node", query="jurisdiction={node_id}"),
    # --- jurisdictions and maps -----------------------------------------------------------------
    R("GET", "/api/v1/jurisdictions", ALL, obj="node", query="parent={node_id}"),
    R("GET", "/api/v1/jurisdictions/locate", ALL, query="lon={lon}&lat={lat}"),
    R("GET", "/api/v1/jurisdictions/{node_id:int}", ALL, obj="node"),
    R("GET", "/map", ALL),
    R("GET", "/api/v1/map/areas", ALL, obj="node", query="node={node_id}"),
    R("GET", "/api/v1/map/cases", ALL, obj="node", query="node={node_id}&status=all"),
    R("GET", "/api/v1/map/hotspots", ALL, obj="node", query="node={node_id}"),
    R("GET", "/api/v1/map/rooms", ALL, obj="node", query="node={node_id}"),
    # --- monitoring -------------------------------------------------------------------------------
    R("GET", "/monitor", ALL, obj="node", query="jurisdiction={node_id}"),
    R("GET", "/monitor/boards", ALL),
    R("GET", "/api/v1/boards", ALL),
    R("GET", "/api/v1/stats", ALL, obj="node", query="jurisdiction={node_id}"),
    R("GET", "/alerts", ALL, query="state=all"),
    R("GET", "/api/v1/alerts", ALL, query="state=all"),
    R("GET", "/alerts/{alert_id:int}", ALL, obj="alert"),
    R("GET", "/api/v1/alerts/{alert_id:int}", ALL, obj="alert"),
    # the level alerted (a township) or above acknowledges
    R("POST", "/alerts/{alert_id:int}/acknowledge", "CT", obj="alert", body=form({"note": "已处置"})),
    R("POST", "/api/v1/alerts/{alert_id:int}/acknowledge", "CT", obj="alert", body=js({"note": "已处置"})),
    R("GET", "/reports", ALL),
    R("GET", "/api/v1/reports", ALL),
    R("GET", "/reports/custom", ALL, query="from=2001-01-01&to=2001-01-31"),
    R("GET", "/reports/custom/export/{fmt:str}", ALL, fill=(("fmt", "csv"),), query="from=2001-01-01&to=2001-01-31"),
    R("GET", "/reports/{report_id:int}", ALL, obj="report"),
    R("GET", "/api/v1/reports/{report_id:int}", ALL, obj="report"),
    R("GET", "/reports/{report_id:int}/export/{fmt:str}", ALL, obj="report", fill=(("fmt", "xlsx"),)),
    # --- sessions, rooms, jurors, calendars ------------------------------------------------------
    R("GET", "/api/v1/rooms", ALL),
    R("GET", "/api/v1/rooms/{room_id:int}/slots", ALL, obj="room", query="date=" + _future(30)),
    R("GET", "/rooms", ALL),
    R("GET", "/rooms/new", "ATV"),
    R("POST", "/rooms", "ATV", body=refused_when_allowed("data", _BAD_ROOM, lambda c: _ROOM)),
    R("GET", "/rooms/{room_id:int}/edit", "AV", obj="room"),
    R("POST", "/rooms/{room_id:int}", "AV", obj="room", body=refused_when_allowed("data", _BAD_ROOM, lambda c: _ROOM)),
    R("GET", "/api/v1/jurors", ALL),
    R("GET", "/jurors", ALL),
    R("GET", "/jurors/new", "ACTV"),
    R("POST", "/jurors", "ACTV", body=refused_when_allowed("data", _BAD_JUROR, lambda c: _JUROR)),
    R("GET", "/jurors/{juror_id:int}/edit", "ACTV", obj="juror"),
    R("POST", "/jurors/{juror_id:int}", "ACTV", obj="juror", body=refused_when_allowed("data", _BAD_JUROR, lambda c: _JUROR)),
    R("GET", "/sessions/new", MEDIATORS, obj="case", query="dispute_id={dispute_id}"),
    R("POST", "/sessions", MEDIATORS, body=lambda c, allowed: {"data": _bad_booking(c) if allowed else _booking(c)}),
    R("POST", "/api/v1/sessions", MEDIATORS, body=lambda c, allowed: {"json": _bad_booking(c) if allowed else _booking(c)}),
    R("GET", "/sessions/{session_id:int}", ALL, obj="session"),
    R("GET", "/api/v1/sessions/{session_id:int}", ALL, obj="session"),
    R("GET", "/sessions/{session_id:int}/agreement", MEDIATORS, obj="session"),
    R("POST", "/sessions/{session_id:int}/actions/{action:str}", MEDIATORS, obj="session", fill=(("action", "cancel"),), body=form({"reason": ""})),
    R("POST", "/api/v1/sessions/{session_id:int}/actions/{action:str}", MEDIATORS, obj="session", fill=(("action", "cancel"),), body=js({"reason": ""})),
    R("GET", "/disputes/{dispute_id:uuid}/sessions", ALL, obj="case"),
    R("GET", "/api/v1/disputes/{dispute_id:uuid}/sessions", ALL, obj="case"),
    R("GET", "/calendar", ALL),
    R("GET", "/calendar/me", ALL),
    R("GET", "/calendar/rooms/{room_id:int}", ALL, obj="room"),
    R("GET", "/calendar/mediators/{user_id:int}", ALL, obj="person"),
    R("POST", "/calendar/feeds", "ACTV", obj="room", body=form(lambda c: {"room_id": str(c["room_id"])})),
    R("POST", "/calendar/feeds/{feed_id:int}/revoke", "V", obj="feed"),
    # --- one's own password, and Web Push devices ------------------------------------------------
    R("GET", "/account", ALL),
    R("POST", "/account/notifications", ALL, body=form({"topics": "my_case"}), ok=frozenset({303})),
    R("GET", "/account/password", ALL),
    R("POST", "/account/password", ALL, body=form(_PASSWORD_MISMATCH), ok=frozenset({422})),
    R("POST", "/api/v1/account/password", ALL, body=js(_PASSWORD_MISMATCH), ok=frozenset({422})),
    R("GET", "/api/v1/push/key", ALL),
    R("POST", "/api/v1/push/subscriptions", ALL, body=js({"endpoint": "not a url", "keys": {}}), ok=frozenset({422})),
    # someone else's device or none: 404 (one's own devices only)
    R("DELETE", "/api/v1/push/subscriptions", ALL, body=js({"endpoint": "https://push.example/none"}), ok=frozenset({404})),
    # --- administration: administrators only, every other role 403 whatever the id ------------
    R("GET", "/admin/users", "A", role_first=True),
    R("GET", "/admin/users/nodes", "A", role_first=True, query="q=村"),
    R("GET", "/admin/users/new", "A", role_first=True),
    R("POST", "/admin/users", "A", role_first=True, body=refused_when_allowed("data", {"username": ""}, lambda c: _NEW_USER)),
    R("GET", "/admin/users/{user_id:int}", "A", role_first=True, obj="account"),
    R("POST", "/admin/users/{user_id:int}", "A", role_first=True, obj="account", body=form({"role": "no-such-role"})),
    R("POST", "/admin/users/{user_id:int}/deactivate", "A", role_first=True, obj="account"),
    R("POST", "/admin/users/{user_id:int}/activate", "A", role_first=True, obj="account"),
    R("POST", "/admin/users/{user_id:int}/reset-password", "A", role_first=True, obj="account"),
    # the audit log: the county's administrator only
    R("GET", "/admin/audit", "A", role_first=True),
    R("GET", "/admin/users/import", "A", role_first=True),
    R("POST", "/admin/users/import", "A", role_first=True, body=form({})),
    R("POST", "/admin/users/import/confirm", "A", role_first=True, body=form({"rows": "[]"})),
    R("GET", "/admin/open311", "A", role_first=True),
    R("POST", "/admin/open311", "A", role_first=True, body=form({"name": "", "account": ""})),
    R("POST", "/admin/open311/{client_id:int}/revoke", "A", obj="open311", role_first=True, body=form({})),
    # Open311 takes its own api_key, never a login: without one every answer is 403
    R("GET", "/open311/v2/services.json", PUBLIC, ok=frozenset({403})),
    R("GET", "/open311/v2/services.xml", PUBLIC, ok=frozenset({403})),
    R("GET", "/open311/v2/requests.json", PUBLIC, ok=frozenset({403})),
    R("GET", "/open311/v2/requests.xml", PUBLIC, ok=frozenset({403})),
    R("GET", "/open311/v2/requests/{request_id:str}", PUBLIC, fill=(("request_id", "BY-1.json"),), ok=frozenset({403})),
    R("POST", "/open311/v2/requests.json", PUBLIC, body=form({"service_code": "debt"}), ok=frozenset({403})),
    R("POST", "/open311/v2/requests.xml", PUBLIC, body=form({"service_code": "debt"}), ok=frozenset({403})),
    R("GET", "/admin/categories", "A", role_first=True),
    R("POST", "/admin/categories", "A", role_first=True, body=refused_when_allowed("data", {"code": ""}, lambda c: {"code": "authz_cat", "name": "授权表", "national": "other"})),
    R("POST", "/admin/categories/{code:str}", "A", role_first=True, fill=(("code", "other"),), body=form({"name": "其他", "national": "nowhere"})),
    R("GET", "/admin/boundaries", "A", role_first=True),
    R("GET", "/admin/boundaries/download", "A", role_first=True),
    R("POST", "/admin/boundaries", "A", role_first=True, body=form({})),
    R("POST", "/admin/boundaries/confirm", "A", role_first=True, body=form({"token": "no-such-upload"})),
    R("GET", "/admin/ledger-import", "AC", role_first=True),
    R("GET", "/admin/ledger-import/template.xlsx", "AC", role_first=True),
    R("POST", "/admin/ledger-import", "AC", role_first=True, body=form({})),
    R("GET", "/admin/ledger-import/{import_id:int}", "AC", obj="ledger_import", role_first=True),
    R("GET", "/admin/ledger-import/{import_id:int}/progress", "AC", obj="ledger_import", role_first=True),
    R("POST", "/admin/ledger-import/{import_id:int}/mapping", "AC", obj="ledger_import", role_first=True, body=form({"col-0": "no-such-field"})),
    R("POST", "/admin/ledger-import/{import_id:int}/start", "AC", obj="ledger_import", role_first=True, body=form({"mode": ""})),
    R("POST", "/admin/ledger-import/{import_id:int}/continue", "AC", obj="ledger_import", role_first=True, body=form({})),
    # the holiday calendar and the time limits: the county's administrator only
    R("GET", "/admin/calendar", "A", role_first=True, query="year=2033"),
    R("POST", "/admin/calendar/{year:int}", "A", role_first=True, fill=(("year", "2033"),), body=refused_when_allowed("data", {"flip": "nope"}, lambda c: {"flip": "2033-01-03"})),
    R("POST", "/admin/calendar/{year:int}/upload", "A", role_first=True, fill=(("year", "2033"),), body=refused_when_allowed("data", {}, lambda c: {"flip": "2033-01-03"})),
    R("GET", "/admin/limits", "A", role_first=True),
    R("POST", "/admin/limits", "A", role_first=True, body=refused_when_allowed("data", {"accept_days": "0"}, lambda c: {"accept_days": "3"})),
]
# fmt: on
