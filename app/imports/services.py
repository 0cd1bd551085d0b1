"""Ledger imports: the only writers of LedgerImport, and the road from an uploaded file to
cases (app/disputes/imported.py writes those).

upload → map the headers and words (guessed at first) → preview every row's problems →
start (the valid rows, or all rows and none if one is bad) → run, a batch at a time, each batch
one transaction that also moves the progress on; then the figures are refreshed, so the
county's figures count the imported cases.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from app import clock, db
from app.audit import log as audit
from app.auth.actor import Actor
from app.disputes import imported
from app.disputes.deadlines import CHINA
from app.disputes.errors import FieldErrors
from app.disputes.vocabulary import CATEGORIES
from app.i18n import _
from app.imports import rows as ledger_rows
from app.imports import sheets
from app.imports.tables import LedgerImport
from app.jurisdictions.tables import Jurisdiction
from app.monitoring import facts

BATCH = 500
IMPORTERS = ("admin", "county_officer")


class NotFound(LookupError):
    pass


def may_import(actor: Actor) -> bool:
    return actor.role in IMPORTERS and actor.level == "county" and actor.county_id is not None


def _require(actor: Actor) -> None:
    if not may_import(actor):
        raise PermissionError(_("Only the county's administrator or officers import ledgers."))


async def upload(actor: Actor, filename: str, content: bytes) -> int:
    """Read the file and keep its rows with a guessed mapping. Raises sheets.SheetError."""
    _require(actor)
    headers, data = sheets.read(filename, content)
    mapping = ledger_rows.guess_mapping(headers)
    job = LedgerImport(
        county=actor.county_id,
        created_by=actor.id,
        filename=filename[:200],
        headers=json.dumps(headers, ensure_ascii=False),
        rows=json.dumps(data, ensure_ascii=False),
        mapping=json.dumps(mapping),
        words=json.dumps(_guess_words(data, mapping, {}), ensure_ascii=False),
        total=len(data),
    )
    await job.save()
    return job.id


def _guess_words(data: list[list[str]], mapping: dict, kept: dict) -> dict[str, dict[str, str]]:
    """The words of the status and category columns: those already chosen, else guessed."""
    out = {}
    for kind in ("status", "category"):
        values = ledger_rows.distinct(data, mapping, kind)
        guessed = ledger_rows.guess_words(kind, values, dict(CATEGORIES))
        out[kind] = {v: kept.get(kind, {}).get(v, guessed[v]) for v in values}
    return out


async def get(actor: Actor, import_id: int, with_rows: bool = True) -> dict[str, Any]:
    """The import, if it is of the actor's county (else NotFound, like a missing one)."""
    _require(actor)
    columns = [c for c in LedgerImport.all_columns() if with_rows or c._meta.name != "rows"]
    row = (
        await LedgerImport.select(*columns)
        .where((LedgerImport.id == import_id) & (LedgerImport.county == actor.county_id))
        .first()
    )
    if row is None:
        raise NotFound(import_id)
    for key in ("headers", "rows", "mapping", "words"):
        if key in row:
            row[key] = json.loads(row[key])
    return row


async def recent(actor: Actor) -> list[dict[str, Any]]:
    _require(actor)
    columns = [c for c in LedgerImport.all_columns() if c._meta.name not in ("rows", "headers")]
    return (
        await LedgerImport.select(*columns)
        .where(LedgerImport.county == actor.county_id)
        .order_by(LedgerImport.id, ascending=False)
        .limit(20)
    )


async def save_mapping(actor: Actor, import_id: int, form: dict[str, Any]) -> None:
    """The mapping form: `col-<i>` = field for each header, `status:<word>` and
    `category:<word>` = code. A field chosen for two columns is refused."""
    job = await get(actor, import_id)
    if job["state"] != "uploaded":
        raise FieldErrors({"mapping": _("This import has started: its mapping is fixed.")})
    mapping: dict[str, str] = {}
    for i in range(len(job["headers"])):
        code = str(form.get(f"col-{i}") or "")
        if code and code not in ledger_rows.FIELDS:
            raise FieldErrors({f"col-{i}": _("Unknown field.")})
        if code and code in mapping.values():
            raise FieldErrors(
                {
                    f"col-{i}": _(
                        "%(field)s is chosen for two columns.", field=_(ledger_rows.FIELDS[code])
                    )
                }
            )
        if code:
            mapping[str(i)] = code
    chosen: dict[str, dict[str, str]] = {"status": {}, "category": {}}
    targets = {"status": ledger_rows.STATUS_TARGETS, "category": categories_now()}
    for key, value in form.items():
        kind, sep, word = str(key).partition(":")
        if sep and kind in chosen and str(value) in targets[kind]:
            chosen[kind][word] = str(value)
    words = _guess_words(job["rows"], mapping, chosen)
    for kind in words:  # a word the form left unmapped stays unmapped (not guessed again)
        for word in words[kind]:
            if f"{kind}:{word}" in form and word not in chosen[kind]:
                words[kind][word] = ""
    await LedgerImport.update(
        {
            LedgerImport.mapping: json.dumps(mapping),
            LedgerImport.words: json.dumps(words, ensure_ascii=False),
        }
    ).where((LedgerImport.id == import_id) & (LedgerImport.state == "uploaded"))


def categories_now() -> dict[str, str]:
    return dict(CATEGORIES)


async def places(county: int) -> ledger_rows.Places:
    """The county's townships, villages and grids by name."""
    nodes = await Jurisdiction.select(
        Jurisdiction.id,
        Jurisdiction.name,
        Jurisdiction.level,
        Jurisdiction.code,
        Jurisdiction.township,
        Jurisdiction.village,
    ).where((Jurisdiction.county == county) & (Jurisdiction.level != "county"))
    out = ledger_rows.Places()
    for n in sorted(nodes, key=lambda n: n["code"]):
        name = n["name"].strip()
        if n["level"] == "township":
            out.townships.setdefault(name, []).append(n["id"])
        elif n["level"] == "village":
            out.villages.setdefault(name, []).append({"id": n["id"], "township": n["township"]})
        elif n["level"] == "grid":
            out.grids.setdefault(name, []).append({"id": n["id"], "village": n["village"]})
            out.first_grid.setdefault(n["village"], n["id"])
    return out


async def preview(actor: Actor, job: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """Every bad row with its problems, the count of good ones, and the required fields the
    mapping lacks."""
    today = (now or clock.now()).astimezone(CHINA).date()
    good, bad = ledger_rows.check_all(
        job["headers"],
        job["rows"],
        job["mapping"],
        job["words"],
        await places(job["county"]),
        job["county"],
        today,
    )
    missing = [
        {"code": c, "name": _(ledger_rows.FIELDS[c])}
        for c in ledger_rows.REQUIRED
        if ledger_rows.column_of(job["mapping"], c) is None
    ]
    return {"good": len(good), "bad": bad, "missing": missing}


async def start(actor: Actor, import_id: int, mode: str, origin: audit.Origin) -> None:
    """Begin importing: `valid` imports the good rows and leaves the bad ones out; `all`
    imports every row, or nothing when one is bad."""
    job = await get(actor, import_id)
    if mode not in ("valid", "all"):
        raise FieldErrors({"mode": _("Choose what to import.")})
    if job["state"] != "uploaded":
        raise FieldErrors({"mode": _("This import has already started.")})
    shown = await preview(actor, job)
    if shown["missing"]:
        raise FieldErrors({"mode": _("Map the columns every case needs first.")})
    if mode == "all" and shown["bad"]:
        raise FieldErrors(
            {
                "mode": _(
                    "%(n)s rows have problems: nothing was imported. Correct them, or import only the valid rows.",
                    n=len(shown["bad"]),
                )
            }
        )
    claimed = (
        await LedgerImport.update({LedgerImport.state: "importing", LedgerImport.mode: mode})
        .where((LedgerImport.id == import_id) & (LedgerImport.state == "uploaded"))
        .returning(LedgerImport.id)
    )
    if not claimed:
        raise FieldErrors({"mode": _("This import has already started.")})
    await audit.record(
        actor,
        "ledger_import",
        actor.county_id,
        f"ledger import {import_id}: {job['filename']}",
        origin,
    )


async def run(actor: Actor, import_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Import the rows not gone through yet, a batch per transaction; each batch claims its
    rows by moving `done` on from the value it read, so two runners never import one row
    twice (and a row imported before is found by its id and skipped). Then the figures."""
    job = await get(actor, import_id)
    today = (now or clock.now()).astimezone(CHINA).date()
    where = await places(job["county"])
    while job["state"] == "importing" and job["done"] < job["total"]:
        start = job["done"]
        stop = min(start + BATCH, job["total"])
        good, bad = ledger_rows.check_all(
            job["headers"],
            job["rows"],
            job["mapping"],
            job["words"],
            where,
            job["county"],
            today,
            start,
            stop,
        )
        async with db.transaction():
            claimed = (
                await LedgerImport.update(
                    {
                        LedgerImport.done: stop,
                        LedgerImport.bad: LedgerImport.bad + len(bad),
                    }
                )
                .where((LedgerImport.id == import_id) & (LedgerImport.done == start))
                .returning(LedgerImport.id)
            )
            if not claimed:
                break  # another runner took this batch
            created, skipped = await imported.write(actor, import_id, good)
            await LedgerImport.update(
                {
                    LedgerImport.created: LedgerImport.created + created,
                    LedgerImport.skipped: LedgerImport.skipped + skipped,
                }
            ).where(LedgerImport.id == import_id)
        job["done"] = stop
    await facts.refresh(now)
    await LedgerImport.update(
        {LedgerImport.state: "done", LedgerImport.finished_at: clock.now()}
    ).where(
        (LedgerImport.id == import_id)
        & (LedgerImport.state == "importing")
        & (LedgerImport.done == LedgerImport.total)
    )
    return await get(actor, import_id, with_rows=False)
