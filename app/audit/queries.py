"""Reading the audit log: the county admin's filtered, paginated list, in their county only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from app.audit.tables import KINDS, AuditLog
from app.auth.actor import Actor
from app.auth.scope import scope_where
from app.disputes.deadlines import CHINA
from app.disputes.errors import FieldErrors
from app.i18n import _

PER_PAGE = 50


@dataclass(frozen=True)
class Filters:
    user: str = ""
    case: str = ""
    kind: str = ""
    start: date | None = None
    end: date | None = None
    page: int = 1

    @classmethod
    def parse(cls, params: Any) -> Filters:
        errors: dict[str, str] = {}

        def day(name: str) -> date | None:
            raw = (params.get(name) or "").strip()
            if not raw:
                return None
            try:
                return date.fromisoformat(raw)
            except ValueError:
                errors[name] = _("Not a date: %(value)s.", value=raw[:20])
                return None

        kind = (params.get("kind") or "").strip()
        if kind and kind not in KINDS:
            errors["kind"] = _("Unknown value: %(value)s.", value=kind[:20])
        start, end = day("from"), day("to")
        try:
            page = max(int(params.get("page") or 1), 1)
        except ValueError:
            page = 1
        if errors:
            raise FieldErrors(errors)
        return cls(
            user=(params.get("user") or "").strip()[:64],
            case=(params.get("case") or "").strip()[:32],
            kind=kind,
            start=start,
            end=end,
            page=page,
        )

    def query(self) -> dict[str, str]:
        """The filters as query parameters, for the pager's links."""
        values = {
            "user": self.user,
            "case": self.case,
            "kind": self.kind,
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
        }
        return {k: v for k, v in values.items() if v}


def _china_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=CHINA)


async def entries(actor: Actor, f: Filters) -> dict[str, Any]:
    A = AuditLog
    where = scope_where(A, actor)
    if f.user:
        where &= A.user.username == f.user
    if f.case:
        where &= A.dispute.case_no == f.case
    if f.kind:
        where &= A.kind == f.kind
    if f.start:
        where &= A.created_at >= _china_midnight(f.start)
    if f.end:  # both ends included, China dates
        where &= A.created_at < _china_midnight(f.end + timedelta(days=1))
    rows = await (
        A.select(
            A.id,
            A.kind,
            A.what,
            A.detail,
            A.ip,
            A.user_agent,
            A.created_at,
            A.dispute,
            A.user.username.as_alias("username"),
            A.user.display_name.as_alias("display_name"),
            A.dispute.case_no.as_alias("case_no"),
            A.party.role.as_alias("party_role"),
            A.party.position.as_alias("party_position"),
        )
        .where(where)
        .order_by(A.created_at, ascending=False)
        .order_by(A.id, ascending=False)
        .limit(PER_PAGE + 1)
        .offset((f.page - 1) * PER_PAGE)
    )
    for row in rows:
        row["change"] = parse_detail(row.pop("detail"))
    return {"items": rows[:PER_PAGE], "has_next": len(rows) > PER_PAGE, "page": f.page}


def parse_detail(detail: str | None) -> dict[str, Any]:
    """An entry's detail: for an admin change {action, params, before, after} (older entries:
    before and after only); {} for the others."""
    try:
        change = json.loads(detail) if detail else {}
    except ValueError:
        return {}
    return change if isinstance(change, dict) else {}
