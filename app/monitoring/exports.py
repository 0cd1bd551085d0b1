"""Reports as files: CSV (UTF-8 with a byte-order mark, so spreadsheet programs in China read
the Chinese right) and XLSX (openpyxl). Every download goes through `export`, which writes it
to the audit log. The reports hold figures, never a party's name or number.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from app.audit import log as audit
from app.auth.actor import Actor
from app.disputes.vocabulary import CATEGORIES, NATIONAL_CATEGORIES, label
from app.i18n import _
from app.i18n import gettext as translate
from app.monitoring import dashboard, figures
from app.monitoring.reports import KINDS

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def title(body: dict[str, Any]) -> str:
    kind = translate(KINDS[body["kind"]]) if body.get("kind") in KINDS else _("Report")
    return f"{body['node']['name']} {kind} {body['from']}–{body['to']}"


def _value(entry: dict[str, Any]) -> Any:
    return entry["value"] if entry["value"] is not None else ""


def sheets(body: dict[str, Any]) -> list[tuple[str, list[list[Any]]]]:
    """The report as tables: (sheet name, rows with a header row first)."""
    key_labels = [figures.label_of(c) for c in dashboard.KEY_FIGURES]
    main = [[_("Figure"), _("Value"), _("Shown as"), _("Definition")]]
    for f in body["figures"]:
        main.append(
            [figures.label_of(f["code"]), _value(f), f["display"], figures.help_of(f["code"])]
        )
    coverage = body["coverage"]
    main.append(
        [
            _("Sweep coverage"),
            coverage["rate"] if coverage["rate"] is not None else "",
            f"{coverage['reported']}/{coverage['grids']}",
            coverage["month"],
        ]
    )
    main.append([_("Alerts raised"), body.get("alerts_raised", ""), "", ""])
    main.append(
        [_("Supervision orders awaiting a reply"), body.get("supervision_open", ""), "", ""]
    )

    def breakdown(name_header: str, rows: list[tuple[str, dict]]) -> list[list[Any]]:
        table = [[name_header, *key_labels]]
        for name, figs in rows:
            table.append([name, *(_value(figs[c]) for c in dashboard.KEY_FIGURES)])
        return table

    return [
        (_("Figures"), main),
        (
            _("By category"),
            breakdown(
                _("Category"),
                [(label(CATEGORIES, c["code"]), c["figures"]) for c in body["by_category"]],
            ),
        ),
        (_("By national category"), breakdown(_("Category"), _national_rows(body))),
        (_("By area"), breakdown(_("Area"), [(a["name"], a["figures"]) for a in body["by_area"]])),
        (
            _("By month"),
            breakdown(_("Month"), [(m["month"], m["figures"]) for m in body["months"]]),
        ),
    ]


def _national_rows(body: dict[str, Any]) -> list[tuple[str, dict]]:
    """Each national category, then the county categories that roll up to it, indented."""
    county = {c["code"]: c for c in body["by_category"]}
    rows: list[tuple[str, dict]] = []
    for n in body.get("by_national", []):
        rows.append((label(NATIONAL_CATEGORIES, n["code"]), n["figures"]))
        rows += [
            ("　└ " + label(CATEGORIES, code), county[code]["figures"])
            for code in n["categories"]
            if code in county
        ]
    return rows


def _cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula (=, +, -, @ first) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


safe_cell = _cell  # for the other exports (cases)


def _clean(rows: list[list[Any]]) -> list[list[Any]]:
    return [[_cell(v) for v in row] for row in rows]


def _csv(body: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_cell(title(body))])
    writer.writerow([_("Issued at"), body["issued_at"]])
    for name, rows in sheets(body):
        writer.writerow([])
        writer.writerow([name])
        writer.writerows(_clean(rows))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(body: dict[str, Any]) -> bytes:
    from openpyxl import Workbook  # here, not at import: ~0.3 s of every start-up
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets(body):
        sheet = book.create_sheet(name[:31])
        sheet.append([_cell(title(body))])
        sheet.append([_("Issued at"), body["issued_at"]])
        sheet.append([])
        for i, row in enumerate(_clean(rows)):
            sheet.append(row)
            if i == 0:
                for cell in sheet[sheet.max_row]:
                    cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 28
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def export(
    actor: Actor, body: dict[str, Any], fmt: str, origin: audit.Origin
) -> tuple[bytes, str, str]:
    """(content, media type, file name) of a report in `fmt` (csv or xlsx), for `actor`; the
    audit log records who took which figures out, when and from where."""
    content = _csv(body) if fmt == "csv" else _xlsx(body)
    name = f"pingli-{body.get('kind', 'report')}-{body['node']['id']}-{body['from']}-{body['to']}.{fmt}"
    what = f"{name} ({title(body)})"
    if body.get("id"):
        what = f"report {body['id']}: {what}"
    await audit.record(actor, "export", audit.county_of(actor), what, origin)
    return content, FORMATS[fmt], name
