"""Read models of cases. Every query starts from scope_where: nothing else decides visibility."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from piccolo.columns.combination import Where
from piccolo.querystring import QueryString

from app import clock, db
from app.auth.actor import Actor
from app.auth.scope import get_or_404, get_or_404_prepared, scope_where
from app.disputes import categories, deadlines, ledger, queues, states
from app.disputes.privacy import mask_id_number, mask_phone
from app.disputes.tables import AgreementTerm, CaseEvent, Dispute, Party, Supervision
from app.disputes.vocabulary import (
    CASE_LEVELS,
    CATEGORIES,
    GROUP_DISPUTE_PEOPLE,
    NATIONAL_CATEGORIES,
    OPEN_STATUSES,
    RISK_LEVELS,
    STATUSES,
    label,
)
from app.i18n import _
from app.jurisdictions import nodes
from app.jurisdictions.tables import Jurisdiction
from app.monitoring import figures
from app.rules import limits as county_limits
from app.statements import ByShape, Param, Prepared

MAX_PER_PAGE = 100
COUNT_CAP = 100  # a list's count stops here ("100+"): counting a whole county costs a scan
MAX_DEPTH = 1000  # and its pages end here: beyond it, narrow the filters
CHINA_OFFSET = timedelta(hours=8)


@dataclass
class DisputeFilters:
    status: str | None = None
    level: str | None = None
    category: str | None = None
    national: str | None = None  # the county categories that roll up to this national one
    risk_level: str | None = None
    jurisdiction: int | None = None  # narrow to a node inside the user's scope
    q: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    open_only: bool = False
    overdue: bool = False
    queue: str | None = None
    # the monitoring figures' filters (escalated, on_time, resolved_level...): app/monitoring/figures.py
    facts: dict[str, str] = field(default_factory=dict)
    page: int = 1
    per_page: int = 20
    # keyset pagination for machine clients: (created_at, id) of the last case already read
    cursor: tuple[datetime, uuid.UUID] | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def planned_by_values(self) -> bool:
        """Whether the person chose values the best plan depends on (a search term, a rare
        status, a period, an area, a cursor): PostgreSQL then plans the list for them, every
        time. A queue or the first page of one's own area asks the same things every time and
        is planned once per connection (app/db.py, `run_fixed`)."""
        return any(
            (
                self.status,
                self.level,
                self.category,
                self.national,
                self.risk_level,
                self.jurisdiction,
                self.q,
                self.date_from,
                self.date_to,
                self.facts,
                self.cursor,
            )
        )

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> DisputeFilters:
        f = cls()
        for name, vocab in (
            ("status", STATUSES),
            ("level", CASE_LEVELS),
            ("category", CATEGORIES),
            ("national", NATIONAL_CATEGORIES),
            ("risk_level", RISK_LEVELS),
        ):
            value = params.get(name) or None
            if value is not None and value not in vocab:
                f.errors[name] = _("Unknown value: %(value)s.", value=str(value)[:40])
            else:
                setattr(f, name, value)
        q = (params.get("q") or "").strip()
        if "\x00" in q or len(q) > 100:
            f.errors["q"] = _("Search text is too long or has a character that is not allowed.")
        else:
            f.q = q or None
        for name, attr in (("from", "date_from"), ("to", "date_to")):
            raw = params.get(name)
            if raw:
                try:
                    setattr(f, attr, date.fromisoformat(str(raw)))
                except ValueError:
                    f.errors[name] = _("Must be a date like 2026-05-01.")
        queue = params.get("queue") or None
        if queue is not None and queue not in queues.BY_CODE:
            f.errors["queue"] = _("Unknown value: %(value)s.", value=str(queue)[:40])
        else:
            f.queue = queue
        f.facts = figures.parse_params(params, f.errors)
        f.open_only = str(params.get("open", "")).lower() in ("1", "true", "on")
        f.overdue = str(params.get("overdue", "")).lower() in ("1", "true", "on")
        for name, default, high in (
            ("page", 1, 10_000),
            ("per_page", 20, MAX_PER_PAGE),
            ("jurisdiction", None, 2**31 - 1),
        ):
            raw = params.get(name)
            if raw in (None, ""):
                setattr(f, name, default)
                continue
            try:
                value = int(raw)
                if not 1 <= value <= high:
                    raise ValueError
                setattr(f, name, value)
            except (TypeError, ValueError):
                f.errors[name] = _("Must be a whole number between 1 and %(high)s.", high=high)
        raw_cursor = params.get("cursor")
        if raw_cursor:
            try:
                f.cursor = decode_cursor(str(raw_cursor))
            except ValueError:
                f.errors["cursor"] = _("Not a cursor this list gave out.")
            if f.queue and queues.BY_CODE[f.queue].by_due:
                f.errors["cursor"] = _("A cursor follows the newest-first order only.")
        if not f.errors and f.cursor is None and (f.page - 1) * f.per_page >= MAX_DEPTH:
            f.errors["page"] = _(
                "Only the first %(n)s cases are listed: narrow the filters.", n=MAX_DEPTH
            )
        return f


def _where(actor: Actor, f: DisputeFilters, now: datetime, level: str | None = None) -> Where:
    """The filters as one condition. `level` is that of the `jurisdiction` filter's node: the
    condition is on that one column, so the area's own indexes serve it (an OR over the four
    columns made PostgreSQL filter a whole county's newest-first index instead)."""
    where = scope_where(Dispute, actor)
    if f.queue:
        where &= queues.BY_CODE[f.queue].condition(actor, now)
    if f.status:
        where &= Dispute.status == f.status
    if f.open_only:
        where &= Dispute.status.is_in(list(OPEN_STATUSES))
    if f.level:
        where &= Dispute.level == f.level
    if f.category:
        where &= Dispute.category == f.category
    if f.national:
        codes = [c for c in CATEGORIES if categories.national_of(c) == f.national]
        where &= Dispute.category.is_in(codes or [""])
    if f.risk_level:
        where &= Dispute.risk_level == f.risk_level
    if f.jurisdiction:
        assert level is not None, "the jurisdiction filter's node is looked up first"
        where &= Dispute._meta.get_column_by_name(level) == f.jurisdiction
    if f.q:
        where &= _text_search(f.q)
    if f.date_from:
        where &= Dispute.created_at >= _china_midnight(f.date_from)
    if f.date_to:
        where &= Dispute.created_at < _china_midnight(f.date_to + timedelta(days=1))
    if f.overdue:
        # a time limit runs only while something is due, so a past due_at is overdue
        where &= Dispute.due_at <= now
    if f.facts and (more := figures.list_where(f.facts, now)) is not None:
        where &= more
    return where


# the filters' condition, for the other readers of a filtered list (the case export)
where_of = _where


def encode_cursor(created_at: datetime, dispute_id: uuid.UUID | str) -> str:
    stamp = created_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%f")
    return f"{stamp}_{uuid.UUID(str(dispute_id)).hex}"


def decode_cursor(raw: str) -> tuple[datetime, uuid.UUID]:
    """The inverse of encode_cursor; ValueError for anything it did not make."""
    stamp, sep, hex_id = raw.partition("_")
    if not sep or len(raw) > 60:
        raise ValueError(raw)
    when = datetime.strptime(stamp, "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)
    return when, uuid.UUID(hex=hex_id)


def after_cursor(cursor: tuple[datetime, uuid.UUID]) -> Where:
    """Cases after `cursor` in the newest-first order (created_at, then id, both descending)."""
    created_at, dispute_id = cursor
    return (Dispute.created_at < created_at) | (
        (Dispute.created_at == created_at) & (Dispute.id < dispute_id)
    )


def _text_search(q: str) -> Where:
    """Title or description contains `q`. Chinese has no case, so LIKE (bytes) rather than ILIKE
    (which lower-cases every row first). On PostgreSQL trigram indexes serve terms of three
    characters or more; a shorter term has no trigram, and since every statement is planned for
    its values (app/db.py) the planner reads the scope's newest-first index instead."""
    pattern = "%" + q.replace("%", "").replace("_", "") + "%"
    if q.lower() == q.upper():
        return Dispute.title.like(pattern) | Dispute.description.like(pattern)
    return Dispute.title.ilike(pattern) | Dispute.description.ilike(pattern)


def _china_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC) - CHINA_OFFSET


LIST_COLUMNS = (
    Dispute.id,
    Dispute.case_no,
    Dispute.category,
    Dispute.title,
    Dispute.status,
    Dispute.level,
    Dispute.risk_level,
    Dispute.people_involved,
    Dispute.due_at,
    Dispute.due_from,
    Dispute.due_kind,
    Dispute.created_at,
    Dispute.village,
    Dispute.grid,
)


@dataclass(frozen=True)
class Page:
    items: list[dict]
    total: int  # exact up to COUNT_CAP; capped says there are more
    capped: bool
    has_next: bool
    next_cursor: str | None = None  # resume after this page's last case (newest-first lists)


def _count_up_to(where: Any, cap: int) -> QueryString:
    """COUNT(*) that stops at `cap`: a count over a whole county costs as much as a page."""
    inner = Dispute.select(Dispute.id).where(where).limit(cap)
    return QueryString("(SELECT COUNT(*) FROM ({}) AS capped)", inner.querystrings[0])


def _page_query(where: Where, by_due: bool, limit: int, offset: int) -> Any:
    total = _count_up_to(where, COUNT_CAP + 1).as_alias("capped_total")
    query = Dispute.select(*LIST_COLUMNS, total).where(where)
    if by_due:
        query = query.order_by(Dispute.due_at).order_by(Dispute.id)
    else:
        query = query.order_by(Dispute.created_at, ascending=False).order_by(
            Dispute.id, ascending=False
        )
    return query.limit(limit).offset(offset)


def _keyset_query(where: Where, limit: int) -> Any:
    return (
        Dispute.select(*LIST_COLUMNS)
        .where(where)
        .order_by(Dispute.created_at, ascending=False)
        .order_by(Dispute.id, ascending=False)
        .limit(limit)
    )


# a list page is the hottest statement there is: made once per shape of its filters
_PAGE = ByShape(_page_query)
_KEYSET_PAGE = ByShape(_keyset_query)


async def list_disputes(actor: Actor, f: DisputeFilters, now: datetime | None = None) -> Page:
    now = now or clock.now()
    level = None
    if f.jurisdiction:
        # an area outside the user's own is 404 like any id, not an empty list that says it exists
        node = await get_or_404(Jurisdiction, f.jurisdiction, actor, Jurisdiction.level)
        level = node["level"]
    where = _where(actor, f, now, level)
    # The bounded count rides along as a column (an uncorrelated subquery, computed once), so a
    # page is one round trip to the database however many cases the filter matches.
    if f.cursor is not None:
        return await _keyset_page(where & after_cursor(f.cursor), f, now)
    by_due = bool(f.queue and queues.BY_CODE[f.queue].by_due)
    rows = await _PAGE.run(
        where,
        by_due,
        f.per_page + 1,
        (f.page - 1) * f.per_page,
        fixed_plan=not f.planned_by_values,
    )
    if rows:
        counted = rows[0]["capped_total"]
    elif f.page == 1:
        counted = 0
    else:  # past the end: no row to carry the count
        counted = (
            await db.engine().run_querystring(
                QueryString("SELECT {} AS n", _count_up_to(where, COUNT_CAP + 1))
            )
        )[0]["n"]
    has_next = len(rows) > f.per_page
    newest_first = not by_due
    return Page(
        items=await summaries(rows[: f.per_page], now),
        total=min(counted, COUNT_CAP),
        capped=counted > COUNT_CAP,
        has_next=has_next,
        next_cursor=_cursor_after(rows[: f.per_page]) if has_next and newest_first else None,
    )


async def _keyset_page(where: Where, f: DisputeFilters, now: datetime) -> Page:
    """A page after a cursor: no count and no offset, so the millionth case costs what the
    first does (the list's own newest-first indexes serve it)."""
    rows = await _KEYSET_PAGE.run(where, f.per_page + 1)
    has_next = len(rows) > f.per_page
    rows = rows[: f.per_page]
    return Page(
        items=await summaries(rows, now),
        total=len(rows),
        capped=False,
        has_next=has_next,
        next_cursor=_cursor_after(rows) if has_next else None,
    )


def _cursor_after(rows: list[dict]) -> str | None:
    return encode_cursor(rows[-1]["created_at"], rows[-1]["id"]) if rows else None


async def summaries(rows: list[dict], now: datetime | None = None) -> list[dict]:
    """The summaries of LIST_COLUMNS rows, their village and grid named (app/jurisdictions/
    nodes.py: names by key, not two joins per list statement)."""
    names = await nodes.names(id for r in rows for id in (r["village"], r["grid"]))
    for r in rows:
        r["village_name"], r["grid_name"] = names.get(r["village"]), names.get(r["grid"])
    return [summary(r, now) for r in rows]


def summary(row: dict, now: datetime | None = None) -> dict:
    now = now or clock.now()
    deadline = deadlines.deadline_state(row["due_from"], row["due_at"], now)
    return {
        "id": str(row["id"]),
        "case_no": row["case_no"],
        "title": row["title"],
        "category": row["category"],
        "category_label": label(CATEGORIES, row["category"]),
        "status": row["status"],
        "status_label": label(STATUSES, row["status"]),
        "level": row["level"],
        "level_label": label(CASE_LEVELS, row["level"]),
        "risk_level": row["risk_level"],
        "people_involved": row["people_involved"],
        "is_group": row["people_involved"] >= GROUP_DISPUTE_PEOPLE,
        "overdue": deadline == "overdue",
        "deadline_state": deadline,
        "due_kind": row["due_kind"],
        "due_at": iso(row["due_at"]),
        "created_at": iso(row["created_at"]),
        "village_name": row.get("village_name"),
        "grid_name": row.get("grid_name"),
    }


def iso(value: datetime | date | None) -> str | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat() if value else None


# Read by every view of a case: built once (app/statements.py, Prepared)
_OPEN_SUPERVISIONS = Prepared(
    lambda: Supervision.count().where(
        (Supervision.dispute == Param("id")) & Supervision.replied_at.is_null()
    )
)
_AGREEMENT_TERMS = Prepared(
    lambda: AgreementTerm.count().where(AgreementTerm.dispute == Param("id"))
)


# The same two counts as columns of the case's own row (case_row): one round trip instead of
# three for every case page. Raw SQL because they are correlated with the outer row, which
# Piccolo's subqueries cannot say; the table names are Piccolo's.
_OPEN_SUPERVISIONS_OF_ROW = QueryString(
    f'(SELECT COUNT(*) FROM "{Supervision._meta.tablename}" AS s'
    f' WHERE s."dispute" = "{Dispute._meta.tablename}"."id" AND s."replied_at" IS NULL)'
).as_alias("_open_supervisions")
_AGREEMENT_TERMS_OF_ROW = QueryString(
    f'(SELECT COUNT(*) FROM "{AgreementTerm._meta.tablename}" AS t'
    f' WHERE t."dispute" = "{Dispute._meta.tablename}"."id")'
).as_alias("_agreement_terms")


# The case's parties as a column of its row too: a JSON array of [position, role, name, phone,
# id_number] per party (phone and id number as stored, encrypted), in no order. The aggregate
# is each engine's own.
_PARTY_FIELDS = ("position", "role", "name", "phone", "id_number")


def _parties_of_row() -> QueryString:
    fields = ", ".join(f'p."{f}"' for f in _PARTY_FIELDS)
    aggregate = (
        f"json_agg(json_build_array({fields}))"
        if db.is_postgres()
        else f"json_group_array(json_array({fields}))"
    )
    return QueryString(
        f'(SELECT {aggregate} FROM "{Party._meta.tablename}" AS p'
        f' WHERE p."dispute" = "{Dispute._meta.tablename}"."id")'
    ).as_alias("_parties")


def _parties(row: dict[str, Any]) -> list[dict[str, Any]]:
    stored = row["_parties"]
    if isinstance(stored, list):  # a case just written: its parties as they were inserted
        return stored
    found = [dict(zip(_PARTY_FIELDS, p, strict=True)) for p in json.loads(stored or "[]")]
    return sorted(found, key=lambda p: p["position"])


async def load_state(row: dict[str, Any]) -> states.CaseState:
    """What the rules need beyond the row: open supervision orders, agreement terms (read
    with the row by case_row, else here)."""
    if "_open_supervisions" in row:
        open_supervisions, terms = row["_open_supervisions"], row["_agreement_terms"]
    else:
        open_supervisions = await _OPEN_SUPERVISIONS.run(id=row["id"])
        terms = await _AGREEMENT_TERMS.run(id=row["id"])
    return states.CaseState.of(row, open_supervisions=open_supervisions, agreement_terms=terms)


_PLACES = ("county", "township", "village", "grid", "holder")


async def case_row(actor: Actor, dispute_id: uuid.UUID) -> dict:
    """The case's row with its place names, if `actor` may see it; otherwise 404.

    The names come from app/jurisdictions/nodes.py, not five joins: PostgreSQL plans every
    statement for its values (app/db.py), and planning the row with its five joins took 1.2 ms,
    ten times what running it took."""
    row = await get_or_404_prepared(
        "case_row",
        Dispute,
        dispute_id,
        actor,
        lambda: (
            *Dispute.all_columns(),
            _OPEN_SUPERVISIONS_OF_ROW,
            _AGREEMENT_TERMS_OF_ROW,
            _parties_of_row(),
        ),
    )
    return await _named(row)


async def _named(row: dict[str, Any]) -> dict[str, Any]:
    names = await nodes.names(row[p] for p in _PLACES)
    for place in _PLACES:
        row[f"{place}_name"] = names.get(row[place])
    return row


async def get_dispute(
    actor: Actor,
    dispute_id: uuid.UUID,
    now: datetime | None = None,
    written: dict[str, Any] | None = None,
) -> dict:
    """The whole case as its viewer may see it (personal data masked), with the actions the
    viewer may take now. 404 out of scope. `written`: the row of a case this actor has just
    logged, as services.create_dispute wrote it (their own area: they may see it), instead of
    reading it back."""
    if written is not None:
        # new: no supervision order, no agreement terms yet
        row = await _named({**written, "_open_supervisions": 0, "_agreement_terms": 0})
    else:
        row = await case_row(actor, dispute_id)
    case = await load_state(row)
    result = summary(row, now)
    rules = await county_limits.for_case(row)
    result.update(
        # a working-day limit through a year whose holidays nobody entered yet may still move
        due_provisional=deadlines.provisional(row["due_from"], row["due_at"], rules.working_days),
        limits_version=row["limits_version"],
        attempts_allowed=rules.attempts,
        description=row["description"],
        source=row["source"],
        occurred_at=iso(row["occurred_at"]),
        lon=row["lon"],
        lat=row["lat"],
        gps_accuracy_m=row["gps_accuracy_m"],
        location_source=row["location_source"],
        created_by=row["created_by"],
        captured_at=iso(row["captured_at"]),
        version=row["version"],
        updated_at=iso(row["updated_at"]),
        county={"id": row["county"], "name": row["county_name"]},
        township={"id": row["township"], "name": row["township_name"]},
        village={"id": row["village"], "name": row["village_name"]},
        grid={"id": row["grid"], "name": row["grid_name"]},
        holder={"id": row["holder"], "name": row["holder_name"]},
        due_from=iso(row["due_from"]),
        attempts=row["attempts"],
        attempts_by_level=states.per_level(row["attempts_by_level"])
        | {row["level"]: row["attempts"]},
        attempts_granted=states.per_level(row["attempts_granted"]),
        open_supervisions=case.open_supervisions,
        accepted_at=iso(row["accepted_at"]),
        resolved_at=iso(row["resolved_at"]),
        followed_up_at=iso(row["followed_up_at"]),
        closed_at=iso(row["closed_at"]),
        agreement_signed_on=iso(row["agreement_signed_on"]),
        duplicate_of=str(row["duplicate_of"]) if row["duplicate_of"] else None,
        available_actions=states.available(actor, case),
        parties=[
            {
                "position": p["position"],
                "role": p["role"],
                "name": p["name"],
                "phone": mask_phone(p["phone"]),
                "id_number": mask_id_number(p["id_number"]),
            }
            for p in _parties(row)
        ],
    )
    return result


async def events(actor: Actor, dispute_id: uuid.UUID) -> list[dict]:
    await get_or_404(Dispute, dispute_id, actor, Dispute.id)
    rows = await (
        CaseEvent.select(
            *CaseEvent.all_columns(),
            CaseEvent.actor.display_name.as_alias("actor_name"),
        )
        .where(CaseEvent.dispute == dispute_id)
        .order_by(CaseEvent.id)
    )
    return [
        {
            "id": r["id"],
            "kind": r["kind"],
            "actor_id": r["actor"],
            "actor": r["actor_name"],
            "level": r["level"],
            "from_status": r["from_status"],
            "to_status": r["to_status"],
            "note": r["note"],
            "data": ledger.decode(r),
            "created_at": iso(r["created_at"]),
        }
        for r in rows
    ]
