"""Reading a ledger file (XLSX or CSV) into a header row and data rows of plain strings, and
writing the template to fill in. Pure: no database."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from app.i18n import _

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
# The template's columns: the headers a county's ledger most often has (see rows.GUESSES).
TEMPLATE_HEADERS = (
    "台账编号",
    "登记日期",
    "纠纷类型",
    "当事人",
    "联系电话",
    "所属乡镇",
    "所属村(社区)",
    "所属网格",
    "简要案情",
    "涉及人数",
    "化解状态",
    "化解日期",
    "回访日期",
)
TEMPLATE_EXAMPLES = (
    (
        "TZ-2025-0001",
        "2025-03-02",
        "邻里纠纷",
        "张三、李四",
        "13800000000",
        "",
        "",
        "",
        "宅前排水沟堵塞引发争执",
        "2",
        "已化解",
        "2025-03-10",
        "2025-04-08",
    ),
)


class SheetError(ValueError):
    """The file cannot be read as a ledger: the message says why, in the user's language."""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat()
            if value.time() == datetime.min.time()
            else value.isoformat(" ")
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel's "CSV" in China is often GBK
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError(_("The file is neither UTF-8 nor GBK text."))


def read(filename: str, content: bytes) -> tuple[list[str], list[list[str]]]:
    """The header row and the data rows (blank rows dropped; every row as long as the header)."""
    if not content:
        raise SheetError(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise SheetError(_("The file is larger than 20 MB."))
    if content[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook  # here, not at import: ~0.3 s of every start-up

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:
            raise SheetError(_("The file cannot be read as an Excel workbook (.xlsx).")) from exc
        sheet = book.worksheets[0]
        table = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
    elif filename.lower().endswith((".xls",)):
        raise SheetError(_("Save the sheet as .xlsx or .csv first (the old .xls is not read)."))
    else:
        text = _decode(content)
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        table = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    table = [row for row in table if any(row)]
    if not table:
        raise SheetError(_("The file has no rows."))
    headers = table[0]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise SheetError(_("The first row must hold the column headers."))
    rows = [(row + [""] * len(headers))[: len(headers)] for row in table[1:]]
    if not rows:
        raise SheetError(_("The file has headers but no rows."))
    if len(rows) > MAX_ROWS:
        raise SheetError(_("At most %(n)s rows per file: split the ledger.", n=MAX_ROWS))
    return [h or f"#{i + 1}" for i, h in enumerate(headers)], rows


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(list(TEMPLATE_HEADERS))
    for row in TEMPLATE_EXAMPLES:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
