"""The facts the figures count, one row per case, kept up to date from the ledger.

A case row says where a case stands; the figures also need what happened on the way: was it
ever escalated, was its standing resolution a mediated one and on time, what did the parties
rate it. `derive` reads that off the ledger (pure). `refresh` brings the facts and the counters
(app/monitoring/stats.py) up to date: it reads the ledger events written since the last time,
re-derives the cases they belong to, and adds the difference each made to the counters.

Why the ledger and not a timestamp: every change to a case appends an event with a growing id,
whatever clock the change was made with. On PostgreSQL a transaction that took an id may commit
after one that took a later id, so each refresh also looks again at the last MARGIN events and
re-derives any case whose facts do not include its newest event yet.

"Overdue" depends on the clock: the counters hold it as of `MonitoringState.as_of`, and each
refresh re-derives the cases whose time limit ran out between that moment and now.

Refreshes are serialised (an advisory lock on PostgreSQL, the write lock on SQLite) and a
re-derived case replaces its old contribution, so running one twice changes nothing.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from app import clock, crypto, db
from app.disputes import deadlines
from app.disputes.deadlines import CHINA
from app.disputes.states import CASE_LEVELS
from app.disputes.tables import CaseEvent, Dispute, Party
from app.monitoring import repeats, stats
from app.monitoring.tables import CaseFact, MonitoringState, StatsBucket
from app.settings import CaseLimits
from app.statements import Prepared

LOCK_KEY = 0x70696E676C694D  # "pingliM": the facts refresh
STATE_KEY = "facts"
EVENTS_PER_ROUND = 20_000  # ledger events read per transaction
MARGIN = 500  # events looked at again behind the watermark (late commits)
IN_CHUNK = 900  # ids per IN (...) list

_CASE_COLUMNS = (
    Dispute.id,
    Dispute.county,
    Dispute.township,
    Dispute.village,
    Dispute.grid,
    Dispute.category,
    Dispute.created_at,
    Dispute.status,
    Dispute.level,
    Dispute.due_at,
    Dispute.people_involved,
    Dispute.risk_level,
    Dispute.resolved_at,
    Dispute.followed_up_at,
    Dispute.lon,
    Dispute.lat,
)


def china_day(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def last_day(due: datetime) -> date:
    """The last day (China time) on which a limit ending at `due` is met: a working-day limit
    ends at the midnight after its last day, a calendar-day one at the minute."""
    return china_day(due - timedelta(microseconds=1))


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _level(event: dict, fallback: str) -> str:
    return event["level"] if event["level"] in CASE_LEVELS else fallback


def derive(
    case: dict, events: list[dict], applicant: dict | None, limits: CaseLimits
) -> dict[str, Any]:
    """The facts of one case: its row (dict of _CASE_COLUMNS) and its ledger, oldest first
    (kind, level, data as a dict, created_at, id). Replays the time limits the way the actions
    set them: the event's own due_at when it recorded one, else the rule for that step."""
    due: datetime | None = None
    escalations = hand_backs = 0
    referred = False
    logged_level = "village"
    resolution: tuple[str, datetime, datetime | None] | None = None
    satisfaction: int | None = None
    for e in events:
        kind, at, data = e["kind"], e["created_at"], e["data"]
        recorded = _when(data.get("due_at"))
        if kind == "logged":
            logged_level = e["level"]
            due = recorded or deadlines.accept_due(at, limits)
        elif kind == "accepted":
            due = recorded or deadlines.resolve_due(_level(e, case["level"]), at, limits)
        elif kind == "escalated":
            escalations += 1
            due = recorded or deadlines.accept_due(at, limits)
        elif kind == "handed_back":
            hand_backs += 1
            due = recorded or deadlines.resolve_due(data.get("to_level") or "village", at, limits)
        elif kind in ("extended", "deadline_moved"):
            due = recorded or due
        elif kind == "reopened":
            resolution, satisfaction = None, None
            due = recorded or deadlines.resolve_due(case["level"], at, limits)
        elif kind == "referred":
            referred, due = True, None
        elif kind == "referral_result":
            if data.get("outcome") == "returned":
                due = deadlines.resolve_due(_level(e, case["level"]), at, limits)
            else:
                resolution, satisfaction = ("referral", at, None), None
        elif kind == "resolved":
            resolution, satisfaction = ("mediation", at, due), None
        elif kind == "followed_up":
            satisfaction = data.get("satisfaction")
    # The row is the truth about where the case stands; the ledger says how it got there.
    resolved = (
        resolution is not None and resolution[0] == "mediation" and case["resolved_at"] is not None
    )
    resolved_at = case["resolved_at"] if resolved else None
    due_then = resolution[2] if resolution else None
    followed_up = resolved and case["followed_up_at"] is not None
    created = case["created_at"]
    return {
        "id": case["id"],
        "county": case["county"],
        "township": case["township"],
        "village": case["village"],
        "grid": case["grid"],
        "category": case["category"],
        "created_at": created,
        "created_day": china_day(created),
        "created_month": china_day(created).replace(day=1),
        "status": case["status"],
        "level": case["level"],
        "due_at": case["due_at"],
        "people_involved": case["people_involved"],
        "risk_level": case["risk_level"],
        "logged_level": logged_level,
        "escalations": escalations,
        "hand_backs": hand_backs,
        "referred": referred,
        "resolved": resolved,
        "resolved_at": resolved_at,
        "resolved_level": case["level"] if resolved else None,
        "on_time": (due_then is None or china_day(resolved_at) <= last_day(due_then))
        if resolved_at
        else None,
        "resolve_days": round((resolved_at - created).total_seconds() / 86400, 4)
        if resolved_at
        else None,
        "followed_up": followed_up,
        "satisfaction": int(satisfaction) if followed_up and satisfaction is not None else None,
        "applicant_key": applicant_key(applicant),
        "place_cell": repeats.cell(case["lon"], case["lat"]),
        "lon": case["lon"],
        "lat": case["lat"],
        "last_event": max((e["id"] for e in events), default=0),
        "needs_rules": True,
    }


def applicant_key(applicant: dict | None) -> str | None:
    """Who applied, as a keyed hash of name and phone digits (no personal data kept here, and
    no dictionary of phone numbers can undo it without PINGLI_LOOKUP_KEY). Without a phone, a
    name alone says too little (张伟 is not one person)."""
    if not applicant or not applicant.get("phone"):
        return None
    digits = "".join(ch for ch in crypto.decrypt(applicant["phone"]) or "" if ch.isdigit())
    if not digits:
        return None
    return crypto.lookup(applicant["name"].strip(), digits)


# ---------------------------------------------------------------------------------------------


def _chunks(items: list, size: int = IN_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _lock() -> None:
    if db.is_postgres():
        await MonitoringState.raw("SELECT pg_advisory_xact_lock({})", LOCK_KEY)


async def _state() -> dict:
    row = await MonitoringState.select().where(MonitoringState.key == STATE_KEY).first()
    if row is None:
        await MonitoringState.insert(MonitoringState(key=STATE_KEY, event_id=0, as_of=None))
        row = {"event_id": 0, "as_of": None}
    return row


async def _load(ids: list[uuid.UUID], limits: CaseLimits) -> list[dict]:
    facts = []
    for chunk in _chunks(ids):
        cases = await Dispute.select(*_CASE_COLUMNS).where(Dispute.id.is_in(chunk))
        ledger: dict[uuid.UUID, list[dict]] = defaultdict(list)
        for e in await (
            CaseEvent.select(
                CaseEvent.id,
                CaseEvent.dispute,
                CaseEvent.kind,
                CaseEvent.level,
                CaseEvent.data,
                CaseEvent.created_at,
            )
            .where(CaseEvent.dispute.is_in(chunk))
            .order_by(CaseEvent.dispute, CaseEvent.id)  # the (dispute, id) index's order
        ):
            e["data"] = json.loads(e["data"] or "{}")
            ledger[e["dispute"]].append(e)
        applicants: dict[uuid.UUID, dict] = {}
        for p in await (
            Party.select(Party.dispute, Party.name, Party.phone)
            .where(Party.dispute.is_in(chunk) & (Party.role == "applicant"))
            .order_by(Party.position, ascending=False)
        ):
            applicants[p["dispute"]] = p  # the lowest position wins
        facts += [derive(c, ledger[c["id"]], applicants.get(c["id"]), limits) for c in cases]
    return facts


_FACT_COLUMNS = [c._meta.db_column_name for c in CaseFact._meta.columns]


async def _insert(facts: list[dict]) -> None:
    """Many fact rows at once, inside the caller's transaction: COPY on PostgreSQL, one
    prepared statement on SQLite. (Piccolo's insert passes every value through its query
    builder, which costs more than deriving the facts: a rebuild of a million cases minds.)"""
    if not facts:
        return
    records = [tuple(f[c] for c in _FACT_COLUMNS) for f in facts]
    connection = db.engine().current_transaction.get().connection
    if db.is_postgres():
        await connection.copy_records_to_table(
            "monitoring_case_fact", records=records, columns=_FACT_COLUMNS
        )
    else:
        names = ", ".join(f'"{c}"' for c in _FACT_COLUMNS)
        marks = ", ".join("?" for _ in _FACT_COLUMNS)
        await connection.executemany(
            f"INSERT INTO monitoring_case_fact ({names}) VALUES ({marks})", records
        )


async def _apply(
    ids: set[uuid.UUID], then: datetime | None, now: datetime, limits: CaseLimits
) -> int:
    """Re-derive these cases and move the counters by the difference they make."""
    ordered = sorted(ids)
    for chunk in _chunks(ordered):
        fresh = await _load(chunk, limits)
        known = {
            r["id"]: r["repeat_of"]
            for r in await CaseFact.select(CaseFact.id, CaseFact.repeat_of).where(
                CaseFact.id.is_in(chunk)
            )
        }
        # a case is judged a repeat once, when it first appears; it may make later ones repeats
        later = await repeats.assign([f for f in fresh if f["id"] not in known])
        for f in fresh:
            if f["id"] in known:
                f["repeat_of"] = known[f["id"]]
        touched = [f["id"] for f in fresh] + list(later)
        before = await stats.contributions(touched, then or now)
        if known:
            await CaseFact.delete().where(CaseFact.id.is_in(list(known)))
        await _insert(fresh)
        for fact_id, repeat_of in later.items():
            await CaseFact.update(
                {CaseFact.repeat_of: repeat_of, CaseFact.needs_rules: True}
            ).where(CaseFact.id == fact_id)
        after = await stats.contributions(touched, now)
        await stats.add(after, before)
    return len(ordered)


_MISSED = (
    "SELECT {what} FROM case_event e LEFT JOIN monitoring_case_fact f ON f.id = e.dispute "
    "WHERE e.id > {{}} AND e.id <= {{}} AND (f.last_event IS NULL OR f.last_event < e.id)"
)


async def _missed(watermark: int) -> set[uuid.UUID]:
    """Cases with an event at or below the watermark that their facts do not include yet."""
    rows = await CaseEvent.raw(
        _MISSED.format(what="DISTINCT e.dispute AS dispute"), watermark - MARGIN, watermark
    )
    return {uuid.UUID(str(r["dispute"])) for r in rows}


def _window(then: datetime, now: datetime) -> tuple[datetime, datetime]:
    return (then, now) if then <= now else (now, then)


async def _deadline_passed(then: datetime | None, now: datetime) -> set[uuid.UUID]:
    """Cases whose time limit ran out (or, with a clock set back, had not yet) between the two."""
    if then is None or then == now:
        return set()
    low, high = _window(then, now)
    rows = await CaseFact.select(CaseFact.id).where(
        (CaseFact.due_at > low) & (CaseFact.due_at <= high)
    )
    return {r["id"] for r in rows}


_STATE = Prepared(
    lambda: (
        MonitoringState.select(MonitoringState.event_id, MonitoringState.as_of)
        .where(MonitoringState.key == STATE_KEY)
        .first()
    )
)


# PostgreSQL: looking for late commits behind the watermark (`_MISSED`) takes a join of the last
# MARGIN events with their facts, most of what a look at the figures costs the database. A late
# commit comes from a transaction that was running when the look was made (its event's id was
# drawn before the watermark was set, so it had begun); while every one of those is still
# running, nothing can have come in behind the watermark since. So a look that found none keeps
# the watermark and the transactions its snapshot saw running, and the next looks ask the
# database only whether those are all still running. Kept at most SETTLED_SECONDS, then looked
# at in full again all the same.
SETTLED_SECONDS = 60.0
_settled: dict[str, Any] = {}  # watermark, running (txids, comma-separated), at (monotonic)

# The full look, and the settled one: instead of the join, whether any of the transactions a
# settled look saw running has ended (EXISTS over unnest(…)). Two statements rather than one
# with a CASE: PostgreSQL plans every branch of a CASE on every look, and the join's plan was
# most of the look's cost (the settled statement is a third of it). The state row is read
# first, on its own: with its watermark as a subquery PostgreSQL plans these lookups blind, a
# hundred times slower (and so neither runs on app/db.py's generic-plan pool).
_NEW_OR_RAN_OUT = (
    "EXISTS (SELECT 1 FROM case_event WHERE id > {}) AS new_events, "
    "EXISTS (SELECT 1 FROM monitoring_case_fact WHERE due_at > {} AND due_at <= {}) AS ran_out"
)
_CHECK_POSTGRES = (
    "SELECT EXISTS (" + _MISSED.format(what="1") + ") AS missed, " + _NEW_OR_RAN_OUT + ", "
    "array_to_string(ARRAY(SELECT pg_snapshot_xip(pg_current_snapshot())), ',') AS running"
)
_CHECK_SETTLED = (
    "SELECT EXISTS (SELECT 1 FROM unnest(string_to_array({}, ',')::xid8[]) t"
    " WHERE pg_xact_status(t) IS DISTINCT FROM 'in progress') AS ended, " + _NEW_OR_RAN_OUT
)
_CHECK_SQLITE = (
    "SELECT EXISTS (SELECT 1 FROM case_event WHERE id > {}) AS new_events, "
    "EXISTS (" + _MISSED.format(what="1") + ") AS missed, "
    "EXISTS (SELECT 1 FROM monitoring_case_fact WHERE due_at > {} AND due_at <= {}) AS ran_out"
)


async def _up_to_date(now: datetime, state: dict | None = None) -> tuple[Any, ...] | None:
    """No new event, no late commit, and no time limit ran out since the counters were made:
    they hold for `now` as they are (what most page views find, asked in one statement). Then
    the counters' stamp, else None. `state`: the state row, if the caller read it already."""
    state = state or await _STATE.run()
    if state is None or state["as_of"] is None:
        return None
    watermark = state["event_id"]
    low, high = _window(state["as_of"], now)
    if not db.is_postgres():
        # SQLite commits one writer at a time in id order: nothing commits late, but the look
        # is cheap there and also catches the facts a rebuild has not written yet
        row = await CaseEvent.raw(
            _CHECK_SQLITE, watermark, watermark - MARGIN, watermark, low, high
        )
        return None if any(row[0].values()) else (watermark, state["as_of"])
    settled = (
        _settled.get("watermark") == watermark
        and time.monotonic() - _settled["at"] < SETTLED_SECONDS
    )
    if settled:
        row = (await CaseEvent.raw(_CHECK_SETTLED, _settled["running"], watermark, low, high))[0]
        if not row["ended"]:
            return None if row["new_events"] or row["ran_out"] else (watermark, state["as_of"])
    row = (
        await CaseEvent.raw(_CHECK_POSTGRES, watermark - MARGIN, watermark, watermark, low, high)
    )[0]
    if row["missed"]:
        _settled.clear()
    else:
        _settled.update(watermark=watermark, running=row["running"], at=time.monotonic())
    if row["new_events"] or row["missed"] or row["ran_out"]:
        return None
    return (watermark, state["as_of"])


async def refresh(
    now: datetime | None = None,
    limits: CaseLimits | None = None,
    max_rounds: int | None = None,
    state: dict | None = None,
) -> dict[str, Any]:
    """Bring the facts and the counters up to `now`. Returns how many cases were re-derived,
    and the counters' `stamp`: it moves whenever a counter may have changed, and only then.
    `max_rounds` bounds the work (a page asking for fresh figures does not wait for a backlog
    of a million cases; the scheduler's job takes it). `state`: the state row (event_id,
    as_of) as the caller just read it with its own look-ups (app/monitoring/board_cache.py)."""
    now = now or clock.now()
    limits = limits or deadlines.limits()
    stamp = await _up_to_date(now, state)
    if stamp is not None:
        # nothing to add: the counters hold for `now` too, and no write lock is taken
        return {"derived": 0, "rounds": 0, "pending": 0, "stamp": stamp}
    derived = rounds = 0
    while max_rounds is None or rounds < max_rounds:
        async with db.transaction():
            await _lock()
            state = await _state()
            watermark, then = state["event_id"], state["as_of"]
            events = await (
                CaseEvent.select(CaseEvent.id, CaseEvent.dispute)
                .where(CaseEvent.id > watermark)
                .order_by(CaseEvent.id)
                .limit(EVENTS_PER_ROUND)
            )
            ids = {e["dispute"] for e in events}
            if rounds == 0:
                ids |= await _missed(watermark) | await _deadline_passed(then, now)
            derived += await _apply(ids, then, now, limits)
            last = events[-1]["id"] if events else watermark
            await MonitoringState.update(
                {MonitoringState.event_id: last, MonitoringState.as_of: now}
            ).where(MonitoringState.key == STATE_KEY)
        rounds += 1
        stamp = (last, now)
        if len(events) < EVENTS_PER_ROUND:
            return {"derived": derived, "rounds": rounds, "pending": 0, "stamp": stamp}
    return {"derived": derived, "rounds": rounds, "pending": 1, "stamp": stamp}


async def rebuild(now: datetime | None = None, limits: CaseLimits | None = None) -> dict[str, int]:
    """Derive every case afresh and recount every counter from the facts (after a bulk load,
    a change to the figures' definitions, or to check the counts kept by difference: they must
    be equal). Page views may refresh meanwhile: they take the events written since the
    rebuild began, and the rebuild's own rows replace theirs; its recount comes last."""
    now = now or clock.now()
    limits = limits or deadlines.limits()
    await db.analyze(Dispute, CaseEvent, Party)  # a bulk load came before, most likely
    top = await CaseEvent.select(CaseEvent.id).order_by(CaseEvent.id, ascending=False).first()
    began = top["id"] if top else 0  # what changes after this, the next refresh derives again
    async with db.transaction():
        await _lock()
        await CaseFact.delete(force=True)
        await MonitoringState.delete().where(MonitoringState.key == STATE_KEY)
        await MonitoringState.insert(MonitoringState(key=STATE_KEY, event_id=began, as_of=None))
    derived = 0
    after: tuple[datetime, uuid.UUID] | None = None
    window = repeats.Window()
    while True:
        # oldest first, so that a case's earlier repeats are in place when it is derived
        query = (
            Dispute.select(Dispute.id, Dispute.created_at)
            .order_by(Dispute.created_at)
            .order_by(Dispute.id)
            .limit(IN_CHUNK)
        )
        if after is not None:
            # the first condition bounds the index scan; alone, the OR made every batch read
            # the index from its start (a million cases: half a million rows passed each time)
            query = query.where(
                (Dispute.created_at >= after[0])
                & ((Dispute.created_at > after[0]) | (Dispute.id > after[1]))
            )
        batch = await query
        if not batch:
            break
        after = (batch[-1]["created_at"], batch[-1]["id"])
        ids = [r["id"] for r in batch]
        async with db.transaction():
            await _lock()
            fresh = await _load(ids, limits)
            window.assign(fresh)
            await CaseFact.delete().where(CaseFact.id.is_in(ids))  # a refresh may have been first
            await _insert(fresh)
        derived += len(batch)
    async with db.transaction():
        await _lock()
        await stats.recount(now)
        await MonitoringState.update({MonitoringState.as_of: now}).where(
            MonitoringState.key == STATE_KEY
        )
    await db.analyze(CaseFact, StatsBucket)  # both filled afresh: plan for what they hold now
    return {"derived": derived}
