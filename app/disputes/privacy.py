"""Personal data of parties: masked for lists and for everyone but the case's holders, who
may reveal a party's numbers; every reveal is written to the audit log (PIPL: who looked,
at what, when, from where). The numbers are stored encrypted (app/crypto.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from litestar.exceptions import NotFoundException, PermissionDeniedException

from app import crypto
from app.audit import log as audit
from app.auth.actor import Actor
from app.auth.scope import get_or_404
from app.disputes import states
from app.disputes.tables import Dispute, Party
from app.i18n import _


def mask_phone(phone: str | None) -> str:
    """138****5678 of a phone, plaintext or as stored (encrypted)."""
    phone = crypto.decrypt(phone)
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    return digits[:3] + "*" * max(len(digits) - 7, 1) + digits[-4:]


def mask_id_number(value: str | None) -> str:
    value = crypto.decrypt(value)
    if not value:
        return ""
    v = value.strip()
    if len(v) <= 8:
        return "*" * len(v)
    return v[:4] + "*" * (len(v) - 8) + v[-4:]


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


async def reveal(
    actor: Actor, dispute_id: uuid.UUID, position: int, now: datetime, origin: audit.Origin
) -> dict:
    """A party's full phone and ID number, for a holder of the case; logged."""
    case = await get_or_404(Dispute, dispute_id, actor, Dispute.id, Dispute.holder, Dispute.county)
    if not states.holds(actor, case["holder"]):
        raise PermissionDeniedException(
            _("Only those handling this case may see full phone and ID numbers.")
        )
    party = (
        await Party.select()
        .where((Party.dispute == dispute_id) & (Party.position == position))
        .first()
    )
    if party is None:
        raise NotFoundException(_("Not found."))
    shown = [name for name in ("phone", "id_number") if party[name]]
    if shown:
        await audit.record(
            actor, "reveal", case["county"], ",".join(shown), origin, dispute_id, party["id"], now
        )
    return {
        "position": party["position"],
        "role": party["role"],
        "name": party["name"],
        "phone": crypto.decrypt(party["phone"]),
        "id_number": crypto.decrypt(party["id_number"]),
    }
