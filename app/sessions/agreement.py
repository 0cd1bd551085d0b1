"""The people's mediation agreement (人民调解协议书) of a held session that reached one.

It carries the standard sections: the committee and the agreement's number; the parties with
their particulars; the facts and the matters in dispute; the agreed terms; how and by when
they are performed; the copies clause; signatures of the parties and the mediator; the seal
area of the committee. It is a legal paper signed by the parties, so it shows their
particulars whole to those handling the case, and writes that view to the audit log; other
mediators in scope see the numbers masked.
"""

from __future__ import annotations

from typing import Any

from litestar.exceptions import PermissionDeniedException

from app import crypto
from app.audit import log as audit
from app.auth import policy
from app.auth.actor import Actor
from app.auth.scope import get_or_404
from app.disputes import privacy, states
from app.disputes.errors import Conflict
from app.disputes.tables import Dispute, Party
from app.disputes.vocabulary import PARTY_ROLES, label
from app.i18n import _
from app.sessions.rooms import CHINA
from app.sessions.tables import MediationSession, SessionParticipant

S = MediationSession


def agreement_number(case_no: str) -> str:
    """BY-2026-000123 → （2026）BY调字第000123号: the committee's register number."""
    parts = case_no.split("-")
    if len(parts) == 3:
        prefix, year, seq = parts
        return _("(%(year)s) %(prefix)s mediation No. %(seq)s", year=year, prefix=prefix, seq=seq)
    return case_no


async def agreement(actor: Actor, session_id: int, origin: audit.Origin) -> dict[str, Any]:
    # out of the area is 404 before anything else, like any id (app/auth/scope.py)
    row = await get_or_404(
        S,
        session_id,
        actor,
        *S.all_columns(),
        S.room.name.as_alias("room_name"),
        S.dispute.case_no.as_alias("case_no"),
        S.dispute.title.as_alias("case_title"),
        S.dispute.level.as_alias("case_level"),
        S.dispute.holder.as_alias("case_holder"),
        S.dispute.county.as_alias("case_county"),
    )
    if not policy.may(actor, "manage_sessions"):
        raise PermissionDeniedException(_("Only mediators print agreements."))
    if row["status"] != "held" or row["outcome"] != "agreement":
        raise Conflict(_("This session did not end in an agreement."))
    case = (
        await Dispute.select(
            Dispute.county.name.as_alias("county"),
            Dispute.township.name.as_alias("township"),
            Dispute.village.name.as_alias("village"),
        )
        .where(Dispute.id == row["dispute"])
        .first()
    )
    P = SessionParticipant
    people = (
        await P.select(P.kind, P.party, P.name, P.attended)
        .where(P.session == session_id)
        .order_by(P.id)
    )
    invited = [p["party"] for p in people if p["kind"] == "party"]
    party_rows = (
        await Party.select().where(Party.dispute == row["dispute"]).order_by(Party.position)
    )
    if invited:
        party_rows = [p for p in party_rows if p["id"] in invited]
    whole = states.holds(actor, row["case_holder"])
    shown = {n for p in party_rows for n in ("phone", "id_number") if p[n]}
    if whole and shown:
        await audit.record(
            actor,
            "agreement",
            row["case_county"],
            ",".join(sorted(shown)) + f" (session {session_id})",
            origin,
            dispute=row["dispute"],
        )
    phone, id_number = (
        (crypto.decrypt, crypto.decrypt) if whole else (privacy.mask_phone, privacy.mask_id_number)
    )
    committee_place = case[row["case_level"]] if row["case_level"] in case else case["village"]
    signed_on = (row["recorded_at"] or row["ends_at"]).astimezone(CHINA).date()
    return {
        "session": row,
        "committee": _("%(place)s People's Mediation Committee", place=committee_place),
        "number": agreement_number(row["case_no"]),
        "parties": [
            {
                "role": label(PARTY_ROLES, p["role"]),
                "name": p["name"],
                "phone": phone(p["phone"]) or "",
                "id_number": id_number(p["id_number"]) or "",
                "address": p["address"] or "",
            }
            for p in party_rows
        ],
        "mediators": [p["name"] for p in people if p["kind"] == "mediator"],
        "jurors": [p["name"] for p in people if p["kind"] == "juror" and p["attended"]],
        "facts": row["agreement_facts"],
        "terms": row["agreement_terms"],
        "performance": row["performance"],
        "deadline": row["performance_deadline"],
        "copies": len(party_rows) + 1,
        "signed_on": signed_on,
        "place": row["room_name"],
    }
