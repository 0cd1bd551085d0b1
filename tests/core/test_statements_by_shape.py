"""A list's statement kept per shape of its filters (app/statements.py, ByShape): the same
filters with other values must answer what a statement built afresh answers — a kept statement
that carried the first request's values to the next would show one user another's list."""

from __future__ import annotations

from app import clock
from app.auth.actor import Actor
from app.disputes import queries
from app.disputes.tables import Dispute
from app.jurisdictions.tables import Jurisdiction
from app.statements import ByShape

# pairs of the same shape with other values, then shapes of their own
FILTERS = [
    {"status": "logged"},
    {"status": "closed"},
    {"category": "neighbours"},
    {"category": "land"},
    {"q": "土地"},
    {"q": "邻里"},
    {"from": "2026-01-01", "to": "2026-06-30"},
    {"from": "2025-06-01", "to": "2026-12-31"},
    {"open": "1", "level": "village"},
    {"open": "1", "level": "township"},
    {"national": "marriage_family"},
    {"national": "neighbourhood"},
    {"overdue": "1"},
    {"queue": "mine"},
    {"queue": "follow_up"},
    {"escalated": "1"},
    {"repeat": "1"},
    {"resolved_level": "village"},
    {"resolved_level": "township"},
    {"per_page": "5", "page": "2"},
    {"per_page": "5", "page": "3"},
]


async def _actors() -> list[Actor]:
    county = await Jurisdiction.select().where(Jurisdiction.level == "county").first()
    townships = await Jurisdiction.select().where(Jurisdiction.level == "township").limit(2)
    actors = [
        Actor(
            1,
            "c",
            "c",
            "county_officer",
            county["id"],
            "c",
            "county",
            county["id"],
            None,
            None,
            None,
        )
    ]
    for t in townships:
        actors.append(
            Actor(
                2,
                "t",
                "t",
                "township_mediator",
                t["id"],
                "t",
                "township",
                county["id"],
                t["id"],
                None,
                None,
            )
        )
    return actors


async def test_each_shape_answers_as_a_statement_built_afresh(app):
    now = clock.now()
    seen_rows = 0
    for actor in await _actors():
        for params in FILTERS:
            f = queries.DisputeFilters.from_params(params)
            assert not f.errors, (params, f.errors)
            where = queries.where_of(actor, f, now)
            by_due = bool(f.queue and queries.queues.BY_CODE[f.queue].by_due)
            extra = (by_due, f.per_page + 1, (f.page - 1) * f.per_page)
            kept = await queries._PAGE.run(where, *extra)
            fresh = await queries._page_query(where, *extra)
            assert kept == fresh, params
            seen_rows += len(fresh)
    assert seen_rows > 50  # the demo county's cases were really listed, not empty answers


async def test_a_condition_it_cannot_take_apart_is_built_the_ordinary_way(app):
    built: list[object] = []

    def build(where):
        built.append(where)
        return Dispute.select(Dispute.id).where(where).limit(3)

    by_shape = ByShape(build)
    # a subquery as the value: not a plain value to put a placeholder in
    sub = Dispute.select(Dispute.id).where(Dispute.status == "logged").limit(1)
    where = Dispute.id.is_in(sub)
    assert await by_shape.run(where) == await build(where)
    assert by_shape._kept == {}
    # a plain one is kept once, and answers for other values too
    first = await by_shape.run(Dispute.status == "logged")
    second = await by_shape.run(Dispute.status == "closed")
    assert len(by_shape._kept) == 1
    assert first == await Dispute.select(Dispute.id).where(Dispute.status == "logged").limit(3)
    assert second == await Dispute.select(Dispute.id).where(Dispute.status == "closed").limit(3)


async def test_lists_of_other_lengths_are_other_shapes(app):
    by_shape = ByShape(lambda where: Dispute.select(Dispute.id).where(where).order_by(Dispute.id))
    one = Dispute.status.is_in(["logged"])
    three = Dispute.status.is_in(["logged", "accepted", "closed"])
    assert await by_shape.run(one) == await Dispute.select(Dispute.id).where(one).order_by(
        Dispute.id
    )
    assert await by_shape.run(three) == await Dispute.select(Dispute.id).where(three).order_by(
        Dispute.id
    )
    assert len(by_shape._kept) == 2
