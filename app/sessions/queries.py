"""Read models of sessions. Scoped like their case: out of scope is 404."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from app import clock
from app.auth.actor import Actor
from app.auth.scope import get_or_404, scope_where
from app.disputes.tables import Dispute
from app.disputes.vocabulary import label
from app.sessions.booking import PRIVATE_REASONS
from app.sessions.rooms import iso_local
from app.sessions.states import OUTCOMES, STATUSES, allowed
from app.sessions.tables import MediationSession, SessionParticipant

S = MediationSession
SESSION_COLUMNS = (
    *S.all_columns(),
    S.room.name.as_alias("room_name"),
    S.room.address.as_alias("room_address"),
    S.room.capacity.as_alias("room_capacity"),
    S.dispute.case_no.as_alias("case_no"),
    S.dispute.title.as_alias("case_title"),
    S.dispute.status.as_alias("case_status"),
)


async def participants(session_id: int) -> list[dict]:
    P = SessionParticipant
    return await (
        P.select(
            P.id,
            P.kind,
            P.user,
            P.juror,
            P.party,
            P.name,
            P.flag,
            P.attended,
            P.no_relation_confirmed_at,
            P.no_relation_confirmed_by.display_name.as_alias("confirmed_by_name"),
            P.party.role.as_alias("party_role"),
            P.juror.kind.as_alias("juror_kind"),
        )
        .where(P.session == session_id)
        .order_by(P.id)
    )


def session_json(row: dict, people: list[dict], now: datetime) -> dict[str, Any]:
    seats = row["room_capacity"] - len(people) if row["public"] else 0
    return {
        "id": row["id"],
        "dispute": {
            "id": str(row["dispute"]),
            "case_no": row["case_no"],
            "title": row["case_title"],
            "status": row["case_status"],
        },
        "room": {"id": row["room"], "name": row["room_name"], "address": row["room_address"]},
        "starts_at": iso_local(row["starts_at"]),
        "ends_at": iso_local(row["ends_at"]),
        "status": row["status"],
        "status_label": label(STATUSES, row["status"]),
        "public": row["public"],
        "private_reason": row["private_reason"],
        "private_reason_label": label(PRIVATE_REASONS, row["private_reason"]),
        "private_note": row["private_note"],
        "observer_seats": max(seats, 0),
        "outcome": row["outcome"],
        "outcome_label": label(OUTCOMES, row["outcome"]),
        "minutes": row["minutes"],
        "cancel_reason": row["cancel_reason"],
        "agreement": {
            "facts": row["agreement_facts"],
            "terms": row["agreement_terms"],
            "performance": row["performance"],
            "deadline": row["performance_deadline"].isoformat()
            if row["performance_deadline"]
            else None,
        },
        "mediators": [
            {"id": p["user"], "name": p["name"]} for p in people if p["kind"] == "mediator"
        ],
        "jurors": [
            {
                "id": p["juror"],
                "name": p["name"],
                "kind": p["juror_kind"],
                "flag": p["flag"],
                "no_relation_confirmed_by": p["confirmed_by_name"],
                "no_relation_confirmed_at": iso_local(p["no_relation_confirmed_at"])
                if p["no_relation_confirmed_at"]
                else None,
                "attended": p["attended"],
            }
            for p in people
            if p["kind"] == "juror"
        ],
        "parties": [
            {
                "id": p["party"],
                "name": p["name"],
                "role": p["party_role"],
                "attended": p["attended"],
            }
            for p in people
            if p["kind"] == "party"
        ],
        "replaces": row["replaces"],
        "actions": allowed(row["status"], row["starts_at"], row["ends_at"], now),
    }


async def get_session(actor: Actor, session_id: int) -> dict[str, Any]:
    row = await get_or_404(S, session_id, actor, *SESSION_COLUMNS)
    body = session_json(row, await participants(session_id), clock.now())
    later = await S.select(S.id).where(S.replaces == session_id).first()
    body["replaced_by"] = later["id"] if later else None
    return body


async def history(actor: Actor, session_id: int) -> list[dict]:
    """The session and the ones it replaced, newest first: what rescheduling kept."""
    chain, current = [], session_id
    while current is not None:
        row = await get_or_404(
            S,
            current,
            actor,
            S.id,
            S.starts_at,
            S.ends_at,
            S.status,
            S.replaces,
            S.room.name.as_alias("room_name"),
            S.updated_at,
        )
        chain.append(
            {
                "id": row["id"],
                "starts_at": iso_local(row["starts_at"]),
                "ends_at": iso_local(row["ends_at"]),
                "status": row["status"],
                "status_label": label(STATUSES, row["status"]),
                "room": row["room_name"],
            }
        )
        current = row["replaces"]
    return chain


async def sessions_of_case(actor: Actor, dispute_id: uuid.UUID) -> list[dict]:
    await get_or_404(Dispute, dispute_id, actor, Dispute.id)
    rows = await (
        S.select(
            S.id, S.starts_at, S.ends_at, S.status, S.outcome, S.room.name.as_alias("room_name")
        )
        .where((S.dispute == dispute_id) & scope_where(S, actor))
        .order_by(S.starts_at, ascending=False)
    )
    return [
        {
            "id": r["id"],
            "starts_at": iso_local(r["starts_at"]),
            "ends_at": iso_local(r["ends_at"]),
            "status": r["status"],
            "status_label": label(STATUSES, r["status"]),
            "outcome": r["outcome"],
            "outcome_label": label(OUTCOMES, r["outcome"]),
            "room": r["room_name"],
        }
        for r in rows
    ]
