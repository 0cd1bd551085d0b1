"""Route guards. Scope is not checked here (see scope.py); these only ask who is signed in."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from app.i18n import _


# Async on purpose: Litestar runs a sync guard in its thread pool, a thread hop per request.
async def signed_in(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    if connection.scope.get("user") is None:
        raise NotAuthorizedException()


async def admin_only(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    await signed_in(connection, handler)
    if connection.user.role != "admin":
        raise PermissionDeniedException(_("Only an administrator may do this."))
