"""Cases as files: the cases of any list filter as CSV or XLSX, streamed.

The rows are read in keyset batches (newest first, the list's own order and indexes) and written
out as they come, so an export of a hundred thousand cases holds one batch in memory, not the
whole list, and has no row cap. Phones and ID numbers are masked as in every list; every export
is written to the audit log (who, which filter, when, from where).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Router, get
from litestar.response import Stream

from app.audit import log as audit
from app.auth.actor import Actor
from app.auth.guards import signed_in
from app.auth.scope import get_or_404
from app.disputes import queries
from app.disputes.errors import FieldErrors
from app.disputes.privacy import mask_phone
from app.disputes.tables import Dispute, Party
from app.disputes.vocabulary import CASE_LEVELS, CATEGORIES, RISK_LEVELS, STATUSES, label
from app.i18n import _
from app.jurisdictions.tables import Jurisdiction
from app.monitoring.exports import safe_cell

BATCH = 1000
CHINA = timedelta(hours=8)
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
COLUMNS = (
    Dispute.id,
    Dispute.case_no,
    Dispute.created_at,
    Dispute.category,
    Dispute.title,
    Dispute.status,
    Dispute.level,
    Dispute.risk_level,
    Dispute.people_involved,
    Dispute.township.name.as_alias("township_name"),
    Dispute.village.name.as_alias("village_name"),
    Dispute.grid.name.as_alias("grid_name"),
    Dispute.due_at,
    Dispute.resolved_at,
    Dispute.closed_at,
)


def header() -> list[str]:
    return [
        _("Case number"),
        _("Logged at"),
        _("Category"),
        _("Title"),
        _("Status"),
        _("Level"),
        _("Risk"),
        _("People involved"),
        _("Township"),
        _("Village"),
        _("Grid"),
        _("Due"),
        _("Overdue"),
        _("Resolved at"),
        _("Closed at"),
        _("Parties"),
    ]


def _local(value: datetime | None) -> str:
    return (value.astimezone(UTC) + CHINA).strftime("%Y-%m-%d %H:%M") if value else ""


async def rows(actor: Actor, f: queries.DisputeFilters) -> AsyncIterator[list[Any]]:
    """Every case the filter matches in `actor`'s area, newest first, one list per case."""
    now = datetime.now(UTC)
    level = None
    if f.jurisdiction:
        level = (await get_or_404(Jurisdiction, f.jurisdiction, actor, Jurisdiction.level))["level"]
    where = queries.where_of(actor, f, now, level)
    after: tuple[datetime, Any] | None = None
    while True:
        batch_where = where if after is None else where & queries.after_cursor(after)
        batch = await (
            Dispute.select(*COLUMNS)
            .where(batch_where)
            .order_by(Dispute.created_at, ascending=False)
            .order_by(Dispute.id, ascending=False)
            .limit(BATCH)
        )
        if not batch:
            return
        parties: dict[Any, list[str]] = {}
        for p in (
            await Party.select(Party.dispute, Party.name, Party.phone)
            .where(Party.dispute.is_in([r["id"] for r in batch]))
            .order_by(Party.position)
        ):
            phone = mask_phone(p["phone"])
            parties.setdefault(p["dispute"], []).append(
                f"{p['name']} ({phone})" if phone else p["name"]
            )
        for r in batch:
            yield [
                r["case_no"],
                _local(r["created_at"]),
                label(CATEGORIES, r["category"]),
                r["title"],
                label(STATUSES, r["status"]),
                label(CASE_LEVELS, r["level"]),
                label(RISK_LEVELS, r["risk_level"]),
                r["people_involved"],
                r["township_name"],
                r["village_name"],
                r["grid_name"],
                _local(r["due_at"]),
                _("Yes") if r["due_at"] and r["due_at"] <= now else "",
                _local(r["resolved_at"]),
                _local(r["closed_at"]),
                "; ".join(parties.get(r["id"], [])),
            ]
        if len(batch) < BATCH:
            return
        after = (batch[-1]["created_at"], batch[-1]["id"])


async def csv_stream(actor: Actor, f: queries.DisputeFilters) -> AsyncIterator[bytes]:
    out = io.StringIO()
    writer = csv.writer(out)
    # a byte-order mark, so spreadsheet programs in China read the file as UTF-8
    writer.writerow(header())
    yield "\ufeff".encode() + _drain(out)
    count = 0
    async for row in rows(actor, f):
        writer.writerow([safe_cell(v) for v in row])
        count += 1
        if count % 200 == 0:
            yield _drain(out)
    yield _drain(out)


def _drain(out: io.StringIO) -> bytes:
    data = out.getvalue().encode("utf-8")
    out.seek(0)
    out.truncate()
    return data


async def xlsx_stream(actor: Actor, f: queries.DisputeFilters) -> AsyncIterator[bytes]:
    """openpyxl's write-only workbook keeps rows in a temporary file, not in memory; the finished
    file is then sent in chunks and removed."""
    from openpyxl import Workbook  # here, not at import: ~0.3 s of every start-up

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Cases")[:31])
    sheet.append(header())
    async for row in rows(actor, f):
        sheet.append([safe_cell(v) for v in row])
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        book.save(path)
        with open(path, "rb") as fh:
            while chunk := fh.read(256 * 1024):
                yield chunk
    finally:
        os.unlink(path)


@get(["/disputes/export.csv", "/disputes/export.xlsx"], guards=[signed_in])
async def export(request: Request) -> Stream:
    """The cases of the list's filters (the same query parameters as /disputes) as a file."""
    fmt = request.url.path.rsplit(".", 1)[-1]
    params = {k: v for k, v in request.query_params.items() if k not in ("page", "per_page")}
    f = queries.DisputeFilters.from_params(params)
    if f.errors:
        raise FieldErrors(f.errors)
    actor = request.user
    if f.jurisdiction:  # an area outside the user's own is 404 before anything is logged
        await get_or_404(Jurisdiction, f.jurisdiction, actor, Jurisdiction.id)
    stamp = (datetime.now(UTC) + CHINA).strftime("%Y%m%d-%H%M")
    name = f"pingli-cases-{stamp}.{fmt}"
    what = f"{name}?{urlencode(params)}" if params else name
    await audit.record(actor, "export", audit.county_of(actor), what, audit.Origin.of(request))
    body = csv_stream(actor, f) if fmt == "csv" else xlsx_stream(actor, f)
    return Stream(
        body,
        media_type=MEDIA[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


# a page route like the list it exports (cookie or bearer), not part of the API description
router = Router(path="/", route_handlers=[export], include_in_schema=False)
