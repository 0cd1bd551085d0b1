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
- the alerts (how many are open, the newest: one raised or acknowledged anywhere);
- the reader's language, role and area, and China's day.
Looks that arrive while a board is being drawn wait for that drawing rather than draw it again.
Every stamp is read before the board is built, so a change made meanwhile is seen on the next
look (one rebuild too many, never a stale board kept). What changes with every look — the
moment, the backlog notice, the form's errors — is not kept (`_board.html` adds it).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from typing import Any

from app import i18n
from app.auth.actor import Actor
from app.disputes import categories as category_list
from app.monitoring import areas, dashboard, facts
from app.monitoring.tables import SweepReport
from app.statements import Param, Prepared

MAX_ENTRIES = 64  # a board's drawn figures are 40-60 KB
# What the board shows around its figures (the page's crumbs, title, filter form), all small.
_AROUND = ("node", "crumbs", "from", "to", "category", "alerts_open")
_OTHER_STAMPS = ("sweeps", "last_sweep", "boundaries", "alerts_open", "last_alert")

# The facts' state row and the other stamps, one statement: raw, as it reads four domains'
# tables; nothing in it comes from input but the month, a date passed as a value. No state row
# (a database whose figures were never made) gives no row: then nothing is kept.
_STAMPS = (
    "SELECT s.event_id, s.as_of,"
    " (SELECT count(*) FROM monitoring_sweep WHERE month = {}) AS sweeps,"
    " (SELECT max(id) FROM monitoring_sweep WHERE month = {}) AS last_sweep,"
    " (SELECT max(version) FROM boundary_version) AS boundaries,"
    " (SELECT count(*) FROM monitoring_alert WHERE acknowledged_at IS NULL) AS alerts_open,"
    " (SELECT max(id) FROM monitoring_alert) AS last_alert"
    " FROM monitoring_state s WHERE s.key = '" + facts.STATE_KEY + "'"
)

_READ_STAMPS = Prepared(lambda: SweepReport.raw(_STAMPS, Param("month"), Param("month")))

_entries: OrderedDict[Hashable, dict[str, Any]] = OrderedDict()
_drawing: dict[Hashable, asyncio.Future] = {}  # boards being drawn now, by key
stats = {"hits": 0, "misses": 0, "shared": 0}  # read by the tests and the bench


def clear() -> None:
    _entries.clear()


async def _draw(
    actor: Actor, q: dashboard.Query, now: datetime, draw: Callable[[dict[str, Any]], Any]
) -> dict[str, Any]:
    built = await dashboard.build(actor, q, now, fresh=False)
    return {"board": {k: built[k] for k in _AROUND}, "drawn": draw(built)}


async def board(
    actor: Actor, q: dashboard.Query, now: datetime, draw: Callable[[dict[str, Any]], Any]
) -> tuple[dict[str, Any], Any]:
    """The board for `q` as of `now` (what the page shows around the figures) and its figures
    as `draw(board)` drew them, kept while their stamps hold."""
    month = areas.month_start(q.end)
    found = await _READ_STAMPS.run(month=month)
    stamps = found[0] if found else None
    refreshed = await facts.refresh(now, max_rounds=1, state=stamps)
    await category_list.current()
    key = (
        q.node["id"],
        q.start,
        q.end,
        q.category,
        i18n.current_locale.get(),
        actor.role,
        actor.jurisdiction_id,
        areas.today(now),
        refreshed["stamp"],
        category_list.stamp(),
        stamps and tuple(stamps[k] for k in _OTHER_STAMPS),
    )
    entry = _entries.get(key) if stamps else None
    if entry is not None:
        stats["hits"] += 1
        _entries.move_to_end(key)
    elif stamps and key in _drawing:
        # another look is drawing this very board (a morning's first looks come together)
        stats["shared"] += 1
        entry = await asyncio.shield(_drawing[key])
    elif not stamps:
        stats["misses"] += 1
        entry = await _draw(actor, q, now, draw)
    else:
        stats["misses"] += 1
        _drawing[key] = drawing = asyncio.get_running_loop().create_future()
        try:
            entry = await _draw(actor, q, now, draw)
        except BaseException as failed:
            drawing.set_exception(failed)
            drawing.exception()  # those waiting get it; nobody else has to ask for it
            raise
        finally:
            del _drawing[key]
        drawing.set_result(entry)
        _entries[key] = entry
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    looked = entry["board"] | {
        "pending": bool(refreshed["pending"]),
        "as_of": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }
    return looked, entry["drawn"]
