"""iCalendar feeds (RFC 5545) of a room or a mediator, so sessions appear in the phone's own
calendar.

The feed's address carries a random token (256 bits) and is the only key: calendar apps
cannot sign in. Only the token's SHA-256 is stored, the address is shown once when it is made,
and revoking it ends it at once. What a feed says leaves our servers for whatever calendar
service the phone syncs with, so it names the case by number and category only, never the
parties.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.exceptions import PermissionDeniedException

from app import clock
from app.auth import policy
from app.auth.actor import MEDIATING_ROLES, Actor
from app.disputes.vocabulary import CATEGORIES, label
from app.i18n import _
from app.sessions.rooms import get_room
from app.sessions.states import STATUSES
from app.sessions.tables import CalendarFeed, MediationSession, Room, SessionParticipant

PAST, AHEAD = timedelta(days=60), timedelta(days=400)
S = MediationSession


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_feed(
    actor: Actor, room_id: int | None = None, mediator_id: int | None = None
) -> str:
    """A new private address; returns the token (shown once, never stored)."""
    if room_id is not None:
        await get_room(actor, room_id)  # 404 out of scope, before who is asking
    policy.require(actor, "subscribe_calendar")
    if room_id is None and (mediator_id != actor.id or actor.role not in MEDIATING_ROLES):
        raise PermissionDeniedException(_("You may subscribe to your own calendar only."))
    token = secrets.token_urlsafe(32)
    await CalendarFeed.insert(
        CalendarFeed(
            token_hash=token_hash(token),
            room=room_id,
            mediator=None if room_id is not None else mediator_id,
            created_by=actor.id,
        )
    )
    return token


async def my_feeds(actor: Actor) -> list[dict]:
    F = CalendarFeed
    return await (
        F.select(
            F.id,
            F.created_at,
            F.last_used_at,
            F.room,
            F.room.name.as_alias("room_name"),
            F.mediator.display_name.as_alias("mediator_name"),
        )
        .where((F.created_by == actor.id) & F.revoked_at.is_null())
        .order_by(F.created_at, ascending=False)
    )


async def revoke(actor: Actor, feed_id: int) -> bool:
    F = CalendarFeed
    done = await (
        F.update({F.revoked_at: clock.now()})
        .where((F.id == feed_id) & (F.created_by == actor.id) & F.revoked_at.is_null())
        .returning(F.id)
    )
    return bool(done)


async def revoke_all_of(user_id: int) -> int:
    """Revoke every feed a user made, and every feed of their own calendar (their account is
    being deactivated: a calendar app must not keep reading their sessions). Returns how many."""
    F = CalendarFeed
    done = await (
        F.update({F.revoked_at: clock.now()})
        .where(((F.created_by == user_id) | (F.mediator == user_id)) & F.revoked_at.is_null())
        .returning(F.id)
    )
    return len(done)


async def feed(token: str, base_url: str) -> tuple[str, str] | None:
    """(file name, iCalendar text) for a live token, or None. A feed whose maker's account is
    deactivated answers nothing either (its revocation is the rule; this is the backstop)."""
    F = CalendarFeed
    row = await (
        F.select(F.id, F.room, F.mediator, F.mediator.display_name.as_alias("mediator_name"))
        .where(
            (F.token_hash == token_hash(token))
            & F.revoked_at.is_null()
            & (F.created_by.active == True)  # noqa: E712
        )
        .first()
    )
    if row is None:
        return None
    now = clock.now()
    await F.update({F.last_used_at: now}).where(F.id == row["id"])
    window = (S.starts_at < now + AHEAD) & (S.ends_at > now - PAST) & (S.status != "rescheduled")
    if row["room"] is not None:
        room = await Room.select(Room.name).where(Room.id == row["room"]).first()
        name, where = _("%(room)s sessions", room=room["name"]), S.room == row["room"]
    else:
        name = _("Sessions of %(name)s", name=row["mediator_name"])
        P = SessionParticipant
        mine = P.select(P.session).where((P.kind == "mediator") & (P.user == row["mediator"]))
        ids = [r["session"] for r in await mine]
        # a mediator with no sessions yet has an empty feed (is_in refuses an empty list)
        where = S.id.is_in(ids) if ids else S.id.is_null()
    events = (
        await S.select(
            S.id,
            S.starts_at,
            S.ends_at,
            S.status,
            S.public,
            S.created_at,
            S.updated_at,
            S.room.name.as_alias("room_name"),
            S.room.address.as_alias("room_address"),
            S.dispute.case_no.as_alias("case_no"),
            S.dispute.category.as_alias("category"),
        )
        .where(where & window)
        .order_by(S.starts_at)
    )
    return f"pingli-{row['id']}.ics", render_calendar(name, events, now, base_url.rstrip("/"))


# ----- RFC 5545 ---------------------------------------------------------------------------


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space, never splitting
    a UTF-8 character (Chinese text is three octets a character)."""
    out, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode())
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += width
    out.append(current)
    return out


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(e: dict[str, Any], now: datetime, base_url: str) -> list[str]:
    summary = _(
        "Reasoning session %(case_no)s · %(category)s",
        case_no=e["case_no"],
        category=label(CATEGORIES, e["category"]),
    )
    description = "\n".join(
        [
            label(STATUSES, e["status"]),
            _("Public session") if e["public"] else _("Private session"),
            f"{base_url}/sessions/{e['id']}",
        ]
    )
    return [
        "BEGIN:VEVENT",
        f"UID:session-{e['id']}@pingli",
        f"DTSTAMP:{_utc(now)}",
        f"CREATED:{_utc(e['created_at'])}",
        f"LAST-MODIFIED:{_utc(e['updated_at'])}",
        f"DTSTART:{_utc(e['starts_at'])}",
        f"DTEND:{_utc(e['ends_at'])}",
        f"SUMMARY:{_escape(summary)}",
        f"LOCATION:{_escape(' '.join(x for x in (e['room_name'], e['room_address']) if x))}",
        f"DESCRIPTION:{_escape(description)}",
        f"URL:{base_url}/sessions/{e['id']}",
        f"STATUS:{'CANCELLED' if e['status'] == 'cancelled' else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]


def render_calendar(name: str, events: list[dict], now: datetime, base_url: str) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Pingli//Reasoning sessions//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for e in events:
        lines += _event(e, now, base_url)
    lines.append("END:VCALENDAR")
    return "".join(folded + "\r\n" for line in lines for folded in _fold(line))
