"""User administration: what an administrator may do to the accounts of their area.

An administrator (role `admin`, at the county or a township) manages the users whose node lies
in their subtree, found through `scope_where` like any scoped row: anyone else is 404. A user's
node must be in that subtree and fit the role (a grid worker hangs on a grid...). Changing a
user's role or node, deactivating them or resetting their password ends every login they have:
the new rights apply from their next sign-in. An administrator does not change their own role,
node or state (another one must), so nobody locks the county out by a slip.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from piccolo.columns.combination import Or

from app import crypto, db
from app.audit import log as audit
from app.auth import sessions, throttle
from app.auth.actor import Actor
from app.auth.passwords import hash_password
from app.auth.scope import get_or_404, scope_where
from app.auth.tables import ROLES, User
from app.disputes.errors import FieldErrors
from app.i18n import _
from app.jurisdictions.tables import Jurisdiction
from app.sessions import ics
from app.settings import get_settings

ROLE_LEVELS: dict[str, tuple[str, ...]] = {
    "grid_worker": ("grid",),
    "village_mediator": ("village",),
    "township_officer": ("township",),
    "county_officer": ("county",),
    "admin": ("county", "township"),
}
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
# No 0/O, 1/l/I: read aloud over the phone or copied from a screen without mistakes.
_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
PER_PAGE = 50

_COLUMNS = (
    User.id,
    User.username,
    User.display_name,
    User.phone,
    User.role,
    User.active,
    User.must_change_password,
    User.created_at,
    User.jurisdiction.id.as_alias("jurisdiction_id"),
    User.jurisdiction.name.as_alias("jurisdiction_name"),
    User.jurisdiction.code.as_alias("jurisdiction_code"),
    User.jurisdiction.level.as_alias("jurisdiction_level"),
)


def _like(column, pattern: str):
    # case-insensitive on both engines: SQLite's LIKE already is (and has no ILIKE)
    return column.ilike(pattern) if get_settings().is_postgres else column.like(pattern)


def temporary_password() -> str:
    return "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(12))


async def list_users(
    actor: Actor, q: str = "", role: str = "", state: str = "", page: int = 1
) -> tuple[list[dict], bool]:
    """A page of the users in the actor's area, by username; and whether more follow."""
    where = [scope_where(User, actor)]
    if q := q.strip():
        where.append(Or(_like(User.username, f"%{q}%"), _like(User.display_name, f"%{q}%")))
    if role in ROLES:
        where.append(User.role == role)
    if state in ("active", "inactive"):
        where.append(User.active == (state == "active"))
    rows = await (
        User.select(*_COLUMNS)
        .where(*where)
        .order_by(User.username)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE + 1)
    )
    return rows[:PER_PAGE], len(rows) > PER_PAGE


async def get_user(actor: Actor, user_id: int) -> dict:
    return await get_or_404(User, user_id, actor, *_COLUMNS)


async def nodes_matching(
    actor: Actor, q: str, levels: tuple[str, ...] = (), limit: int = 20
) -> list[dict]:
    """Nodes of the actor's area whose name, code or parent's name holds `q` (at `levels`,
    when given), to pick a user's node from."""
    query = Jurisdiction.select(
        Jurisdiction.id,
        Jurisdiction.name,
        Jurisdiction.code,
        Jurisdiction.level,
        # grids are named 第一网格, 第二网格... in every village: say whose
        Jurisdiction.parent.name.as_alias("parent_name"),
    ).where(scope_where(Jurisdiction, actor))
    if q := q.strip():
        # a village's name finds its grids too
        query = query.where(
            Or(
                Or(_like(Jurisdiction.name, f"%{q}%"), _like(Jurisdiction.code, f"{q}%")),
                _like(Jurisdiction.parent.name, f"%{q}%"),
            )
        )
    if levels:
        query = query.where(Jurisdiction.level.is_in(list(levels)))
    return await query.order_by(Jurisdiction.depth).order_by(Jurisdiction.code).limit(limit)


async def _node_for(actor: Actor, raw: Any, role: str, errors: dict[str, str]) -> dict | None:
    try:
        node_id = int(raw)
    except (TypeError, ValueError):
        errors["jurisdiction"] = _("Choose the area the user works in.")
        return None
    node = await (
        Jurisdiction.select(Jurisdiction.id, Jurisdiction.level)
        .where(Jurisdiction.id == node_id, scope_where(Jurisdiction, actor))
        .first()
    )
    if node is None:
        errors["jurisdiction"] = _("Choose an area inside your own.")
    elif role in ROLE_LEVELS and node["level"] not in ROLE_LEVELS[role]:
        errors["jurisdiction"] = _("This role does not work at that level of area.")
    return node


def _text(data: dict, name: str, limit: int) -> str:
    return str(data.get(name) or "").strip()[:limit]


def _phone(data: dict, errors: dict[str, str]) -> str | None:
    phone = _text(data, "phone", 64) or None
    if phone and (len(phone) > 32 or not all(c.isdigit() or c in "+- " for c in phone)):
        errors["phone"] = _("A phone number has digits only.")
    return phone


def _audited(row: dict) -> dict:
    """A user as the audit log records them (the phone masked there)."""
    return {
        "username": row.get("username"),
        "display_name": row.get("display_name"),
        "phone": row.get("phone"),
        "role": row.get("role"),
        "jurisdiction": row.get("jurisdiction_code") or row.get("jurisdiction"),
        "active": row.get("active"),
    }


async def _code_of(node_id: int | None) -> str | None:
    if node_id is None:
        return None
    row = await Jurisdiction.select(Jurisdiction.code).where(Jurisdiction.id == node_id).first()
    return row["code"] if row else None


async def _profile(actor: Actor, data: dict, errors: dict[str, str]) -> dict:
    role = _text(data, "role", 32)
    if role not in ROLES:
        errors["role"] = _("Choose a role.")
    display_name = _text(data, "display_name", 100)
    if not display_name:
        errors["display_name"] = _("A name is required.")
    node = await _node_for(actor, data.get("jurisdiction"), role, errors)
    return {
        "display_name": display_name,
        "phone": _phone(data, errors),
        "role": role,
        "jurisdiction": node["id"] if node else None,
    }


async def create_user(
    actor: Actor, data: dict, origin: audit.Origin | None = None
) -> tuple[int, str]:
    """Create an account with a temporary password, which is returned to be shown once; the
    user must choose their own at first sign-in."""
    errors: dict[str, str] = {}
    username = _text(data, "username", 100).lower()
    if not USERNAME_RE.match(username):
        errors["username"] = _(
            "3 to 64 characters: lower-case letters, digits, dot, dash or underscore."
        )
    elif await User.exists().where(User.username == username):
        errors["username"] = _("This username is taken.")
    fields = await _profile(actor, data, errors)
    if errors:
        raise FieldErrors(errors)
    password = temporary_password()
    async with db.transaction():
        rows = await User.insert(
            User(
                username=username,
                password_hash=hash_password(password),
                must_change_password=True,
                active=True,
                **{**fields, "phone": crypto.encrypt(fields["phone"])},
            )
        ).returning(User.id)
        after = fields | {"username": username, "active": True}
        after["jurisdiction"] = await _code_of(fields["jurisdiction"])
        await audit.record_change(
            actor,
            "user",
            f"create user {username}",
            origin,
            None,
            _audited(after),
            action="create_user",
            params={"name": username},
        )
    return rows[0]["id"], password


async def update_user(
    actor: Actor, user_id: int, data: dict, origin: audit.Origin | None = None
) -> bool:
    """Save a user's name, phone, role and node. True when their rights changed (role or
    node), which ends all their logins."""
    user = await get_user(actor, user_id)
    errors: dict[str, str] = {}
    fields = await _profile(actor, data, errors)
    rights_changed = (fields["role"], fields["jurisdiction"]) != (
        user["role"],
        user["jurisdiction_id"],
    )
    if rights_changed and user_id == actor.id:
        errors["role"] = _("You cannot change your own role or area: ask another administrator.")
    if errors:
        raise FieldErrors(errors)
    # The form shows the phone masked and empty: left empty, the number stays as it was.
    if fields["phone"]:
        fields["phone"] = crypto.encrypt(fields["phone"])
    else:
        del fields["phone"]
    async with db.transaction():
        await User.update({getattr(User, k): v for k, v in fields.items()}).where(
            User.id == user_id
        )
        after = user | fields
        after["jurisdiction_code"] = await _code_of(fields["jurisdiction"])
        before, after = _audited(user), _audited(after)
        if "phone" in fields and crypto.decrypt(user["phone"]) == crypto.decrypt(fields["phone"]):
            after["phone"] = before["phone"]
        await audit.record_change(
            actor,
            "user",
            f"change user {user['username']}",
            origin,
            before,
            after,
            action="change_user",
            params={"name": user["username"]},
        )
        if rights_changed:
            await sessions.end_all(user_id)
        sessions.forget_cached()  # the name every page shows is kept with the login
    return rights_changed


def _not_yourself(actor: Actor, user_id: int) -> None:
    if user_id == actor.id:
        raise FieldErrors(
            {"user": _("You cannot do this to your own account: ask another administrator.")}
        )


async def set_active(
    actor: Actor, user_id: int, active: bool, origin: audit.Origin | None = None
) -> None:
    """Deactivating ends every login of the user at once; they can no longer sign in, and
    their tokens stop working, calendar feeds included (revoked: reactivating does not bring
    them back)."""
    user = await get_user(actor, user_id)
    _not_yourself(actor, user_id)
    async with db.transaction():
        await User.update({User.active: active}).where(User.id == user_id)
        verb = "activate" if active else "deactivate"
        await audit.record_change(
            actor,
            "user",
            f"{verb} user {user['username']}",
            origin,
            {"active": user["active"]},
            {"active": active},
            action=f"{verb}_user",
            params={"name": user["username"]},
        )
        if not active:
            await sessions.end_all(user_id)
            await ics.revoke_all_of(user_id)


async def reset_password(actor: Actor, user_id: int, origin: audit.Origin | None = None) -> str:
    """A new temporary password, returned to be shown once. The user's logins end and they
    must choose their own password at their next sign-in."""
    user = await get_user(actor, user_id)
    _not_yourself(actor, user_id)
    password = temporary_password()
    await User.update(
        {User.password_hash: hash_password(password), User.must_change_password: True}
    ).where(User.id == user_id)
    await audit.record_change(
        actor,
        "user",
        f"reset password of user {user['username']}",
        origin,
        action="reset_password",
        params={"name": user["username"]},
    )
    await sessions.end_all(user_id)
    # a user locked out by wrong guesses can sign in with the new password at once
    await throttle.clear_account(user["username"])
    return password
