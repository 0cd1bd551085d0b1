"""Early warning: rules that raise an alert to the level that must act, once each.

Per case, while it is open: a group dispute (five or more people) goes to its township; a
high-risk case to the county; a repeat case (app/monitoring/repeats.py) to its township; a case
that has moved between levels more than twice (escalated, handed back, escalated again...) to
the county. Per place: a spatial-temporal cluster, three or more cases within 500 m in 30 days
(the hotspots of app/geo, with at least one case still open), to the township when they all lie
in one, else to the county; a cluster that grows adds its new cases to the alert it already has.

An alert is stored once (its dedupe key names the rule and the case or cluster), its target's
staff are told through the outbox once, and it stays on the list until someone at its level or
above acknowledges it with a note. Notes are appended, never edited: who, when, what.

`run_rules` is the scheduler's job: it brings the facts up to date, claims the cases whose
facts changed since the last run (a conditional update), and looks at those; then the clusters.
Running it twice raises nothing twice.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from litestar.exceptions import PermissionDeniedException

from app import clock, db
from app.auth import policy
from app.auth.actor import Actor
from app.auth.scope import get_or_404, may_view, scope_key, scope_where
from app.disputes.errors import FieldErrors
from app.disputes.tables import Dispute
from app.disputes.vocabulary import GROUP_DISPUTE_PEOPLE, OPEN_STATUSES
from app.geo import hotspots
from app.geo.backend import CaseFilter, current
from app.i18n import N_, _
from app.i18n import gettext as translate  # msgids held in RULES, marked with N_
from app.jurisdictions.tables import LEVELS, Jurisdiction
from app.monitoring import areas, facts
from app.monitoring.tables import Alert, AlertCase, AlertNote, CaseFact
from app.notify.outbox import Notice, send, staff_reach
from app.statements import ByShape

MOVES_ALLOWED = 2  # level changes a case may make before it is "bouncing"
CLAIM = 1000
PER_PAGE = 50


@dataclass(frozen=True)
class Rule:
    label: str
    message: str
    target: str  # the level alerted


RULES: dict[str, Rule] = {
    "group": Rule(
        N_("Group dispute"),
        N_("Group dispute: %(case_no)s “%(title)s”, %(people)s people involved."),
        "township",
    ),
    "high_risk": Rule(
        N_("High-risk case"), N_("High-risk case: %(case_no)s “%(title)s”."), "county"
    ),
    "repeat": Rule(
        N_("Repeat case"),
        N_("Repeat case: %(case_no)s “%(title)s” comes back after %(earlier)s."),
        "township",
    ),
    "bouncing": Rule(
        N_("Bouncing between levels"),
        N_("Case %(case_no)s “%(title)s” has moved between levels %(moves)s times."),
        "county",
    ),
    "cluster": Rule(
        N_("Cluster of cases"),
        N_("%(count)s cases within %(radius)s m in %(days)s days, around %(place)s."),
        "township",
    ),
}


# A repeat whose earlier case the reader may not see: neither its number nor its title is named
# (the match on name and phone is county-wide; a grid worker must not learn that a person has a
# case in another township, nor its number).
REPEAT_ELSEWHERE = N_("Repeat case: %(case_no)s “%(title)s” repeats a case outside your area.")


def _sees_earlier(reader: Actor | dict | None, params: dict) -> bool:
    """Whether the reader (a user, or the node an alert's notice goes to) may see the earlier
    case of a repeat. `None` is the system itself."""
    if reader is None:
        return True
    area = params.get("earlier_area")
    if not area:  # raised before the earlier case's place was kept: name nothing
        return False
    if isinstance(reader, Actor):
        return may_view(reader, area)
    return area.get(reader["level"]) == reader["id"]


def _message(kind: str, params: dict, reader: Actor | dict | None) -> tuple[str, dict]:
    """The message id and its parameters as `reader` may read them."""
    if kind == "repeat" and not _sees_earlier(reader, params):
        return REPEAT_ELSEWHERE, {"case_no": params["case_no"], "title": params["title"]}
    shown = {k: v for k, v in params.items() if k != "earlier_area"}
    return RULES[kind].message, shown


def text(alert: dict, reader: Actor | None = None) -> str:
    message, params = _message(alert["kind"], json.loads(alert["params"] or "{}"), reader)
    return translate(message, **params)


def case_rules(fact: dict) -> list[str]:
    """The per-case rules a case's facts trip (pure)."""
    if fact["status"] not in OPEN_STATUSES:
        return []
    found = []
    if fact["people_involved"] >= GROUP_DISPUTE_PEOPLE:
        found.append("group")
    if fact["risk_level"] == "high":
        found.append("high_risk")
    if fact["repeat_of"] is not None:
        found.append("repeat")
    if fact["escalations"] + fact["hand_backs"] > MOVES_ALLOWED:
        found.append("bouncing")
    return found


async def _raise(specs: list[dict], now: datetime) -> int:
    """Store the alerts not stored yet, link their cases, tell their targets' staff."""
    raised = 0
    for spec in specs:
        rows = await (
            Alert.insert(
                Alert(
                    kind=spec["kind"],
                    dedupe_key=spec["dedupe"],
                    dispute=spec.get("dispute"),
                    target=spec["target"],
                    target_level=spec["target_level"],
                    params=json.dumps(spec["params"], ensure_ascii=False),
                    raised_at=now,
                    **spec["place"],
                )
            )
            .on_conflict(target=Alert.dedupe_key, action="DO NOTHING")
            .returning(Alert.id)
        )
        if not rows:
            continue
        alert_id = rows[0]["id"]
        await AlertCase.insert(*[AlertCase(alert=alert_id, dispute=d) for d in spec["cases"]])
        # the notice (in-app and push alike) goes to the staff at the target node: it names
        # what that node may see
        message, params = _message(
            spec["kind"],
            spec["params"],
            {"level": spec["target_level"], "id": spec["target"]},
        )
        notice = Notice(
            kind=f"alert_{spec['kind']}",
            message=message,
            link=f"/alerts/{alert_id}",
            dedupe=f"alert:{alert_id}",
            params=params,
        )
        reach = await staff_reach([spec["target"]])
        await send(notice, reach.ids, now, reach)
        raised += 1
    return raised


_PLACE = (Dispute.county, Dispute.township, Dispute.village, Dispute.grid)


async def _case_specs(claimed: list[dict]) -> list[dict]:
    tripped = {f["id"]: case_rules(f) for f in claimed}
    ids = [i for i, kinds in tripped.items() if kinds]
    if not ids:
        return []
    cases = {
        r["id"]: r
        for r in await Dispute.select(
            Dispute.id,
            Dispute.case_no,
            Dispute.title,
            Dispute.people_involved,
            Dispute.county,
            Dispute.township,
            Dispute.village,
            Dispute.grid,
        ).where(Dispute.id.is_in(ids))
    }
    facts_by_id = {f["id"]: f for f in claimed}
    earlier_ids = [facts_by_id[i]["repeat_of"] for i in ids if facts_by_id[i]["repeat_of"]]
    earlier = (
        {
            r["id"]: r
            for r in await Dispute.select(Dispute.id, Dispute.case_no, *_PLACE).where(
                Dispute.id.is_in(earlier_ids)
            )
        }
        if earlier_ids
        else {}
    )
    specs = []
    for case_id in ids:
        case, fact = cases[case_id], facts_by_id[case_id]
        for kind in tripped[case_id]:
            level = RULES[kind].target
            params = {
                "case_no": case["case_no"],
                "title": case["title"],
                "people": case["people_involved"],
            }
            linked = [case_id]
            if kind == "repeat":
                before = earlier.get(fact["repeat_of"]) or {}
                params["earlier"] = before.get("case_no", "")
                # where the earlier case lies: who may be told its number (see `text`)
                params["earlier_area"] = {lv: before.get(lv) for lv in LEVELS}
                linked.append(fact["repeat_of"])
            if kind == "bouncing":
                params["moves"] = fact["escalations"] + fact["hand_backs"]
            specs.append(
                {
                    "kind": kind,
                    "dedupe": f"{kind}:{case_id}",
                    "dispute": case_id,
                    "target": case[level],
                    "target_level": level,
                    "place": {lv: case[lv] for lv in LEVELS},
                    "params": params,
                    "cases": linked,
                }
            )
    return specs


async def _claim() -> list[dict]:
    """The next cases whose facts changed since the rules last looked (a conditional update:
    two runs never take the same case)."""
    pending = await CaseFact.select(CaseFact.id).where(CaseFact.needs_rules.eq(True)).limit(CLAIM)
    if not pending:
        return []
    return await (
        CaseFact.update({CaseFact.needs_rules: False})
        .where(CaseFact.id.is_in([p["id"] for p in pending]) & (CaseFact.needs_rules.eq(True)))
        .returning(
            CaseFact.id,
            CaseFact.status,
            CaseFact.people_involved,
            CaseFact.risk_level,
            CaseFact.repeat_of,
            CaseFact.escalations,
            CaseFact.hand_backs,
        )
    )


async def _cluster_specs(county: dict, now: datetime) -> list[dict]:
    """Clusters of the last 30 days in the county; a cluster sharing a case with an alert of the
    same window extends that alert instead of raising another."""
    centre = (
        await Jurisdiction.select(Jurisdiction.centroid_lat)
        .where(Jurisdiction.id == county["id"])
        .first()
    )
    plane = hotspots.Plane.at(centre["centroid_lat"] or 0.0)
    since = now - timedelta(days=hotspots.DAYS)
    f = CaseFilter(actor=areas.system_actor(county), since=since, until=now)
    rows, labels = await current().clusters(
        f, plane.kx, plane.ky, hotspots.RADIUS_M, hotspots.MIN_CASES
    )
    specs = []
    for spot in hotspots.summarise(rows, labels, OPEN_STATUSES):
        if not spot["open"]:
            continue
        members = [uuid.UUID(i) for i in spot["case_ids"]]
        known = await (
            AlertCase.select(AlertCase.alert, AlertCase.dispute)
            .where(
                AlertCase.dispute.is_in(members)
                & (AlertCase.alert.kind == "cluster")
                & (AlertCase.alert.raised_at >= since)
            )
            .order_by(AlertCase.alert)
        )
        if known:
            alert_id = known[0]["alert"]
            linked = {k["dispute"] for k in known if k["alert"] == alert_id}
            if missing := [m for m in members if m not in linked]:
                await AlertCase.insert(*[AlertCase(alert=alert_id, dispute=m) for m in missing])
            continue
        places = await Dispute.select(Dispute.township, Dispute.village).where(
            Dispute.id.is_in(members)
        )
        townships = {p["township"] for p in places}
        one = len(townships) == 1
        target = next(iter(townships)) if one else county["id"]
        named = (
            await Jurisdiction.select(Jurisdiction.name)
            .where(Jurisdiction.id == (places[0]["village"] if one else county["id"]))
            .first()
        )
        specs.append(
            {
                "kind": "cluster",
                "dedupe": f"cluster:{spot['key']}",
                "target": target,
                "target_level": "township" if one else "county",
                "place": {
                    "county": county["id"],
                    "township": target if one else None,
                    "village": None,
                    "grid": None,
                },
                "params": {
                    "count": spot["count"],
                    "radius": hotspots.RADIUS_M,
                    "days": hotspots.DAYS,
                    "place": named["name"] if named else "",
                },
                "cases": members,
            }
        )
    return specs


async def run_rules(now: datetime | None = None) -> dict[str, int]:
    """The scheduler's job: every rule over what changed, then the clusters."""
    now = now or clock.now()
    await facts.refresh(now)
    raised = 0
    while True:
        async with db.transaction():
            claimed = await _claim()
            raised += await _raise(await _case_specs(claimed), now)
        if len(claimed) < CLAIM:
            break
    for county in await areas.counties():
        async with db.transaction():
            raised += await _raise(await _cluster_specs(county, now), now)
    return {"raised": raised}


# ---------------------------------------------------------------------------------------------
# Reading and acknowledging.


def _visible(actor: Actor):
    return scope_where(Alert, actor)


async def list_alerts(
    actor: Actor, state: str = "open", kind: str | None = None, page: int = 1
) -> dict[str, Any]:
    where = _visible(actor)
    if state == "open":
        where &= Alert.acknowledged_at.is_null()
    if kind:
        where &= Alert.kind == kind
    rows = await (
        Alert.select(*Alert.all_columns(), Alert.target.name.as_alias("target_name"))
        .where(where)
        .order_by(Alert.raised_at, ascending=False)
        .order_by(Alert.id, ascending=False)
        .limit(PER_PAGE + 1)
        .offset((page - 1) * PER_PAGE)
    )
    return {
        "items": [describe(r, actor) for r in rows[:PER_PAGE]],
        "has_next": len(rows) > PER_PAGE,
        "total": await Alert.count().where(where),
    }


async def open_count(actor: Actor, node: dict | None = None) -> int:
    """Alerts not acknowledged yet, in the user's area (under `node` when given)."""
    where = _visible(actor) & Alert.acknowledged_at.is_null()
    if node is not None:
        where &= Alert._meta.get_column_by_name(node["level"]) == node["id"]
    return await _OPEN_COUNT.run(where)


# on every look at a dashboard: built once per shape (app/statements.py)
_OPEN_COUNT = ByShape(lambda where: Alert.count().where(where))


def describe(row: dict, reader: Actor | None = None) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "kind_label": translate(RULES[row["kind"]].label),
        "text": text(row, reader),
        "target": {
            "id": row["target"],
            "name": row.get("target_name"),
            "level": row["target_level"],
        },
        "dispute": str(row["dispute"]) if row["dispute"] else None,
        "raised_at": row["raised_at"],
        "acknowledged_at": row["acknowledged_at"],
    }


async def get_alert(actor: Actor, alert_id: int) -> dict[str, Any]:
    row = await get_or_404(
        Alert, alert_id, actor, *Alert.all_columns(), Alert.target.name.as_alias("target_name")
    )
    name, value = scope_key(actor)
    cases = await (
        AlertCase.select(
            AlertCase.dispute.id.as_alias("id"),
            AlertCase.dispute.case_no.as_alias("case_no"),
            AlertCase.dispute.title.as_alias("title"),
            AlertCase.dispute.status.as_alias("status"),
        )
        .where((AlertCase.alert == alert_id) & (getattr(AlertCase.dispute, name) == value))
        .order_by(AlertCase.id)
    )
    notes = await (
        AlertNote.select(
            AlertNote.note,
            AlertNote.acknowledges,
            AlertNote.created_at,
            AlertNote.user.display_name.as_alias("user_name"),
        )
        .where(AlertNote.alert == alert_id)
        .order_by(AlertNote.id)
    )
    found = describe(row, actor)
    found.update(
        cases=[{**c, "id": str(c["id"])} for c in cases],
        notes=notes,
        may_acknowledge=may_acknowledge(actor, row),
    )
    return found


def may_acknowledge(actor: Actor, alert: dict) -> bool:
    """Mediators and officers at the alert's level or above (in whose area it lies)."""
    return policy.may(actor, "acknowledge_alert") and policy.at_or_above(
        actor, alert["target_level"]
    )


def refuse_unless_acknowledger(actor: Actor, alert: dict) -> None:
    """403 unless `actor` may acknowledge the alert (see may_acknowledge)."""
    if not may_acknowledge(actor, alert):
        raise PermissionDeniedException(
            _("Only the level alerted, or a level above it, may acknowledge this alert.")
        )


async def acknowledge(actor: Actor, alert_id: int, note: str, now: datetime | None = None) -> bool:
    """Append the note; the first note from the right level acknowledges the alert. Returns
    whether this note did."""
    now = now or clock.now()
    async with db.transaction():
        row = await get_or_404(Alert, alert_id, actor, Alert.id, Alert.target_level)
        refuse_unless_acknowledger(actor, row)
        note = (note or "").strip()
        if not note or len(note) > 2000:
            raise FieldErrors({"note": _("Say what was done about it (at most 2,000 characters).")})
        claimed = await (
            Alert.update({Alert.acknowledged_at: now, Alert.acknowledged_by: actor.id})
            .where((Alert.id == alert_id) & Alert.acknowledged_at.is_null())
            .returning(Alert.id)
        )
        await AlertNote.insert(
            AlertNote(
                alert=alert_id, user=actor.id, note=note, acknowledges=bool(claimed), created_at=now
            )
        )
    return bool(claimed)


def kinds() -> Iterable[tuple[str, str]]:
    return [(k, translate(r.label)) for k, r in RULES.items()]
