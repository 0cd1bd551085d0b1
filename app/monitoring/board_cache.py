"""The dashboard's board kept per process, until one of its figures can change (issue #15).

A board takes a dozen statements over the counters and some forty figure rows drawn through
the figures' macros (~30 ms); it is looked at far more often than its figures change. So the
board and its drawn figures (`_board_figures.html`) are kept, keyed on the query and on the
stamps of everything they are made of:
- the counters: the facts' stamp, as `facts.refresh` leaves it. It moves whenever a counter may
  have changed (a ledger event, a late commit, a time limit run out, a rebuild), and only then;
  the refresh runs first, as it did for every look at a dashboard;
- the sweeps of the period's last month (how many, and the newest: a report filed or withdrawn);
- the boundaries' version (areas, their names and grids change only by a boundary import);
- the category list's stamp (`categories.current` reloads it when another process changed it);
- the open alerts under the node (counted for every look: the count is on the board);
- the reader's language, role and area, and China's day.
Every stamp is read before the board is built, so a change made meanwhile is seen on the next
look (one rebuild too many, never a stale board kept). What changes with every look — the
moment, the backlog notice, the form's errors — is not kept (`_board.html` adds it).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from typing import Any

from app import i18n
from app.auth.actor import Actor
from app.disputes import categories as category_list
from app.monitoring import alerts, areas, dashboard, facts
from app.monitoring.tables import SweepReport

MAX_ENTRIES = 64  # a board's drawn figures are 40-60 KB
# What the board shows around its figures (the page's crumbs, title, filter form), all small.
_AROUND = ("node", "crumbs", "from", "to", "category")

# Two stamps in one statement, raw because it is three subqueries over two domains' tables;
# nothing in it comes from input but the month, a date passed as a value.
_STAMPS = (
    "SELECT (SELECT count(*) FROM monitoring_sweep WHERE month = {}) AS sweeps,"
    " (SELECT max(id) FROM monitoring_sweep WHERE month = {}) AS last_sweep,"
    " (SELECT max(version) FROM boundary_version) AS boundaries"
)

_entries: OrderedDict[Hashable, dict[str, Any]] = OrderedDict()
stats = {"hits": 0, "misses": 0}  # read by the tests and the bench


def clear() -> None:
    _entries.clear()


async def _key(actor: Actor, q: dashboard.Query, now: datetime, counters: Any) -> Hashable:
    month = areas.month_start(q.end)
    stamps = (await SweepReport.raw(_STAMPS, month, month))[0]
    await category_list.current()
    return (
        q.node["id"],
        q.start,
        q.end,
        q.category,
        i18n.current_locale.get(),
        actor.role,
        actor.jurisdiction_id,
        areas.today(now),
        counters,
        (stamps["sweeps"], stamps["last_sweep"], stamps["boundaries"]),
        category_list.stamp(),
    )


async def board(
    actor: Actor, q: dashboard.Query, now: datetime, draw: Callable[[dict[str, Any]], str]
) -> tuple[dict[str, Any], str]:
    """The board for `q` as of `now` (what the page shows around the figures) and its figures
    as `draw(board)` drew them, kept while their stamps hold."""
    refreshed = await facts.refresh(now, max_rounds=1)
    alerts_open = await alerts.open_count(actor, q.node)
    key = (await _key(actor, q, now, refreshed["stamp"]), alerts_open)
    entry = _entries.get(key)
    if entry is None:
        stats["misses"] += 1
        built = await dashboard.build(actor, q, now, fresh=False)
        built["alerts_open"] = alerts_open  # as counted for the key, not a moment later
        entry = {"board": {k: built[k] for k in _AROUND}, "drawn": draw(built)}
        _entries[key] = entry
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    else:
        stats["hits"] += 1
        _entries.move_to_end(key)
    looked = entry["board"] | {
        "alerts_open": alerts_open,
        "pending": bool(refreshed["pending"]),
        "as_of": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }
    return looked, entry["drawn"]
