"""Discourse-style consistency: the per-object answer and the query agree, everywhere.

`may_view(actor, row)` decides one object (it is what `get_or_404` asks); `scope_where`
filters every list, count, map and export. For every demo user and every case in the
database (the demo county's year of history and whatever the tests logged), and the other
scoped tables, the two must give the same answer — and `get_or_404` must find exactly the
rows the query lists.
"""

from __future__ import annotations

import pytest
from litestar.exceptions import NotFoundException

from app.auth.scope import get_or_404, may_view, scope_where
from app.auth.tables import User
from app.disputes.tables import Dispute
from app.jurisdictions.tables import Jurisdiction
from app.monitoring.tables import Alert, Report
from app.seed.demo import DEMO_USERS
from app.sessions.tables import Juror, MediationSession, Room
from tests.authz import world
from tests.support.lifecycle import actor_of

LEVELS = ("county", "township", "village", "grid")


async def _rows(table) -> list[dict]:
    """Every row's id and the node it lies in at each level (through its jurisdiction when the
    table hangs on one)."""
    own = {c._meta.name for c in table._meta.columns}
    columns = [table._meta.primary_key.as_alias("pk")]
    for level in LEVELS:
        if level in own:
            columns.append(table._meta.get_column_by_name(level).as_alias(level))
        elif hasattr(table, "jurisdiction"):
            columns.append(getattr(table.jurisdiction, level).as_alias(level))
    return await table.select(*columns)


@pytest.mark.parametrize("username", [u.username for u in DEMO_USERS])
async def test_may_view_and_the_visible_cases_query_agree_on_every_case(app, cast, username):
    await world.build(cast)  # a case in each demo grid, whichever test runs first
    actor = await actor_of(cast, username)
    rows = await _rows(Dispute)
    visible = {r["id"] for r in await Dispute.select(Dispute.id).where(scope_where(Dispute, actor))}
    assert len(rows) >= 300  # the demo county's history, at least
    disagree = [r["pk"] for r in rows if may_view(actor, r) != (r["pk"] in visible)]
    assert not disagree, f"{username}: may_view and scope_where differ on {disagree[:5]}"
    # a real split, not a vacuous agreement: below the county one sees some cases, not all
    if actor.level != "county":
        assert 0 < len(visible) < len(rows)
    for r in rows:
        try:
            await get_or_404(Dispute, r["pk"], actor, Dispute.id)
            found = True
        except NotFoundException:
            found = False
        assert found == (r["pk"] in visible), f"{username}: get_or_404 on case {r['pk']}"


@pytest.mark.parametrize(
    "table", [Jurisdiction, Room, Juror, MediationSession, Alert, Report, User]
)
async def test_may_view_and_scope_where_agree_on_the_other_scoped_tables(app, cast, table):
    rows = await _rows(table)
    for username in [u.username for u in DEMO_USERS]:
        actor = await actor_of(cast, username)
        pk = table._meta.primary_key
        visible = {
            r["pk"] for r in await table.select(pk.as_alias("pk")).where(scope_where(table, actor))
        }
        disagree = [r["pk"] for r in rows if may_view(actor, r) != (r["pk"] in visible)]
        assert not disagree, f"{table.__name__}, {username}: differ on {disagree[:5]}"
        for r in rows[:200]:
            try:
                await get_or_404(table, r["pk"], actor, pk)
                found = True
            except NotFoundException:
                found = False
            assert found == (r["pk"] in visible), f"{table.__name__}, {username}: {r['pk']}"
