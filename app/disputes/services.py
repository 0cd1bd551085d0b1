"""The only writers of cases. Each change happens in one transaction with its ledger event."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from litestar.exceptions import PermissionDeniedException

from app import clock, crypto, db
from app.auth import policy
from app.auth.actor import Actor
from app.auth.scope import get_or_404, may_view, scope_where
from app.disputes import deadlines, ledger, notices, numbers
from app.disputes.errors import Conflict, FieldErrors
from app.disputes.tables import CaseEvent, Dispute, Party
from app.disputes.validation import NewDispute, location_source
from app.disputes.vocabulary import GROUP_DISPUTE_PEOPLE
from app.geo.locate import locate_grid, place
from app.i18n import _
from app.jurisdictions import nodes
from app.jurisdictions.tables import Jurisdiction
from app.rules import limits as county_limits
from app.statements import ByShape, PreparedInsert

CHINA = ZoneInfo("Asia/Shanghai")
LOGGING_ROLES = policy.LOGGING_ROLES
# Who holds a newly logged case: a walk-in at the township is the township's from the start.
_INITIAL_LEVEL = {
    "grid_worker": "village",
    "village_mediator": "village",
    "township_officer": "township",
    "county_officer": "county",
}


def content_hash(new: NewDispute) -> str:
    canonical = json.dumps(new.content(), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# a create that lost the race to the same id reads the stored case: made once (app/statements.py)
_STORED = ByShape(
    lambda where: Dispute.select(Dispute.id, Dispute.content_hash).where(where).first()
)


async def _resolve_grid(actor: Actor, new: NewDispute) -> dict:
    """The grid the case belongs to: the one named, else the one under the GPS point, else
    a grid worker's own grid. It must lie inside the actor's area."""
    if new.grid_id is not None:
        grid_id, field = new.grid_id, "grid_id"
    elif new.lon is not None and new.lat is not None:
        grid_id, field = await locate_grid(new.lon, new.lat), "lon"
        if grid_id is None:
            raise FieldErrors({"lon": _("This point lies outside the county.")})
    elif actor.grid_id is not None:
        grid_id, field = actor.grid_id, "grid_id"
    else:
        raise FieldErrors({"grid_id": _("Choose the grid, or give the GPS point.")})
    # from the nodes kept per process (app/jurisdictions/nodes.py): every case logged asks
    kept = await nodes.rows((grid_id,))
    grid = kept.get(grid_id)
    if grid is None or grid["level"] != "grid" or not may_view(actor, grid):
        message = (
            _("This point lies outside your area.")
            if field == "lon"
            else _("Not a grid in your area.")
        )
        raise FieldErrors({field: message})
    # a grid without a boundary (a tree imported without its map) cannot judge a point
    if field == "grid_id" and new.lon is not None and new.lat is not None and grid["has_boundary"]:
        await _point_in_grid(actor, grid_id, new.lon, new.lat)
    county = await nodes.row(grid["county"])
    assert county is not None  # a grid's county is a node like it
    return {**grid, "county_code": county["code"], "county_abbr": county["abbr"]}


async def _point_in_grid(actor: Actor, grid_id: int, lon: float, lat: float) -> None:
    """A GPS point sent with a grid must lie in that grid: maps, "near me" and hotspots place
    the case by its point, queues and figures by its grid. When the point is in another grid
    of the actor's area, that grid goes with the refusal (`located_grid`) so the form can
    offer it in one tap."""
    found = await place(lon, lat)
    if found is None:
        message = _("This point lies outside the county.")
        raise FieldErrors({"lon": message, "lat": message})
    if found["id"] == grid_id:
        return
    located = None
    if found["level"] == "grid":
        located = (
            await Jurisdiction.select(
                Jurisdiction.id,
                Jurisdiction.name,
                Jurisdiction.village.name.as_alias("village_name"),
            )
            .where((Jurisdiction.id == found["id"]) & scope_where(Jurisdiction, actor))
            .first()
        )
    if located is None:
        message = _("This point lies outside your area, not in the grid chosen.")
        raise FieldErrors({"lon": message, "lat": message})
    where = f"{located['village_name']} · {located['name']}"
    message = _(
        "This point lies in %(grid)s, not in the grid chosen. Choose that grid, or check the point.",
        grid=where,
    )
    raise FieldErrors(
        {"lon": message, "lat": message},
        extra={"located_grid": {"id": located["id"], "name": where}},
    )


def _case_no(grid: dict, year: int, number: int) -> str:
    prefix = grid["county_abbr"] or grid["county_code"]
    return f"{prefix}-{year}-{number:06d}"


# a case row's forty columns, made into SQL once (app/statements.py)
_INSERT_CASE = PreparedInsert(Dispute)


class Logged(NamedTuple):
    id: uuid.UUID
    created: bool  # False: the same case sent again (a replay)
    # the case's row as written, with its parties (None for a replay): what the answer shows,
    # without reading it back (app/disputes/queries.py, get_dispute)
    row: dict[str, Any] | None = None


async def create_dispute(
    actor: Actor, new: NewDispute, now: datetime | None = None, level: str | None = None
) -> Logged:
    """Log a case. The same id with the same content is the same case (created=False); the
    same id with other content is a Conflict. A group dispute or a high-risk case is reported
    to the township at once."""
    policy.require(actor, "log_case")
    digest = content_hash(new)
    dispute_id = new.id or uuid.uuid4()
    grid = await _resolve_grid(actor, new)
    now = now or clock.now()
    # `level`: where a report from elsewhere starts (Open311: the village, like a patrol's)
    level = level or _INITIAL_LEVEL[actor.role]
    # the case runs under the county's limits in force today (app/rules/limits.py); reading
    # them brings the holiday calendar the deadline is counted on up to date
    limits_version, rules = await county_limits.in_force(grid["county"])
    due = deadlines.accept_due(now, county_limits.to_limits(rules, new.category))
    year = now.astimezone(CHINA).year
    counter = numbers.key(grid["county_code"], year)
    await numbers.ensure(counter)
    try:
        async with db.transaction(by_key=True, lock=numbers.creating(dispute_id)):
            # the number is claimed without holding anything other creates wait for
            stored, number = await numbers.claim_unless_stored(counter, dispute_id)
            if stored is not None:
                _same_content(stored, digest)
                return Logged(dispute_id, False)
            assert number is not None
            case_no = _case_no(grid, year, number)
            written = await _INSERT_CASE.run(
                id=dispute_id,
                case_no=case_no,
                category=new.category,
                title=new.title,
                description=new.description,
                occurred_at=new.occurred_at,
                captured_at=new.captured_at,
                source=new.source,
                lon=new.lon,
                lat=new.lat,
                gps_accuracy_m=new.gps_accuracy_m,
                location_source=location_source(new.lon, new.gps_accuracy_m, new.location_source),
                county=grid["county"],
                township=grid["township"],
                village=grid["village"],
                grid=grid["id"],
                people_involved=new.people_involved,
                risk_level=new.risk_level,
                status="logged",
                level=level,
                holder=grid[level],
                due_at=due,
                due_from=now,
                due_kind="accept",
                limits_version=limits_version,
                version=1,
                content_hash=digest,
                created_by=actor.id,
                created_at=now,
                updated_at=now,
            )
            parties = [
                {
                    "role": p.role,
                    "name": p.name,
                    "phone": crypto.encrypt(p.phone),
                    "id_number": crypto.encrypt(p.id_number),
                    "address": p.address,
                    "position": i,
                }
                for i, p in enumerate(new.parties)
            ]
            if parties:
                await Party.insert(*[Party(dispute=dispute_id, **p) for p in parties])
            await ledger.append(
                dispute_id,
                "logged",
                now,
                actor=actor.id,
                level=actor.level,
                to_status="logged",
                # the time of logging is the phone's; the ledger's own time (and
                # the deadline) is the server's receipt
                data={"source": new.source, "due_at": due, "captured_at": new.captured_at},
            )
            await _alert_township(dispute_id, case_no, new, grid, now)
            placed = {
                "id": dispute_id,
                "case_no": case_no,
                "title": new.title,
                **{p: grid[p] for p in ("county", "township", "village")},
                "grid": grid["id"],
            }
            # routine work: the level that must accept it hears of it (not whoever logged it)
            await notices.tell("to_accept", placed, [grid[level]], now, "logged", actor=actor.id)
    except Exception as exc:
        # Another request with the same id won the race: answer as a replay.
        if db.is_unique_violation(exc) and (existing := await _replay(dispute_id, digest)):
            return Logged(existing, False)
        raise
    return Logged(dispute_id, True, {**written, "_parties": parties})


async def _alert_township(
    dispute_id: uuid.UUID, case_no: str, new: NewDispute, grid: dict, now: datetime
) -> None:
    if new.people_involved >= GROUP_DISPUTE_PEOPLE:
        kind = "group_dispute"
    elif new.risk_level == "high":
        kind = "high_risk"
    else:
        return
    case = {
        "id": dispute_id,
        "case_no": case_no,
        "title": new.title,
        "people_involved": new.people_involved,
    }
    await notices.tell(kind, case, [grid["township"]], now, occasion="logged")


async def _replay(dispute_id: uuid.UUID, digest: str) -> uuid.UUID | None:
    row = await _STORED.run(Dispute.id == dispute_id)
    if row is None:
        return None
    _same_content(row["content_hash"], digest)
    return row["id"]


def _same_content(stored: str, digest: str) -> None:
    if stored != digest:
        raise Conflict(_("A different case was already logged with this id."))


CORRECTION_MAX = 2000


def refuse_unless_author(actor: Actor, case: dict) -> None:
    """403 for anyone but who logged the case (only they add corrections)."""
    if case["created_by"] != actor.id:
        raise PermissionDeniedException(_("Only who logged the case may add a correction."))


async def add_correction(
    actor: Actor, dispute_id: uuid.UUID, correction_id: uuid.UUID, note: str
) -> bool:
    """A correction (补充更正) by the case's author to what they logged: a ledger event, the case
    itself unchanged. `correction_id` is the phone's UUID for it: posting it again is safe
    (returns False), the same id with another text is a Conflict. 404 out of scope, 403 for
    anyone but the author."""
    row = await get_or_404(Dispute, dispute_id, actor, Dispute.id, Dispute.created_by)
    refuse_unless_author(actor, row)
    note = (note or "").strip()
    if not note:
        raise FieldErrors({"note": _("Write the correction.")})
    if len(note) > CORRECTION_MAX:
        raise FieldErrors({"note": _("At most %(n)s characters.", n=CORRECTION_MAX)})
    async with db.transaction():
        # a write first: the case's row is locked (SQLite: the database), so two sends of one
        # correction at once are answered one after the other, the second as a replay
        await Dispute.update({Dispute.version: Dispute.version + 0}).where(Dispute.id == dispute_id)
        for earlier in await CaseEvent.select(CaseEvent.note, CaseEvent.data).where(
            (CaseEvent.dispute == dispute_id) & (CaseEvent.kind == "corrected")
        ):
            if ledger.decode(earlier).get("correction_id") == str(correction_id):
                if earlier["note"] != note:
                    raise Conflict(_("A different correction was already sent with this id."))
                return False
        await ledger.append(
            dispute_id,
            "corrected",
            clock.now(),
            actor=actor.id,
            level=actor.level,
            note=note,
            data={"correction_id": correction_id},
        )
    return True
