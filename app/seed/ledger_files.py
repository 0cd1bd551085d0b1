"""A synthetic county ledger (台账) as a county keeps it in Excel: Chinese headers, mixed date
formats, the county's own status words, and a share of bad rows (an unknown village, a date
that is not one, a missing category, a case resolved before it was logged), and people who come back with another dispute. For the tests and
the bench of the ledger import (app/imports/)."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta

from openpyxl import Workbook

HEADERS = [
    "台账编号",
    "登记日期",
    "纠纷类型",
    "当事人",
    "联系电话",
    "所属乡镇",
    "所属村(社区)",
    "所属网格",
    "简要案情",
    "化解状态",
    "化解日期",
    "回访日期",
]
CATEGORIES = [
    "邻里纠纷",
    "土地纠纷",
    "婚姻家庭纠纷",
    "债务纠纷",
    "欠薪纠纷",
    "物业纠纷",
    "其他纠纷",
]
STORIES = [
    "宅前排水沟堵塞引发争执",
    "承包地地界不清",
    "赡养老人费用分担",
    "借款到期未还",
    "工程款拖欠",
    "物业费收缴争议",
    "宠物扰民",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
BAD_KINDS = ("village", "date", "category", "order")


@dataclass
class LedgerFile:
    content: bytes
    rows: int
    bad_rows: dict[int, str]  # spreadsheet row number (header = 1) → what is wrong with it
    statuses: dict[str, int]  # status word → rows with it, good rows only


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _date(rng: random.Random, day: date) -> str:
    style = rng.randrange(3)
    if style == 0:
        return day.isoformat()
    if style == 1:
        return f"{day.year}/{day.month}/{day.day}"
    return f"{day.year}年{day.month}月{day.day}日"


def build(
    places: list[tuple[str, str, str]],
    n: int,
    bad_share: float = 0.03,
    seed: int = 18,
    today: date = date(2026, 12, 1),
    fmt: str = "xlsx",
    prefix: str = "TZ",
) -> LedgerFile:
    """n rows over `places` (township, village, grid names); about bad_share of them bad."""
    rng = random.Random(seed)
    bad_at = set(rng.sample(range(n), round(n * bad_share)))
    table: list[list[str]] = [HEADERS]
    bad: dict[int, str] = {}
    statuses: dict[str, int] = {}
    people: list[tuple[str, str]] = []  # some come back with another dispute (repeat cases)
    for i in range(n):
        township, village, grid = rng.choice(places)
        logged = today - timedelta(days=rng.randint(20, 700))
        status = rng.choices(["已销号", "已化解", "调解中", "未化解"], [50, 25, 20, 5])[0]
        resolved = (
            logged + timedelta(days=rng.randint(0, 15))
            if status in ("已销号", "已化解", "未化解")
            else None
        )
        followed = resolved + timedelta(days=rng.randint(3, 15)) if status == "已销号" else None
        if people and rng.random() < 0.05:
            parties, phone = rng.choice(people)
        else:
            parties = f"{_name(rng)}、{_name(rng)}"
            phone = f"1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}"
            people.append((parties, phone))
        row = [
            f"{prefix}-{logged.year}-{i + 1:05d}",
            _date(rng, logged),
            rng.choice(CATEGORIES),
            parties,
            phone,
            township,
            village,
            grid if rng.random() < 0.7 else "",
            rng.choice(STORIES),
            status,
            _date(rng, resolved) if resolved else "",
            _date(rng, followed) if followed else "",
        ]
        if i in bad_at:
            kind = rng.choice(BAD_KINDS)
            if kind == "village":
                row[6], row[7] = f"不存在{i}村", ""
            elif kind == "date":
                row[1] = rng.choice(["2025-13-45", "去年三月", "2025/02/30"])
            elif kind == "category":
                row[2] = ""
            else:
                row[9], row[10] = "已化解", _date(rng, logged - timedelta(days=5))
                row[11] = ""
            bad[i + 2] = kind
        else:
            statuses[status] = statuses.get(status, 0) + 1
        table.append(row)
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(table)
        return LedgerFile(out.getvalue().encode("utf-8-sig"), n, bad, statuses)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    for row in table:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return LedgerFile(buffer.getvalue(), n, bad, statuses)
