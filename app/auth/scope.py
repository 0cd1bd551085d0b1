"""The one place that decides what a user may see: their jurisdiction's subtree.

Every scoped table carries the columns county/township/village/grid (a case, a room, a
jurisdiction itself); a user whose node is at level L sees the rows whose column L is their
node. Tables that hang on a jurisdiction through a `jurisdiction` foreign key are scoped
through it. Out of scope is indistinguishable from missing: 404.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from litestar.exceptions import NotFoundException
from piccolo.columns.combination import Where
from piccolo.table import Table

from app.auth.actor import Actor
from app.i18n import _
from app.openapi import INT4_MAX
from app.statements import Param, Prepared


def scope_key(actor: Actor) -> tuple[str, int]:
    """The rule itself: rows whose column named after the actor's level holds the actor's node.
    Code that queries outside Piccolo (the PostGIS reads in app/geo/postgis.py) applies it."""
    return actor.level, actor.jurisdiction_id


def scope_column(table: type[Table], name: str) -> Any:
    """The column of `table` that holds the node at level `name`: its own, or its
    jurisdiction's."""
    if _has(table, name):
        return table._meta.get_column_by_name(name)
    via = getattr(table, "jurisdiction", None)
    if via is None:
        raise TypeError(f"{table.__name__} is not a scoped table")
    return getattr(via, name)


def scope_where(table: type[Table], actor: Actor) -> Where:
    """The rule as a query filter: what every list, count, map and export selects through."""
    name, value = scope_key(actor)
    return scope_column(table, name) == value


def may_view(actor: Actor, row: Mapping[str, Any]) -> bool:
    """The rule for one row already read (it holds the scope columns by their level names):
    the per-object twin of `scope_where`, which `get_or_404` decides with. A test holds the
    two to the same answer on every demo case for every demo user
    (tests/authz/test_visibility_consistency.py)."""
    name, value = scope_key(actor)
    return row.get(name) is not None and row.get(name) == value


def visible_or_404(actor: Actor, row: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A row read without the scope filter (a node kept in memory: app/jurisdictions/nodes.py),
    if `actor` may see it; otherwise 404, as `get_or_404` answers."""
    if row is None or not may_view(actor, row):
        raise NotFoundException(_("Not found."))
    return row


_SCOPE = "_scope_node"  # the scope column, read beside what the caller asked for


def _has(table: type[Table], name: str) -> bool:
    return any(c._meta.name == name for c in table._meta.columns)


async def get_or_404(table: type[Table], pk: Any, actor: Actor, *columns: Any) -> dict[str, Any]:
    """The row `pk` of `table` as a dict, if `actor` may see it; otherwise 404."""
    if isinstance(pk, int) and not 0 < pk <= INT4_MAX:
        # no row has this id, and PostgreSQL's driver would fail on it (INTEGER keys)
        raise NotFoundException(_("Not found."))
    name, _value = scope_key(actor)
    wanted = columns or tuple(table.all_columns())
    row = await (
        table.select(*wanted, scope_column(table, name).as_alias(_SCOPE))
        .where(table._meta.primary_key == pk)
        .first()
    )
    if row is None or not may_view(actor, {name: row.pop(_SCOPE)}):
        raise NotFoundException(_("Not found."))
    return row


_PREPARED: dict[tuple[str, str], Prepared] = {}


async def get_or_404_prepared(
    key: str, table: type[Table], pk: Any, actor: Actor, columns: Callable[[], Sequence[Any]]
) -> dict[str, Any]:
    """`get_or_404` for a hot path: the statement (named `key`, its columns from `columns()`)
    is built once per scope level and reused (app/statements.py, `Prepared`)."""
    if isinstance(pk, int) and not 0 < pk <= INT4_MAX:
        raise NotFoundException(_("Not found."))
    name, _value = scope_key(actor)
    prepared = _PREPARED.get((key, name))
    if prepared is None:

        def build() -> Any:
            return (
                table.select(*columns(), scope_column(table, name).as_alias(_SCOPE))
                .where(table._meta.primary_key == Param("pk"))
                .first()
            )

        prepared = _PREPARED[(key, name)] = Prepared(build)
    row = await prepared.run(pk=pk)
    if row is None or not may_view(actor, {name: row.pop(_SCOPE)}):
        raise NotFoundException(_("Not found."))
    return row
