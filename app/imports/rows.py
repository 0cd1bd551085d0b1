"""From a ledger row to a case, or to the row's problems: the fields a ledger may hold, the
guesses for a county's own headers and words, and the checks. Pure: the places come in.

Each problem names the row as the spreadsheet numbers it (the header is row 1) and the column
by the file's own header, in the user's language.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from app.i18n import N_, _

# What a column may mean. The order is the order of the mapping form's choices.
FIELDS: dict[str, str] = {
    "ledger_no": N_("Ledger number (the row key)"),
    "registered_on": N_("Date logged (登记)"),
    "category": N_("Category"),
    "parties": N_("Parties"),
    "phone": N_("Applicant's phone"),
    "township": N_("Township"),
    "village": N_("Village"),
    "grid": N_("Grid"),
    "place": N_("Grid or village"),
    "title": N_("Title"),
    "summary": N_("Summary"),
    "people": N_("People involved"),
    "status": N_("Status"),
    "resolved_on": N_("Date resolved (化解)"),
    "followed_up_on": N_("Date of the follow-up visit (回访)"),
    "closed_on": N_("Date closed (销号)"),
}
REQUIRED = ("registered_on", "category")
# The county's usual headers, most specific first (a header takes the first field it matches).
GUESSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ledger_no", ("台账编号", "案件编号", "编号", "案号", "登记号")),
    ("registered_on", ("登记日期", "登记时间", "受理日期", "受理时间", "发生日期", "日期")),
    ("resolved_on", ("化解日期", "化解时间", "办结日期", "办结时间", "调结日期")),
    ("followed_up_on", ("回访日期", "回访时间")),
    ("closed_on", ("销号日期", "销号时间")),
    ("category", ("纠纷类型", "纠纷类别", "矛盾类型", "案件类型", "类型", "类别")),
    ("phone", ("联系电话", "电话", "手机")),
    ("parties", ("当事人", "双方当事人", "申请人")),
    ("place", ("所属网格/村", "网格/村", "所属网格(村)")),
    ("grid", ("所属网格", "网格")),
    ("village", ("所属村", "村(社区)", "村/社区", "村居", "行政村", "社区", "村")),
    ("township", ("所属乡镇", "乡镇", "街道")),
    ("people", ("涉及人数", "人数")),
    ("status", ("化解状态", "办理状态", "化解情况", "状态", "结果")),
    ("title", ("案件名称", "事由", "标题")),
    ("summary", ("简要案情", "基本案情", "案情", "纠纷内容", "主要内容", "情况")),
)
# What an imported case can be: the statuses a ledger's words map to.
STATUS_TARGETS: dict[str, str] = {
    "logged": N_("Logged, awaiting acceptance"),
    "accepted": N_("Accepted"),
    "mediating": N_("In mediation"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
    "withdrawn": N_("Withdrawn"),
    "unresolvable": N_("Closed unresolved"),
}
STATUS_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("closed", ("销号", "办结", "结案")),
    ("unresolvable", ("未化解", "调解不成", "调解失败", "终止", "不成功")),
    ("withdrawn", ("撤回", "撤销", "自行和解")),
    ("resolved", ("已化解", "化解", "调解成功", "成功", "已调结")),
    ("mediating", ("调解中", "化解中", "正在", "在办", "跟进")),
    ("accepted", ("受理",)),
    ("logged", ("登记", "待")),
)
CATEGORY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("land_acquisition", ("征地", "拆迁", "征收")),
    ("land", ("土地", "山林", "宅基地", "地界", "林地", "承包")),
    ("neighbours", ("邻里", "相邻")),
    ("marriage_family", ("婚姻", "家庭", "赡养", "抚养", "继承")),
    ("wages", ("工资", "欠薪", "劳务", "劳动")),
    ("debt", ("债务", "借贷", "欠款", "合同")),
    ("environment", ("环境", "污染", "噪音")),
    ("property_management", ("物业",)),
    ("other", ("其他", "其它")),
)
_PARTY_SPLIT = re.compile(r"\s*(?:、|，|,|；|;|/|与|和|\s+vs\.?\s+|\s+)\s*")
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
ROW_NAMESPACE = uuid.UUID("6c1b1e9e-5a43-4d8e-9d8f-2f0f3c1a7e11")


def _norm(text: str) -> str:
    return re.sub(r"[\s（）()]", "", text)


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """{column index (as a string): field} for the headers it recognises, each field once."""
    taken: set[str] = set()
    mapping: dict[str, str] = {}
    for i, header in enumerate(headers):
        h = _norm(header)
        for code, words in GUESSES:
            if code not in taken and any(
                h == _norm(w) or (len(w) > 1 and _norm(w) in h) for w in words
            ):
                mapping[str(i)], taken = code, taken | {code}
                break
    return mapping


def _guess_word(value: str, table: tuple[tuple[str, tuple[str, ...]], ...], codes) -> str:
    for code, words in table:
        if code in codes and any(w in value for w in words):
            return code
    return ""


def guess_words(kind: str, values: list[str], categories: dict[str, str]) -> dict[str, str]:
    """The likely code of each distinct word of the status or category column ("" unknown)."""
    if kind == "status":
        return {v: _guess_word(v, STATUS_WORDS, STATUS_TARGETS) for v in values}
    by_name = {_(name): code for code, name in categories.items()} | {
        code: code for code in categories
    }
    return {v: by_name.get(v) or _guess_word(v, CATEGORY_WORDS, categories) for v in values}


def distinct(rows: list[list[str]], mapping: dict[str, str], field_code: str) -> list[str]:
    column = column_of(mapping, field_code)
    if column is None:
        return []
    return sorted({row[column] for row in rows if row[column]})


def column_of(mapping: dict[str, str], field_code: str) -> int | None:
    for index, code in mapping.items():
        if code == field_code:
            return int(index)
    return None


def parse_date(value: str) -> date | None:
    """A ledger's date: 2025-03-02, 2025/3/2, 2025.3.2, 2025年3月2日, 20250302 or an Excel
    serial number. None when it is not one."""
    value = value.strip()
    if match := _DATE.match(value) or _COMPACT.match(value):
        try:
            return date(*(int(g) for g in match.groups()))
        except ValueError:
            return None
    if value.isdigit() and 20000 < int(value) < 80000:  # an Excel serial day
        return date(1899, 12, 30) + timedelta(days=int(value))
    return None


@dataclass
class Places:
    """The county's villages and grids by name, for finding a row's place."""

    townships: dict[str, list[int]] = field(default_factory=dict)
    villages: dict[str, list[dict]] = field(default_factory=dict)  # name → [{id, township}]
    grids: dict[str, list[dict]] = field(default_factory=dict)  # name → [{id, village}]
    first_grid: dict[int, int] = field(default_factory=dict)  # village → its first grid


@dataclass
class Row:
    """A ledger row ready to become a case."""

    number: int  # as the spreadsheet numbers it
    id: uuid.UUID
    key: str
    grid: int
    category: str
    status: str
    registered: date
    resolved: date | None
    followed_up: date | None
    closed: date | None
    title: str
    summary: str
    parties: list[str]
    phone: str
    people: int


def _place(values: dict[str, str], places: Places) -> tuple[int | None, str | None]:
    """The row's grid, or the problem with its place."""
    township = values.get("township", "")
    village = values.get("village", "")
    grid = values.get("grid", "")
    place = values.get("place", "")
    if place and not (village or grid):
        parts = [p for p in re.split(r"\s*[/·\-—|＞>]\s*", place) if p]
        if len(parts) >= 2:
            village, grid = parts[-2], parts[-1]
        elif place in places.grids:
            grid = place
        else:
            village = place
    if not (village or grid):
        return None, _("No village or grid is given.")
    villages = places.villages.get(village, []) if village else []
    if township:
        if township not in places.townships:
            return None, _("Unknown township «%(name)s».", name=township)
        villages = [v for v in villages if v["township"] in places.townships[township]]
    if village and not villages:
        return None, _("Unknown village «%(name)s» in this county.", name=village)
    if grid:
        grids = places.grids.get(grid, [])
        if villages:
            ids = {v["id"] for v in villages}
            grids = [g for g in grids if g["village"] in ids]
        if not grids:
            return None, _("Unknown grid «%(name)s» in this county.", name=grid)
        if len(grids) > 1:
            return None, _("Several grids are called «%(name)s»: name the village too.", name=grid)
        return grids[0]["id"], None
    if len(villages) > 1:
        return None, _(
            "Several villages are called «%(name)s»: name the township too.", name=village
        )
    first = places.first_grid.get(villages[0]["id"])
    if first is None:
        return None, _("The village «%(name)s» has no grid.", name=village)
    return first, None


def row_key(values: dict[str, str], raw: list[str]) -> str:
    """The ledger's own number when it has one, else a hash of the whole row."""
    if values.get("ledger_no"):
        return "no:" + values["ledger_no"]
    return "row:" + hashlib.sha256(json.dumps(raw, ensure_ascii=False).encode()).hexdigest()


def check(
    raw: list[str],
    number: int,
    headers: list[str],
    mapping: dict[str, str],
    words: dict[str, dict[str, str]],
    places: Places,
    county: int,
    today: date,
) -> tuple[Row | None, list[str]]:
    """The row as a case, or its problems (each a sentence naming the column)."""
    values = {code: raw[int(i)].strip() for i, code in mapping.items() if code}
    header = {code: headers[int(i)] for i, code in mapping.items() if code}
    problems: list[str] = []

    def day(code: str) -> date | None:
        text = values.get(code, "")
        if not text:
            return None
        parsed = parse_date(text)
        if parsed is None:
            problems.append(
                _("%(column)s: «%(value)s» is not a date.", column=header[code], value=text)
            )
        elif parsed > today:
            problems.append(
                _("%(column)s: %(value)s is in the future.", column=header[code], value=text)
            )
            return None
        return parsed

    registered = day("registered_on")
    resolved, followed_up, closed = day("resolved_on"), day("followed_up_on"), day("closed_on")
    if not values.get("registered_on"):
        problems.append(_("The date logged (登记日期) is missing."))
    category = ""
    if not values.get("category"):
        problems.append(_("The category is missing."))
    else:
        category = words.get("category", {}).get(values["category"], "")
        if not category:
            problems.append(
                _("Unknown category «%(value)s»: map it to one of ours.", value=values["category"])
            )
    if "status" in values and values["status"]:
        status = words.get("status", {}).get(values["status"], "")
        if not status:
            problems.append(
                _("Unknown status «%(value)s»: map it to one of ours.", value=values["status"])
            )
    else:
        status = "closed" if closed else "resolved" if resolved else "mediating"
    if status in ("resolved", "closed") and not values.get("resolved_on"):
        problems.append(_("A resolved case needs its date resolved (化解日期)."))
    if status == "closed" and not (values.get("followed_up_on") or values.get("closed_on")):
        problems.append(_("A closed case needs its follow-up (回访) or closing (销号) date."))
    if registered and resolved and resolved < registered:
        problems.append(_("It was resolved before it was logged."))
    if resolved and followed_up and followed_up < resolved:
        problems.append(_("The follow-up visit came before the resolution."))
    grid, trouble = _place(values, places)
    if trouble:
        problems.append(trouble)
    people = 2
    if values.get("people"):
        if values["people"].isdigit() and 1 <= int(values["people"]) <= 10_000:
            people = int(values["people"])
        else:
            problems.append(
                _(
                    "%(column)s: «%(value)s» is not a number of people.",
                    column=header["people"],
                    value=values["people"],
                )
            )
    if problems or registered is None or grid is None:
        return None, problems
    parties = [p for p in _PARTY_SPLIT.split(values.get("parties", "")) if p][:20]
    summary = values.get("summary", "")
    title = values.get("title") or summary[:30] or "、".join(parties[:2]) or _("Imported case")
    key = row_key(values, raw)
    return (
        Row(
            number=number,
            id=uuid.uuid5(ROW_NAMESPACE, f"{county}:{key}"),
            key=key,
            grid=grid,
            category=category,
            status=status,
            registered=registered,
            resolved=resolved if status not in ("logged", "accepted", "mediating") else None,
            followed_up=followed_up if status in ("resolved", "closed") else None,
            closed=(closed or followed_up) if status == "closed" else None,
            title=title[:200],
            summary=summary[:5000],
            parties=[p[:100] for p in parties],
            phone=values.get("phone", "")[:30],
            people=max(people, len(parties), 1),
        ),
        [],
    )


def check_all(
    headers: list[str],
    rows: list[list[str]],
    mapping: dict[str, str],
    words: dict[str, dict[str, str]],
    places: Places,
    county: int,
    today: date,
    start: int = 0,
    stop: int | None = None,
) -> tuple[list[Row], list[dict[str, Any]]]:
    """The good rows and the problems of the bad ones ({row, problems}) between start and stop;
    a ledger number seen on an earlier row of the file is a problem too."""
    good: list[Row] = []
    bad: list[dict[str, Any]] = []
    missing = [code for code in REQUIRED if column_of(mapping, code) is None]
    seen: dict[str, int] = {}
    number_column = column_of(mapping, "ledger_no")
    if number_column is not None:
        for i, raw in enumerate(rows[: stop if stop is not None else len(rows)]):
            key = raw[number_column].strip()
            if key and key not in seen:
                seen[key] = i + 2
    for i in range(start, len(rows) if stop is None else min(stop, len(rows))):
        number = i + 2
        if missing:
            break
        row, problems = check(rows[i], number, headers, mapping, words, places, county, today)
        key = rows[i][number_column].strip() if number_column is not None else ""
        if key and seen.get(key, number) != number:
            problems.append(_("The same ledger number as row %(row)s.", row=seen[key]))
            row = None
        if row is None:
            bad.append({"row": number, "problems": problems})
        else:
            good.append(row)
    return good, bad
