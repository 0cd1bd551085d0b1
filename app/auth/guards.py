"""Route guards. Scope is not checked here (see scope.py); these ask who is signed in and what
their role may do."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from piccolo.table import Table

from app.auth import policy
from app.auth.actor import Actor
from app.auth.scope import get_or_404
from app.i18n import _


# Async on purpose: Litestar runs a sync guard in its thread pool, a thread hop per request.
async def signed_in(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    if connection.scope.get("user") is None:
        raise NotAuthorizedException()


async def admin_only(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    await signed_in(connection, handler)
    if connection.user.role != "admin":
        raise PermissionDeniedException(_("Only an administrator may do this."))


def capable(capability: str) -> Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]:
    """A guard asking app/auth/policy.py for a capability, so that a role that may not is 403
    before its body is read (the README's order of refusals)."""

    async def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        await signed_in(connection, handler)
        policy.require(connection.user, capability)

    return guard


def in_scope(
    table: type[Table], path_param: str, then: Callable[[Actor, dict[str, Any]], None] | None = None
) -> Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]:
    """A guard finding the path's row in the person's area (404 otherwise), then asking `then`
    (which raises 403 for a role or person that may not), before the body is read: the
    README's order of refusals, whatever the body holds."""

    async def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        await signed_in(connection, handler)
        row = await get_or_404(table, connection.path_params[path_param], connection.user)
        if then is not None:
            then(connection.user, row)

    return guard
