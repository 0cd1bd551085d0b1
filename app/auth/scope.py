"""The one place that decides what a user may see: their jurisdiction's subtree.

Every scoped table carries the columns county/township/village/grid (a case, a room, a
jurisdiction itself); a user whose node is at level L sees the rows whose column L is their
node. Tables that hang on a jurisdiction through a `jurisdiction` foreign key are scoped
through it. Out of scope is indistinguishable from missing: 404.
"""

from __future__ import annotations

from typing import Any

from litestar.exceptions import NotFoundException
from piccolo.columns.combination import Where
from piccolo.table import Table

from app.auth.actor import Actor
from app.i18n import _
from app.openapi import INT4_MAX


def scope_key(actor: Actor) -> tuple[str, int]:
    """The rule itself: rows whose column named after the actor's level holds the actor's node.
    Code that queries outside Piccolo (the PostGIS reads in app/geo/postgis.py) applies it."""
    return actor.level, actor.jurisdiction_id


def scope_where(table: type[Table], actor: Actor) -> Where:
    name, value = scope_key(actor)
    column = table._meta.get_column_by_name(name) if _has(table, name) else None
    if column is None:
        via = getattr(table, "jurisdiction", None)
        if via is None:
            raise TypeError(f"{table.__name__} is not a scoped table")
        column = getattr(via, name)
    return column == value


def _has(table: type[Table], name: str) -> bool:
    return any(c._meta.name == name for c in table._meta.columns)


async def get_or_404(table: type[Table], pk: Any, actor: Actor, *columns: Any) -> dict[str, Any]:
    """The row `pk` of `table` as a dict, if `actor` may see it; otherwise 404."""
    if isinstance(pk, int) and not 0 < pk <= INT4_MAX:
        # no row has this id, and PostgreSQL's driver would fail on it (INTEGER keys)
        raise NotFoundException(_("Not found."))
    query = table.select(*columns).where(table._meta.primary_key == pk, scope_where(table, actor))
    row = await query.first()
    if row is None:
        raise NotFoundException(_("Not found."))
    return row
