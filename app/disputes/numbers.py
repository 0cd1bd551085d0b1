"""Case numbers: `<county>-<year>-<six digits>`, counted per county and year, unique.

How a number is claimed without making case creation wait in line:
- PostgreSQL: a sequence per county-year (`case_no_<county code>_<year>`). `nextval` takes no
  lock that lasts: two creates at once each get a number at once and commit in any order,
  where a counter row would have been held by the first until its commit (one create at a
  time per county). The price: a create that fails after claiming leaves its number unused
  (a gap; the numbers stay unique). The sequence is made on the first claim of a county-year,
  starting after what the `case_sequence` row of that key had counted, so numbers from before
  it carry on.
- SQLite: one writer at a time anyway (a write transaction takes the database's lock up
  front, app/db.py), so the counter row costs nothing more: an UPSERT … RETURNING in the
  caller's transaction, gapless.

The sequences are DDL outside Piccolo's tables: raw SQL here, beside the claims that use them.
"""

from __future__ import annotations

import re
import uuid

from app import db
from app.disputes.tables import CaseSequence, Dispute

_known: set[str] = set()  # sequences this process has seen exist


def key(county_code: str, year: int) -> str:
    return f"{county_code}-{year}"


def sequence_name(counter_key: str) -> str:
    """A safe identifier for the key: lower-case letters, digits and underscores only."""
    return "case_no_" + re.sub(r"[^a-z0-9]+", "_", counter_key.lower())[:50]


async def ensure(counter_key: str) -> None:
    """PostgreSQL: make the key's sequence if it is not there yet. Call it before the
    transaction that claims, so the sequence is there even when that transaction fails."""
    if not db.is_postgres():
        return
    name = sequence_name(counter_key)
    if name in _known:
        return
    async with db.transaction():
        # two first claims at once: one makes it, the other finds it made
        await CaseSequence.raw("SELECT pg_advisory_xact_lock(hashtext({}))", name)
        found = await CaseSequence.raw("SELECT to_regclass({}) IS NOT NULL AS found", name)
        if not found[0]["found"]:
            row = (
                await CaseSequence.select(CaseSequence.last)
                .where(CaseSequence.key == counter_key)
                .first()
            )
            start = (row["last"] if row else 0) + 1
            await CaseSequence.raw(f'CREATE SEQUENCE "{name}" START WITH {int(start)}')
    _known.add(name)


async def claim(counter_key: str, n: int = 1) -> list[int]:
    """`n` new numbers of the key, ascending, inside the caller's transaction."""
    if db.is_postgres():
        name = sequence_name(counter_key)
        await ensure(counter_key)  # normally known already: no statement
        try:
            rows = await CaseSequence.raw(
                "SELECT nextval({}::regclass) AS n FROM generate_series(1, {})", name, n
            )
        except Exception:
            _known.discard(name)  # made in a transaction that was rolled back: make it again
            raise
        return sorted(r["n"] for r in rows)
    rows = await CaseSequence.raw(
        "INSERT INTO case_sequence (key, last) VALUES ({}, {}) "
        "ON CONFLICT (key) DO UPDATE SET last = case_sequence.last + {} RETURNING last",
        counter_key,
        n,
        n,
    )
    last = rows[0]["last"]
    return list(range(last - n + 1, last + 1))


async def last(counter_key: str) -> int:
    """The last number given out for the key (0: none yet)."""
    if db.is_postgres():
        await ensure(counter_key)
        name = sequence_name(counter_key)
        row = (await CaseSequence.raw(f'SELECT last_value, is_called FROM "{name}"'))[0]
        return row["last_value"] if row["is_called"] else row["last_value"] - 1
    row = (
        await CaseSequence.select(CaseSequence.last).where(CaseSequence.key == counter_key).first()
    )
    return row["last"] if row else 0


async def advance_to(counter_key: str, number: int) -> None:
    """After numbers were written in bulk (the seed): the next claim gives more than `number`.
    Not for concurrent use."""
    if number < 1:
        return
    if db.is_postgres():
        await ensure(counter_key)
        name = sequence_name(counter_key)
        await CaseSequence.raw(
            f'SELECT setval(\'"{name}"\', greatest({{}}, (SELECT last_value FROM "{name}")))',
            number,
        )
        return
    await CaseSequence.insert(CaseSequence(key=counter_key, last=0)).on_conflict(
        action="DO NOTHING"
    )
    await CaseSequence.update({CaseSequence.last: number}).where(
        (CaseSequence.key == counter_key) & (CaseSequence.last < number)
    )


def creating(case_id: object) -> str:
    """The lock a case's creating transaction takes first (`db.transaction(lock=...)`).
    PostgreSQL: the phone's outbox may send one case twice at once (the page and Background
    Sync). Both would claim a number before one of them fails on the id, leaving a gap; with
    this lock, the second waits for the first and then finds the case stored (a replay, no
    number claimed). Creates of different cases do not wait for each other. SQLite: one writer
    at a time already."""
    return str(case_id)


# PostgreSQL: whether the case is stored, and if not a number, in one round trip (a volatile
# nextval in a CASE runs only for the branch taken: a replay claims nothing). Raw, as claim's.
_STORED_OR_CLAIM = (
    "SELECT d.content_hash AS stored,"
    " CASE WHEN d.id IS NULL THEN nextval({}::regclass) END AS n"
    " FROM (SELECT 1) AS one LEFT JOIN dispute AS d ON d.id = {}"
)


async def claim_unless_stored(
    counter_key: str, case_id: uuid.UUID
) -> tuple[str | None, int | None]:
    """Inside the creating transaction, after its lock: the content hash of case `case_id`
    if it is stored already (and no number claimed), else (None, a new number of the key)."""
    if db.is_postgres():
        await ensure(counter_key)  # normally known already: no statement
        name = sequence_name(counter_key)
        try:
            row = (await CaseSequence.raw(_STORED_OR_CLAIM, name, case_id))[0]
        except Exception:
            _known.discard(name)  # made in a transaction that was rolled back: make it again
            raise
        return row["stored"], row["n"]
    stored = await Dispute.select(Dispute.content_hash).where(Dispute.id == case_id).first()
    if stored is not None:
        return stored["content_hash"], None
    return None, (await claim(counter_key))[0]
