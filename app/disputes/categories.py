"""The county's categories as a managed list: each rolls up to a national category.

The rows live in `case_category` (seeded with the nine of the first release); this module
keeps an in-memory copy in `vocabulary.CATEGORIES` (every category ever used, retired ones
included, so old cases keep their label and filters) and `ACTIVE` (what a new case may
choose). Each process re-reads the rows when their stamp (count, last change) moves, checked
at most every few seconds at a request; a change made here reloads at once.

The admin's writers (`create`, `change`) are the only writers, and each is an audit entry.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from app import clock, db
from app.audit import log as audit
from app.auth.actor import Actor
from app.disputes.errors import FieldErrors
from app.disputes.tables import Category
from app.disputes.vocabulary import (
    ACTIVE_CATEGORIES as ACTIVE,
)
from app.disputes.vocabulary import CATEGORIES, NATIONAL_CATEGORIES, SEED_NATIONAL, label
from app.i18n import _

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
NATIONAL_OF: dict[str, str] = dict(SEED_NATIONAL)  # code → national code
PARENT_OF: dict[str, str | None] = {}
_stamp: tuple[Any, ...] | None = None
_checked = 0.0
RECHECK_SECONDS = 3.0


async def _read_stamp() -> tuple[Any, ...]:
    n = await Category.count()
    last = (
        await Category.select(Category.changed_at)
        .order_by(Category.changed_at, ascending=False)
        .first()
    )
    return (n, last["changed_at"] if last else None)


async def refresh() -> None:
    """Load the list from the database into the in-memory copies."""
    global _stamp, _checked
    stamp = await _read_stamp()
    rows = await Category.select().order_by(Category.position).order_by(Category.id)
    if not rows:  # a database from before the managed list: keep the built-in nine
        _stamp, _checked = stamp, time.monotonic()
        return
    ordered = [r for r in rows if r["active"]] + [r for r in rows if not r["active"]]
    CATEGORIES.clear()
    CATEGORIES.update({r["code"]: r["name"] for r in ordered})
    ACTIVE.clear()
    ACTIVE.update({r["code"]: r["name"] for r in ordered if r["active"]})
    NATIONAL_OF.clear()
    NATIONAL_OF.update({r["code"]: r["national"] for r in rows})
    PARENT_OF.clear()
    PARENT_OF.update({r["code"]: r["parent"] for r in rows})
    _stamp, _checked = stamp, time.monotonic()


def stamp() -> tuple[Any, ...] | None:
    """The list's stamp as this process last read it (keys of what was drawn from it)."""
    return _stamp


async def current() -> None:
    """Reload when another process changed the list (cheap: one stamp read every few
    seconds)."""
    global _checked
    if _stamp is not None and time.monotonic() - _checked < RECHECK_SECONDS:
        return
    _checked = time.monotonic()
    try:
        if await _read_stamp() != _stamp:
            await refresh()
    except Exception:  # the database is away: keep the list as it was (/healthz says so)
        logging.getLogger("pingli").warning("the category list could not be re-read")


def national_of(code: str | None) -> str:
    return NATIONAL_OF.get(code or "", "other")


def national_label(code: str | None) -> str:
    return label(NATIONAL_CATEGORIES, code)


async def list_all() -> list[dict[str, Any]]:
    rows = await Category.select().order_by(Category.position).order_by(Category.id)
    for r in rows:
        r["label"] = _(r["name"])
        r["national_label"] = national_label(r["national"])
        r["parent_label"] = label(CATEGORIES, r["parent"]) if r["parent"] else ""
    return rows


def _audited(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in ("code", "name", "national", "parent", "active")}


async def _parse(data: dict[str, Any], errors: dict[str, str], code: str | None) -> dict:
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = _("A name is required.")
    elif len(name) > 100:
        errors["name"] = _("At most %(n)s characters.", n=100)
    national = str(data.get("national") or "").strip()
    parent = str(data.get("parent") or "").strip() or None
    if parent:
        found = (
            await Category.select(Category.code, Category.national)
            .where(Category.code == parent)
            .first()
        )
        if found is None or parent == code:
            errors["parent"] = _("Choose another category of this list.")
        elif not national:
            national = found["national"]  # a sub-category rolls up where its parent does
        elif national != found["national"]:
            errors["national"] = _(
                "A sub-category rolls up to its parent's national category: %(name)s.",
                name=national_label(found["national"]),
            )
    if national not in NATIONAL_CATEGORIES and "national" not in errors:
        errors["national"] = _("Choose the national category it rolls up to.")
    return {"name": name, "national": national, "parent": parent}


async def create(actor: Actor, data: dict[str, Any], origin: audit.Origin | None = None) -> str:
    errors: dict[str, str] = {}
    code = str(data.get("code") or "").strip().lower()
    if not CODE_RE.match(code):
        errors["code"] = _(
            "2 to 32 characters: lower-case letters, digits or underscore, a letter first."
        )
    elif await Category.exists().where(Category.code == code):
        errors["code"] = _("This code is taken.")
    fields = await _parse(data, errors, code)
    if errors:
        raise FieldErrors(errors)
    now = clock.now()
    async with db.transaction():
        last = (
            await Category.select(Category.position)
            .order_by(Category.position, ascending=False)
            .first()
        )
        await Category.insert(
            Category(
                code=code,
                **fields,
                active=True,
                position=(last["position"] + 1) if last else 0,
                changed_at=now,
            )
        )
        await audit.record_change(
            actor,
            "category",
            f"create category {code}",
            origin,
            None,
            _audited(fields | {"code": code, "active": True}),
            action="create_category",
            params={"name": fields.get("name") or code},
        )
    await refresh()
    return code


async def change(
    actor: Actor, code: str, data: dict[str, Any], origin: audit.Origin | None = None
) -> None:
    """Rename, move under another parent or national category, retire or restore. The code
    never changes: cases hold it."""
    row = await Category.select().where(Category.code == code).first()
    if row is None:
        from litestar.exceptions import NotFoundException

        raise NotFoundException()
    errors: dict[str, str] = {}
    fields = await _parse(data, errors, code)
    if "active" in data:
        fields["active"] = str(data.get("active")).lower() in ("1", "true", "on", "yes")
    if errors:
        raise FieldErrors(errors)
    async with db.transaction():
        await Category.update({**fields, "changed_at": clock.now()}).where(Category.code == code)
        verb = "change"
        if fields.get("active") is False and row["active"]:
            verb = "retire"
        elif fields.get("active") is True and not row["active"]:
            verb = "restore"
        await audit.record_change(
            actor,
            "category",
            f"{verb} category {code}",
            origin,
            _audited(row),
            _audited(row | fields),
            action=f"{verb}_category",
            params={"name": fields.get("name") or row["name"]},
        )
    await refresh()
