"""The juror pools (评理员) of villages and townships, and the relation check for a case.

Jurors are people, not logins. A pool belongs to a village or a township; whoever mediates at
that node or above keeps it. When jurors are chosen for a case the mediator confirms, for
each, that they are not related to or in business with a party; a juror who shares a surname
and the village with a party is flagged, because in a village that often means a clan tie.
"""

from __future__ import annotations

from typing import Any

from litestar.exceptions import PermissionDeniedException

from app import crypto, db
from app.audit import log as audit
from app.auth import policy
from app.auth.actor import Actor
from app.auth.scope import get_or_404, scope_where
from app.disputes.errors import FieldErrors
from app.disputes.privacy import mask_phone
from app.disputes.vocabulary import label
from app.i18n import N_, _
from app.jurisdictions.tables import Jurisdiction
from app.sessions import listing
from app.sessions.tables import Juror

JUROR_KINDS: dict[str, str] = {
    "party_member": N_("Old party member"),
    "retired_cadre": N_("Retired cadre"),
    "deputy": N_("People's congress deputy"),
    "legal_adviser": N_("Lawyer or legal adviser"),
    "legal_literate": N_("Legal-literate villager"),
    "teacher": N_("Teacher"),
    "other": N_("Other"),
}

# Two-character surnames still met in the countryside; everything else is one character.
_COMPOUND = (
    "欧阳司马诸葛上官司徒东方皇甫尉迟公孙慕容长孙宇文夏侯轩辕令狐"
    "钟离端木百里呼延澹台万俟闻人南宫西门独孤申屠太史公冶赫连左丘"
)
COMPOUND_SURNAMES = frozenset(_COMPOUND[i : i + 2] for i in range(0, len(_COMPOUND), 2))

JUROR_COLUMNS = (
    Juror.id,
    Juror.name,
    Juror.phone,
    Juror.kind,
    Juror.note,
    Juror.active,
    Juror.jurisdiction,
    Juror.village,
    Juror.jurisdiction.name.as_alias("pool_name"),
)


def surname(name: str) -> str:
    name = name.strip()
    return name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]


def relation_flag(juror: dict, case_village: int, parties: list[dict]) -> str:
    """Why this juror needs a careful relation check for this case, or "" when nothing stands
    out. Only a shared surname in the same village is flagged: elsewhere it means little."""
    if juror.get("village") != case_village:
        return ""
    family = surname(juror["name"])
    same = [p["name"] for p in parties if family and surname(p["name"]) == family]
    if not same:
        return ""
    return _(
        "Shares the surname %(surname)s and the village with %(parties)s.",
        surname=family,
        parties="、".join(same),
    )


async def list_jurors(actor: Actor, active_only: bool = True) -> list[dict]:
    where = scope_where(Juror, actor)
    if active_only:
        where &= Juror.active == True  # noqa: E712 (a Piccolo expression)
    return (
        await Juror.select(*JUROR_COLUMNS)
        .where(where)
        .order_by(Juror.jurisdiction)
        .order_by(Juror.name)
    )


async def search_jurors(actor: Actor, f: listing.Filters) -> tuple[list[dict], bool]:
    """A page of the jurors of the actor's area matching the filters; and whether more follow."""
    where = listing.where(Juror, actor, f, (Juror.name, Juror.note, Juror.jurisdiction.name))
    rows = await (
        Juror.select(*JUROR_COLUMNS)
        .where(where)
        .order_by(Juror.jurisdiction)
        .order_by(Juror.name)
        .order_by(Juror.id)
        .offset((f.page - 1) * listing.PER_PAGE)
        .limit(listing.PER_PAGE + 1)
    )
    return rows[: listing.PER_PAGE], len(rows) > listing.PER_PAGE


async def get_juror(actor: Actor, juror_id: int) -> dict:
    return await get_or_404(Juror, juror_id, actor, *JUROR_COLUMNS)


def juror_json(row: dict, flag: str = "") -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "phone": mask_phone(row["phone"]),
        "kind": row["kind"],
        "kind_label": label(JUROR_KINDS, row["kind"]),
        "pool": {"id": row["jurisdiction"], "name": row.get("pool_name")},
        "active": row["active"],
        "flag": flag,
    }


# ----- management -------------------------------------------------------------------------


def may_manage(actor: Actor) -> bool:
    return policy.may(actor, "keep_jurors")


async def pool_choices(actor: Actor) -> list[dict]:
    """The villages and townships in the actor's scope whose pools they may keep."""
    if not may_manage(actor):
        return []
    return await (
        Jurisdiction.select(Jurisdiction.id, Jurisdiction.name, Jurisdiction.level)
        .where(Jurisdiction.level.is_in(["township", "village"]) & scope_where(Jurisdiction, actor))
        .order_by(Jurisdiction.code)
    )


def parse_juror(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = _("This field is required.")
    elif len(name) > 100:
        errors["name"] = _("At most %(n)s characters.", n=100)
    kind = str(data.get("kind") or "")
    if kind not in JUROR_KINDS:
        errors["kind"] = _("Choose a kind.")
    phone = str(data.get("phone") or "").strip() or None
    if phone and (len(phone) > 32 or not all(c.isdigit() or c in "+- " for c in phone)):
        errors["phone"] = _("A phone number has digits only.")
    note = str(data.get("note") or "").strip()
    if len(note) > 200:
        errors["note"] = _("At most %(n)s characters.", n=200)
    if errors:
        raise FieldErrors(errors)
    return {
        "name": name,
        "kind": kind,
        "phone": phone,
        "note": note,
        "active": str(data.get("active", "1")).lower() in ("1", "true", "on"),
    }


def _audited(juror: dict[str, Any]) -> dict[str, Any]:
    return {k: juror.get(k) for k in ("name", "kind", "phone", "note", "active") if k in juror}


async def create_juror(
    actor: Actor,
    pool_id: int | None,
    fields: dict[str, Any],
    origin: audit.Origin | None = None,
) -> int:
    pools = {p["id"]: p for p in await pool_choices(actor)}
    if not pools:
        raise PermissionDeniedException(_("You may not keep a juror pool."))
    if pool_id is None and actor.jurisdiction_id in pools:
        pool_id = actor.jurisdiction_id
    if pool_id not in pools:
        raise FieldErrors({"jurisdiction": _("Choose a village or township in your area.")})
    node = await Jurisdiction.select().where(Jurisdiction.id == pool_id).first()
    async with db.transaction():
        rows = await Juror.insert(
            Juror(
                **{**fields, "phone": crypto.encrypt(fields["phone"])},
                jurisdiction=pool_id,
                county=node["county"],
                township=node["township"],
                village=node["village"],
            )
        ).returning(Juror.id)
        await audit.record_change(
            actor,
            "juror",
            f"create juror {rows[0]['id']} of {node['code']}",
            origin,
            None,
            _audited(fields),
            action="create_juror",
            params={"name": fields.get("name") or rows[0]["id"]},
        )
    return rows[0]["id"]


async def update_juror(
    actor: Actor, juror_id: int, fields: dict[str, Any], origin: audit.Origin | None = None
) -> None:
    juror = await get_juror(actor, juror_id)
    if not may_manage(actor):
        raise PermissionDeniedException(_("You may not keep a juror pool."))
    # The edit form shows the phone masked and empty: left empty, the number stays as it was.
    if fields.get("phone"):
        fields = {**fields, "phone": crypto.encrypt(fields["phone"])}
    else:
        fields = {k: v for k, v in fields.items() if k != "phone"}
    async with db.transaction():
        await Juror.update(fields).where(Juror.id == juror_id)
        before, after = _audited(juror), _audited(fields)
        if "phone" in after and crypto.decrypt(juror["phone"]) == crypto.decrypt(after["phone"]):
            after["phone"] = before["phone"]  # the same number typed again: no change
        verb = "deactivate" if juror["active"] and not fields.get("active", True) else "change"
        await audit.record_change(
            actor,
            "juror",
            f"{verb} juror {juror_id}",
            origin,
            before,
            after,
            action=f"{verb}_juror",
            params={"name": fields.get("name") or juror["name"]},
        )
