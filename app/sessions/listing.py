"""Finding rooms and jurors in a large area: text search, township and village filters, pages.

A county has a room per village and township (162 in the demo county) and a juror pool in
each: one list of everything is unreadable on a phone. The filters are scoped like everything
else: a township or village outside the user's area matches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import Or
from piccolo.table import Table

from app.auth.actor import Actor
from app.auth.scope import scope_where
from app.jurisdictions.tables import Jurisdiction
from app.settings import get_settings

PER_PAGE = 20


@dataclass(frozen=True)
class Filters:
    q: str = ""
    township: int | None = None
    village: int | None = None
    page: int = 1

    @classmethod
    def parse(cls, params: Any) -> Filters:
        def number(name: str) -> int | None:
            raw = str(params.get(name) or "").strip()
            return int(raw) if raw.isdecimal() and len(raw) < 10 else None

        return cls(
            q=str(params.get("q") or "").strip()[:50],
            township=number("township"),
            village=number("village"),
            page=max(number("page") or 1, 1),
        )

    def query(self, **changes: Any) -> dict[str, str]:
        """The filters as query parameters (for the pager's links)."""
        values = {"q": self.q, "township": self.township, "village": self.village} | changes
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def _like(column: Any, pattern: str) -> Any:
    return column.ilike(pattern) if get_settings().is_postgres else column.like(pattern)


def where(table: type[Table], actor: Actor, f: Filters, text_columns: tuple[Any, ...]) -> Any:
    found = scope_where(table, actor)
    if f.q:
        pattern = f"%{f.q.replace('%', '').replace('_', '')}%"
        match = _like(text_columns[0], pattern)
        for column in text_columns[1:]:
            match = Or(match, _like(column, pattern))
        found &= match
    if f.township:
        found &= table._meta.get_column_by_name("township") == f.township
    if f.village:
        found &= table._meta.get_column_by_name("village") == f.village
    return found


async def choices(actor: Actor, f: Filters) -> dict[str, list[dict]]:
    """The townships of the user's area, and the villages of the chosen (or their own)
    township, to filter by."""
    J = Jurisdiction
    columns = (J.id, J.name)
    townships = await (
        J.select(*columns).where((J.level == "township") & scope_where(J, actor)).order_by(J.code)
    )
    township = f.township or (actor.township_id if actor.level in ("township", "village") else None)
    villages = []
    if township:
        villages = await (
            J.select(*columns)
            .where((J.level == "village") & (J.township == township) & scope_where(J, actor))
            .order_by(J.code)
        )
    return {"townships": townships, "villages": villages}


def settle(f: Filters, found: dict[str, list[dict]]) -> Filters:
    """The filters with a village that is not among the township's choices dropped (the
    township was changed after the village was chosen)."""
    if f.village and f.village not in {v["id"] for v in found["villages"]}:
        return Filters(q=f.q, township=f.township, village=None, page=f.page)
    return f
