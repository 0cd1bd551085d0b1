"""Creating many users at once from a spreadsheet (CSV, or XLSX: openpyxl is already a
dependency, for the report exports).

Columns, by their header (English or Chinese): name 姓名, role 角色 (a code like grid_worker or
its label like 网格员), jurisdiction_code 区域代码, phone 电话, and optionally username 用户名
(made from the area's code when left empty). Every row is checked first and shown with its
problems; creating is all or nothing, checked again, each account audited like one made by
hand, each with a temporary password shown once.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from app import db
from app.audit import log as audit
from app.auth import users
from app.auth.actor import Actor
from app.auth.scope import scope_where
from app.auth.tables import ROLES, User
from app.disputes.vocabulary import ROLE_LABELS
from app.i18n import _
from app.i18n import gettext as translate
from app.jurisdictions.tables import Jurisdiction

MAX_ROWS = 500
MAX_BYTES = 2 * 1024 * 1024
HEADERS = {
    "name": "display_name",
    "姓名": "display_name",
    "role": "role",
    "角色": "role",
    "jurisdiction_code": "code",
    "jurisdiction": "code",
    "区域代码": "code",
    "phone": "phone",
    "电话": "phone",
    "username": "username",
    "用户名": "username",
}
FIELDS = ("username", "display_name", "role", "code", "phone")


class SheetError(Exception):
    """The file as a whole cannot be read."""


def _role_code(value: str) -> str:
    value = value.strip()
    if value in ROLES:
        return value
    for code, msgid in ROLE_LABELS.items():
        if value in (msgid, translate(msgid)):
            return code
    return value


def _cells(raw: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx") or raw[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as exc:
            raise SheetError(_("The spreadsheet cannot be read.")) from exc
        sheet = book.worksheets[0]
        return [
            ["" if v is None else str(v).strip() for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")  # a CSV saved by a spreadsheet program in China
        except UnicodeDecodeError as exc:
            raise SheetError(_("The spreadsheet cannot be read.")) from exc
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def read_sheet(raw: bytes, filename: str = "") -> list[dict[str, str]]:
    """The rows of the sheet as dicts of FIELDS, or SheetError."""
    if not raw.strip():
        raise SheetError(_("Choose a CSV or XLSX file."))
    cells = [row for row in _cells(raw, filename) if any(row)]
    if not cells:
        raise SheetError(_("The spreadsheet has no rows."))
    header = [HEADERS.get(h.strip().lower(), HEADERS.get(h.strip(), "")) for h in cells[0]]
    if not {"display_name", "role", "code"} <= set(header):
        raise SheetError(
            _("The first row must name the columns: name, role, jurisdiction_code, phone.")
        )
    if len(cells) - 1 > MAX_ROWS:
        raise SheetError(_("At most %(n)s users at a time.", n=MAX_ROWS))
    rows = []
    for line in cells[1:]:
        row = {f: "" for f in FIELDS}
        for name, value in zip(header, line, strict=False):
            if name:
                row[name] = str(value or "").strip()[:100]
        row["role"] = _role_code(row["role"])
        row["username"] = row["username"].lower()
        rows.append(row)
    return rows


async def check(actor: Actor, rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Each row with its problems (empty when it can be created) and the node it names."""
    codes = {r["code"] for r in rows if r["code"]}
    nodes = {
        n["code"]: n
        for n in await Jurisdiction.select(
            Jurisdiction.id, Jurisdiction.code, Jurisdiction.name, Jurisdiction.level
        ).where(Jurisdiction.code.is_in(list(codes) or [""]) & scope_where(Jurisdiction, actor))
    }
    wanted = [r["username"] for r in rows if r["username"]]
    taken = {
        u["username"]
        for u in await User.select(User.username).where(User.username.is_in(wanted or [""]))
    }
    seen: set[str] = set()
    checked = []
    for i, row in enumerate(rows, start=2):  # the spreadsheet's own line numbers
        problems: list[str] = []
        if not row["display_name"]:
            problems.append(_("A name is required."))
        if row["role"] not in ROLES:
            problems.append(_("Unknown role: %(value)s.", value=row["role"] or "—"))
        node = nodes.get(row["code"])
        if node is None:
            problems.append(
                _("No area with the code %(code)s in your area.", code=row["code"] or "—")
            )
        elif (
            row["role"] in users.ROLE_LEVELS and node["level"] not in users.ROLE_LEVELS[row["role"]]
        ):
            problems.append(_("This role does not work at that level of area."))
        phone = row["phone"]
        if phone and (len(phone) > 32 or not all(c.isdigit() or c in "+- " for c in phone)):
            problems.append(_("A phone number has digits only."))
        username = row["username"]
        if username:
            if not users.USERNAME_RE.match(username):
                problems.append(
                    _("3 to 64 characters: lower-case letters, digits, dot, dash or underscore.")
                )
            elif username in taken or username in seen:
                problems.append(_("This username is taken."))
            seen.add(username)
        checked.append(
            row | {"line": i, "problems": problems, "node": node, "masked_phone": _mask(phone)}
        )
    # usernames made for the rows that have none: the area's code and a number
    for row in checked:
        if not row["username"] and row["node"] is not None:
            n = 1
            while (name := f"{row['code']}-{n}".lower()) in seen or await User.exists().where(
                User.username == name
            ):
                n += 1
            row["username"] = name
            seen.add(name)
    return checked


def _mask(phone: str) -> str:
    from app.disputes.privacy import mask_phone

    return mask_phone(phone)


async def create_all(
    actor: Actor, rows: list[dict[str, str]], origin: audit.Origin | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(created accounts with their temporary passwords, []) when every row is good; otherwise
    ([], the rows with their problems) and nothing is created."""
    checked = await check(actor, rows)
    if not checked or any(r["problems"] for r in checked):
        return [], checked
    created = []
    async with db.transaction():
        for row in checked:
            user_id, password = await users.create_user(
                actor,
                {
                    "username": row["username"],
                    "display_name": row["display_name"],
                    "role": row["role"],
                    "jurisdiction": row["node"]["id"],
                    "phone": row["phone"],
                },
                origin,
            )
            created.append(
                {
                    "id": user_id,
                    "username": row["username"],
                    "display_name": row["display_name"],
                    "password": password,
                }
            )
    return created, []
