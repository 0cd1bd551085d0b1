"""Issuing and revoking Open311 client keys: the administrator's, each an audit entry.

A key is a login of kind 'open311' of an account the administrator chooses (a county hotline
account, a township officer...): the client reads and reports within that account's area, with
that account's rights, and the ledger names the account. The key is shown once.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from litestar.exceptions import PermissionDeniedException

from app import db
from app.audit import log as audit
from app.auth import sessions
from app.auth.actor import Actor
from app.auth.scope import get_or_404, scope_where
from app.auth.tables import LoginSession, User
from app.disputes.errors import FieldErrors
from app.i18n import _
from app.open311.tables import Open311Client

KIND = "open311"
LIFETIME = timedelta(days=3650)  # until revoked
CAN_REPORT = ("grid_worker", "village_mediator", "township_officer", "county_officer")


def _admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDeniedException(_("Only an administrator issues Open311 keys."))


async def clients(actor: Actor) -> list[dict[str, Any]]:
    """The keys issued in the administrator's area, newest first."""
    _admin(actor)
    return await (
        Open311Client.select(
            Open311Client.id,
            Open311Client.name,
            Open311Client.created_at,
            Open311Client.account.username.as_alias("username"),
            Open311Client.account.display_name.as_alias("account_name"),
            Open311Client.account.jurisdiction.name.as_alias("area"),
            Open311Client.login.last_seen_at.as_alias("last_used_at"),
        )
        .where(Open311Client.account.is_in(User.select(User.id).where(scope_where(User, actor))))
        .order_by(Open311Client.id, ascending=False)
    )


async def accounts(actor: Actor) -> list[dict[str, Any]]:
    """The active accounts of the area a client may act as (those who may log a case)."""
    _admin(actor)
    return await (
        User.select(
            User.id,
            User.username,
            User.display_name,
            User.jurisdiction.name.as_alias("area"),
        )
        .where(
            scope_where(User, actor) & User.role.is_in(list(CAN_REPORT)) & (User.active == True)  # noqa: E712
        )
        .order_by(User.username)
    )


async def issue(
    actor: Actor, name: str, account_id: int | None, origin: audit.Origin | None = None
) -> str:
    """A new key for `name`, acting as `account_id`; returns the key (shown once)."""
    _admin(actor)
    errors = {}
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = _("Name the client (at most 100 characters).")
    account = None
    if account_id is None:
        errors["account"] = _("Choose the account the client acts as.")
    else:
        account = await get_or_404(User, account_id, actor, User.username, User.role, User.active)
        if account["role"] not in CAN_REPORT or not account["active"]:
            errors["account"] = _("This account cannot log cases.")
    if errors:
        raise FieldErrors(errors)
    assert account is not None and account_id is not None
    async with db.transaction():
        secret = await sessions.start(account_id, kind=KIND, lifetime=LIFETIME)
        login = (
            await LoginSession.select(LoginSession.id)
            .where(LoginSession.token_hash == hashlib.sha256(secret.encode()).hexdigest())
            .first()
        )
        await Open311Client.insert(
            Open311Client(name=name, login=login["id"], account=account_id, issued_by=actor.id)
        )
        await audit.record_change(
            actor,
            "open311",
            f"issue Open311 key {name} as {account['username']}",
            origin,
            None,
            {"name": name, "account": account["username"]},
            action="issue_open311_key",
            params={"name": name, "user": account["username"]},
        )
    return secret


async def revoke(actor: Actor, client_id: int, origin: audit.Origin | None = None) -> None:
    _admin(actor)
    row = await (
        Open311Client.select(
            Open311Client.id,
            Open311Client.name,
            Open311Client.login,
            Open311Client.account.as_alias("account_id"),
        )
        .where(Open311Client.id == client_id)
        .first()
    )
    if row is None:
        raise FieldErrors({"client": _("Not found.")})
    await get_or_404(User, row["account_id"], actor, User.id)  # outside the area: 404
    async with db.transaction():
        await LoginSession.delete().where(LoginSession.id == row["login"])  # the row goes too
        await audit.record_change(
            actor,
            "open311",
            f"revoke Open311 key {row['name']}",
            origin,
            {"name": row["name"]},
            action="revoke_open311_key",
            params={"name": row["name"]},
        )
